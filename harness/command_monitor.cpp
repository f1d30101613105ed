#include "harness/command_monitor.hpp"

#include <signal.h>
#include <stdexcept>
#include <string.h>

namespace harness {

namespace {

// A stream's kept head, with a note of what was not kept.
std::string kept(const io::captured_output& c)
{
    if (c.dropped == 0) {
        return c.head;
    }
    auto out = c.head;
    if (!out.empty() && out.back() != '\n') {
        out.push_back('\n');
    }
    return out + "[" + std::to_string(c.dropped) + " more bytes not kept]\n";
}

} // namespace

observation to_observation(const io::run_result& p, std::chrono::milliseconds time_limit)
{
    observation o;
    o.output = kept(p.out);
    if (auto err = kept(p.err); !err.empty()) {
        if (!o.output.empty() && o.output.back() != '\n') {
            o.output.push_back('\n');
        }
        o.output += err;
    }
    const auto& first = p.out.head.empty() ? p.err.head : p.out.head;
    o.summary = first.substr(0, first.find('\n'));
    o.exit_code = p.status.code;
    if (!p.spawn_error.empty()) {
        o.error = p.spawn_error;
    } else if (p.timed_out) {
        o.error = "killed after the time limit of " + std::to_string(time_limit.count()) + " ms";
    } else if (p.status.signal) {
        o.error = std::string("killed by signal ") + ::strsignal(*p.status.signal);
    } else if (p.status.code) {
        o.status = status_from_exit_code(*p.status.code);
        if (!o.status) {
            o.error = "exit code " + std::to_string(*p.status.code) +
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
        const auto values = target_values(target);
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
