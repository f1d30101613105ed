#include "harness/command_monitor.hpp"

#include "harness/to_observation.hpp"
#include "io/process.hpp"

#include <stdexcept>

namespace harness {

observation command_monitor::observe(const monitor_target& target) const
{
    const auto start = std::chrono::steady_clock::now();
    observation o;
    try {
        const auto values = target_values(target, credentials_);
        io::run_options run;
        for (const auto& word : argv_) {
            run.process.argv.push_back(substitute(word, values));
        }
        run.time_limit = time_limit_;
        o = to_observation(io::run_process(std::move(run)), time_limit_);
    } catch (const std::exception& e) {
        o.error = e.what();
    }
    o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return o;
}

} // namespace harness
