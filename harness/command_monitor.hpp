#pragma once

#include "harness/monitor.hpp"
#include "io/process.hpp"

namespace harness {

/// What a program run says, as an observation: the Nagios exit code 0..3 is the status; any
/// other ending (other codes, a signal, the time limit, no such program) is an error. The
/// summary is the first line of its standard output. Pure.
observation to_observation(const io::run_result& p, std::chrono::milliseconds time_limit);

/// `cmd:TEMPLATE`: any program, judged by its own Nagios exit code (io::run_process: run in a
/// process group of its own, killed with its group after the time limit, 64 KiB of each output
/// stream kept).
class command_monitor final : public monitor {
public:
    /// `argv` with placeholders; each run is killed after `time_limit`.
    command_monitor(std::vector<std::string> argv, std::chrono::milliseconds time_limit)
        : argv_(std::move(argv))
        , time_limit_(time_limit)
    {
    }

    observation observe(const monitor_target& target) const override;

private:
    std::vector<std::string> argv_;
    std::chrono::milliseconds time_limit_;
};

} // namespace harness
