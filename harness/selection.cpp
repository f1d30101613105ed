#include "harness/selection.hpp"

#include <charconv>

namespace harness {

namespace {

// Matches one bracket expression at `p` (just after '[') against `c`. Returns the position
// after the closing ']' and whether `c` matched, or npos when the bracket is not closed.
std::size_t match_set(std::string_view pattern, std::size_t p, char c, bool& matched) noexcept
{
    bool negate = false;
    if (p < pattern.size() && (pattern[p] == '!' || pattern[p] == '^')) {
        negate = true;
        ++p;
    }
    bool hit = false;
    bool first = true;
    while (p < pattern.size() && (first || pattern[p] != ']')) {
        first = false;
        char lo = pattern[p];
        char hi = lo;
        if (p + 2 < pattern.size() && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
            hi = pattern[p + 2];
            p += 3;
        } else {
            ++p;
        }
        if (lo <= c && c <= hi) {
            hit = true;
        }
    }
    if (p >= pattern.size()) {
        return std::string_view::npos;
    }
    matched = hit != negate;
    return p + 1;
}

} // namespace

bool glob_match(std::string_view pattern, std::string_view name) noexcept
{
    // Iterative matching with one backtrack point, the last '*' seen.
    std::size_t p = 0;
    std::size_t n = 0;
    std::size_t star_p = std::string_view::npos;
    std::size_t star_n = 0;
    while (n < name.size()) {
        if (p < pattern.size()) {
            const char pc = pattern[p];
            if (pc == '*') {
                star_p = ++p;
                star_n = n;
                continue;
            }
            if (pc == '?') {
                ++p;
                ++n;
                continue;
            }
            if (pc == '[') {
                bool matched = false;
                auto next = match_set(pattern, p + 1, name[n], matched);
                if (next != std::string_view::npos) {
                    if (matched) {
                        p = next;
                        ++n;
                        continue;
                    }
                } else if (name[n] == '[') { // an unclosed '[' is literal
                    ++p;
                    ++n;
                    continue;
                }
            } else {
                char literal = pc;
                std::size_t width = 1;
                if (pc == '\\' && p + 1 < pattern.size()) {
                    literal = pattern[p + 1];
                    width = 2;
                }
                if (literal == name[n]) {
                    p += width;
                    ++n;
                    continue;
                }
            }
        }
        if (star_p == std::string_view::npos) {
            return false;
        }
        p = star_p;
        n = ++star_n;
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

std::optional<shard> parse_shard(std::string_view text) noexcept
{
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        return std::nullopt;
    }
    auto number = [](std::string_view s) -> std::optional<std::size_t> {
        std::size_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
            return std::nullopt;
        }
        return v;
    };
    auto i = number(text.substr(0, slash));
    auto n = number(text.substr(slash + 1));
    if (!i || !n || *n == 0 || *i == 0 || *i > *n) {
        return std::nullopt;
    }
    return shard{*i, *n};
}

std::vector<std::size_t> select(const std::vector<std::string>& names,
                                const std::vector<std::string>& patterns,
                                const std::optional<shard>& part)
{
    std::vector<std::size_t> filtered;
    for (std::size_t i = 0; i < names.size(); ++i) {
        bool keep = patterns.empty();
        for (const auto& p : patterns) {
            if (glob_match(p, names[i])) {
                keep = true;
                break;
            }
        }
        if (keep) {
            filtered.push_back(i);
        }
    }
    if (!part || part->count == 1) {
        return filtered;
    }
    std::vector<std::size_t> out;
    for (std::size_t k = part->index - 1; k < filtered.size(); k += part->count) {
        out.push_back(filtered[k]);
    }
    return out;
}

} // namespace harness
