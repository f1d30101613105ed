#include "harness/monitor_status.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace harness {

namespace {

constexpr std::array<std::string_view, 4> names{"OK", "WARNING", "CRITICAL", "UNKNOWN"};

} // namespace

std::string_view to_string(monitor_status s) noexcept
{
    return names[static_cast<std::size_t>(s)];
}

std::optional<monitor_status> parse_monitor_status(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (smtp::iequals(name, names[i])) {
            return static_cast<monitor_status>(i);
        }
    }
    return std::nullopt;
}

std::optional<monitor_status> status_from_exit_code(int code) noexcept
{
    if (code < 0 || code > 3) {
        return std::nullopt;
    }
    return static_cast<monitor_status>(code);
}

} // namespace harness
