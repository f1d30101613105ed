#include "harness/builtin_monitor.hpp"

#include "harness/to_observation.hpp"
#include "prober/run_probe.hpp"

#include <exception>

namespace harness {

observation builtin_monitor::observe(const monitor_target& target) const
{
    const auto start = std::chrono::steady_clock::now();
    observation o;
    try {
        o = to_observation(prober::run_probe(builtin_probe_options(target, credentials_)));
    } catch (const std::exception& e) {
        o.error = std::string("the probe failed: ") + e.what();
    }
    o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return o;
}

} // namespace harness
