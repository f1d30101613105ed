#include "watch/flap_detector.hpp"

namespace watch {

double state_change_percent(const std::deque<prober::probe_status>& history) noexcept
{
    const std::size_t n = history.size();
    if (n < 2) {
        return 0.0;
    }
    // n states have n - 1 transitions; transition i (1-based) weighs 0.8 + 0.4 (i-1)/(n-2).
    constexpr double low = 0.8;
    constexpr double high = 1.2;
    double total = 0.0;
    for (std::size_t i = 1; i < n; ++i) {
        if (history[i] != history[i - 1]) {
            double weight =
                n > 2 ? low + (high - low) * static_cast<double>(i - 1) / static_cast<double>(n - 2)
                      : 1.0;
            total += weight;
        }
    }
    double percent = total * 100.0 / static_cast<double>(n - 1);
    return percent > 100.0 ? 100.0 : percent;
}

} // namespace watch
