#include "faults/connection_range.hpp"

#include "smtp/ascii.hpp"

#include <charconv>

namespace faults {
namespace {

// A positive decimal number filling all of `s`.
std::optional<std::uint64_t> parse_ordinal(std::string_view s)
{
    s = smtp::trim_blanks(s);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value == 0) {
        return std::nullopt;
    }
    return value;
}

} // namespace

bool connection_range::contains(std::uint64_t ordinal) const noexcept
{
    if (ordinal < first || (last && ordinal > *last)) {
        return false;
    }
    return (ordinal - first) % every == 0;
}

std::string connection_range::to_string() const
{
    if (every != 1) {
        return first == every ? "every " + std::to_string(every)
                              : "every " + std::to_string(every) + " from " + std::to_string(first);
    }
    if (!last) {
        return std::to_string(first) + "-";
    }
    if (*last == first) {
        return std::to_string(first);
    }
    return std::to_string(first) + "-" + std::to_string(*last);
}

std::optional<connection_range> parse_connection_range(std::string_view text)
{
    text = smtp::trim_blanks(text);
    connection_range out;
    constexpr std::string_view every_word = "every ";
    if (text.substr(0, every_word.size()) == every_word) {
        auto rest = text.substr(every_word.size());
        const auto from = rest.find(" from ");
        const auto n = parse_ordinal(rest.substr(0, from));
        if (!n) {
            return std::nullopt;
        }
        out.every = *n;
        out.first = *n;
        if (from != std::string_view::npos) {
            const auto k = parse_ordinal(rest.substr(from + 6));
            if (!k) {
                return std::nullopt;
            }
            out.first = *k;
        }
        return out;
    }
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        const auto n = parse_ordinal(text);
        if (!n) {
            return std::nullopt;
        }
        out.first = *n;
        out.last = *n;
        return out;
    }
    const auto first = parse_ordinal(text.substr(0, dash));
    if (!first) {
        return std::nullopt;
    }
    out.first = *first;
    const auto tail = smtp::trim_blanks(text.substr(dash + 1));
    if (!tail.empty()) {
        const auto last = parse_ordinal(tail);
        if (!last || *last < *first) {
            return std::nullopt;
        }
        out.last = *last;
    }
    return out;
}

} // namespace faults
