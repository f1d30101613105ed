#include "faults/action.hpp"

#include "faults/limits.hpp"

#include <algorithm>
#include <cmath>

namespace faults {

pace pace::at(double bytes_per_second)
{
    constexpr double slice_seconds = 0.05;
    const double rate =
        std::isnan(bytes_per_second)
            ? limits::min_trickle_rate
            : std::clamp(bytes_per_second, limits::min_trickle_rate, limits::max_trickle_rate);
    pace p;
    p.bytes_per_second = rate;
    p.slice_bytes = static_cast<std::size_t>(std::max(1.0, std::floor(rate * slice_seconds)));
    p.interval =
        std::chrono::nanoseconds(std::llround(static_cast<double>(p.slice_bytes) * 1e9 / rate));
    return p;
}

bool command_takes_effect(const action& a, std::string_view normal_reply) noexcept
{
    switch (a.command) {
    case command_disposition::apply:
        return true;
    case command_disposition::skip:
        return false;
    case command_disposition::by_reply:
        break;
    }
    if (a.send) {
        return !normal_reply.empty() && !a.send->empty() && a.send->front() == normal_reply.front();
    }
    return a.end == ending::proceed;
}

} // namespace faults
