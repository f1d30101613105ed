#include "config/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace config {
namespace {

// The units, longest first: a compound duration names them in this order, each at most once
// (Prometheus's duration syntax: y, w, d, h, m, s, ms).
struct unit {
    std::string_view name;
    std::uint64_t ms;
};
constexpr std::array<unit, 7> units{{{"y", 365ULL * 86'400'000},
                                     {"w", 7ULL * 86'400'000},
                                     {"d", 86'400'000},
                                     {"h", 3'600'000},
                                     {"ms", 1},
                                     {"m", 60'000},
                                     {"s", 1000}}};

// The rank of a unit in the order a compound duration writes them (y=0 ... ms=6).
int rank(std::string_view name)
{
    constexpr std::array<std::string_view, 7> order{"y", "w", "d", "h", "m", "s", "ms"};
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (order[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

// One term at `pos`: digits, an optional fraction, a unit; its milliseconds, its unit's rank,
// and whether it had a fraction. Advances `pos`.
struct term {
    std::uint64_t ms = 0;
    int rank = -1;
    bool fraction = false;
};

std::optional<term> read_term(std::string_view text, std::size_t& pos)
{
    // Exact decimal arithmetic: no floating point, so "0.1s" is exactly 100 ms.
    std::uint64_t whole = 0;
    std::size_t whole_digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        whole = whole * 10 + static_cast<std::uint64_t>(text[pos] - '0');
        if (++whole_digits > 12) {
            return std::nullopt;
        }
        ++pos;
    }
    std::uint64_t fraction = 0;
    std::uint64_t fraction_scale = 1;
    term t;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t fraction_digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (++fraction_digits > 6) {
                return std::nullopt;
            }
            fraction = fraction * 10 + static_cast<std::uint64_t>(text[pos] - '0');
            fraction_scale *= 10;
            ++pos;
        }
        if (fraction_digits == 0) {
            return std::nullopt;
        }
        t.fraction = true;
    }
    if (whole_digits == 0) {
        return std::nullopt;
    }
    for (const auto& u : units) {
        if (text.substr(pos, u.name.size()) != u.name) {
            continue;
        }
        const std::uint64_t fraction_ms = fraction * u.ms;
        if (fraction_ms % fraction_scale != 0 ||
            whole > std::numeric_limits<std::int64_t>::max() / u.ms) {
            return std::nullopt; // finer than a millisecond, or out of range
        }
        pos += u.name.size();
        t.ms = whole * u.ms + fraction_ms / fraction_scale;
        t.rank = rank(u.name);
        return t;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    std::size_t pos = 0;
    std::uint64_t total = 0;
    int last_rank = -1;
    std::size_t terms = 0;
    bool fraction = false;
    while (pos < text.size() || terms == 0) {
        const auto t = read_term(text, pos);
        // Units in decreasing order, each once ("1h30m", not "30m1h" or "1m1m").
        if (!t || t->rank <= last_rank) {
            return std::nullopt;
        }
        total += t->ms;
        if (total > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        last_rank = t->rank;
        fraction = fraction || t->fraction;
        ++terms;
    }
    if (fraction && terms > 1) {
        return std::nullopt; // "1h0.5m": a fraction only in a duration of one term
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

std::string format_duration(std::chrono::milliseconds d)
{
    const auto ms = d.count();
    if (ms != 0 && ms % 3'600'000 == 0) {
        return std::to_string(ms / 3'600'000) + "h";
    }
    if (ms != 0 && ms % 60'000 == 0) {
        return std::to_string(ms / 60'000) + "m";
    }
    if (ms != 0 && ms % 1000 == 0) {
        return std::to_string(ms / 1000) + "s";
    }
    return std::to_string(ms) + "ms";
}

} // namespace config
