#pragma once

#include "harness/monitor.hpp"

namespace harness {

/// `cmd:TEMPLATE`: any program, judged by its own Nagios exit code (io::run_process: run in a
/// process group of its own, killed with its group after the time limit, 64 KiB of each output
/// stream kept).
class command_monitor final : public monitor {
public:
    /// `argv` with placeholders; each run is killed after `time_limit`. `credentials` are what
    /// the mailbox placeholders say.
    command_monitor(std::vector<std::string> argv, std::chrono::milliseconds time_limit,
                    harness_credentials credentials = {})
        : argv_(std::move(argv))
        , time_limit_(time_limit)
        , credentials_(std::move(credentials))
    {
    }

    observation observe(const monitor_target& target) const override;

private:
    std::vector<std::string> argv_;
    std::chrono::milliseconds time_limit_;
    harness_credentials credentials_;
};

} // namespace harness
