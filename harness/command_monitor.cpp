#include "harness/command_monitor.hpp"

#include <signal.h>
#include <stdexcept>
#include <string.h>

namespace harness {

observation to_observation(const process_outcome& p, std::chrono::milliseconds time_limit)
{
    observation o;
    o.output = p.out;
    if (!p.err.empty()) {
        if (!o.output.empty() && o.output.back() != '\n') {
            o.output.push_back('\n');
        }
        o.output += p.err;
    }
    const auto& first = p.out.empty() ? p.err : p.out;
    o.summary = first.substr(0, first.find('\n'));
    o.exit_code = p.exit_code;
    if (!p.spawn_error.empty()) {
        o.error = p.spawn_error;
    } else if (p.timed_out) {
        o.error = "killed after the time limit of " + std::to_string(time_limit.count()) + " ms";
    } else if (p.signal) {
        o.error = std::string("killed by signal ") + ::strsignal(*p.signal);
    } else if (p.exit_code) {
        o.status = status_from_exit_code(*p.exit_code);
        if (!o.status) {
            o.error = "exit code " + std::to_string(*p.exit_code) +
                      " is not a Nagios status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)";
        }
    }
    return o;
}

observation command_monitor::observe(const monitor_target& target) const
{
    const auto start = std::chrono::steady_clock::now();
    observation o;
    try {
        const auto values = template_values(target.host, target.port, target.scenario->name);
        std::vector<std::string> argv;
        for (const auto& word : argv_) {
            argv.push_back(substitute(word, values));
        }
        o = to_observation(run_process(argv, time_limit_), time_limit_);
    } catch (const std::exception& e) {
        o.error = e.what();
    }
    o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return o;
}

} // namespace harness
