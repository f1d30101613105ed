#include "config/duration.hpp"

#include <cstdint>

namespace config {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    // Digits, an optional fraction, then the unit. Exact decimal arithmetic: no floating point,
    // so "0.1s" is exactly 100 ms.
    std::size_t pos = 0;
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
    }
    if (whole_digits == 0) {
        return std::nullopt;
    }
    const std::string_view unit = text.substr(pos);
    std::uint64_t unit_ms = 0;
    if (unit == "ms") {
        unit_ms = 1;
    } else if (unit == "s") {
        unit_ms = 1000;
    } else if (unit == "m") {
        unit_ms = 60'000;
    } else if (unit == "h") {
        unit_ms = 3'600'000;
    } else {
        return std::nullopt;
    }
    const std::uint64_t fraction_ms = fraction * unit_ms;
    if (fraction_ms % fraction_scale != 0) {
        return std::nullopt; // finer than a millisecond
    }
    return std::chrono::milliseconds(
        static_cast<std::int64_t>(whole * unit_ms + fraction_ms / fraction_scale));
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
