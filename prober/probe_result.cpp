#include "prober/probe_result.hpp"

namespace prober {

std::string_view to_string(probe_status s) noexcept
{
    switch (s) {
    case probe_status::ok:
        return "OK";
    case probe_status::warning:
        return "WARNING";
    case probe_status::critical:
        return "CRITICAL";
    case probe_status::unknown:
        return "UNKNOWN";
    }
    return "UNKNOWN";
}

std::optional<std::chrono::microseconds> probe_result::timing(smtp::phase p) const noexcept
{
    for (const auto& [phase, d] : timings) {
        if (phase == p) {
            return d;
        }
    }
    return std::nullopt;
}

} // namespace prober
