#include "watch/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace watch {

std::chrono::milliseconds backoff_delay(const retry_policy& policy, int attempts) noexcept
{
    double ms = static_cast<double>(policy.backoff.count()) *
                std::pow(policy.multiplier, std::max(0, attempts - 1));
    double cap = static_cast<double>(policy.max_backoff.count());
    return std::chrono::milliseconds(static_cast<long long>(std::min(ms, cap)));
}

} // namespace watch
