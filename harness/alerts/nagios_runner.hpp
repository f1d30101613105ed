#pragma once

// Runs one `smtp-harness alerts --nagios-config` timeline: the user's Nagios object files
// (harness/alerts/nagios_config.hpp) run by a private instance of Debian's nagios4 against an
// embedded mock switched from scenario to scenario; the notifications its contacts got and the
// state changes in its log are captured and judged.

#include "faults/scenario.hpp"
#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/alerts_report.hpp"
#include "harness/alerts/timeline.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace harness::alerts {

/// Where Debian's nagios4-core package puts the daemon.
inline constexpr const char* default_nagios_binary = "/usr/sbin/nagios4";

/// What one Nagios run needs, loaded.
struct nagios_plan {
    /// The user's object files, in order (nagios_object_files: directories expanded).
    std::vector<std::filesystem::path> object_files;
    /// The daemon.
    std::string nagios = default_nagios_binary;
    /// The interval_length of the user's main configuration (Nagios's default, 60): the seconds
    /// one interval unit of the object files stands for.
    int interval_length = 60;
    /// Every interval of the configuration runs this many times faster (interval_length / N).
    int time_scale = 1;
    /// The timeline to drive the mock through.
    timeline tl;
    /// The expectations, when given.
    std::optional<alert_expectations> expectations;
    /// Each step's scenario.
    std::vector<faults::scenario> scenarios;
    /// A stop requested on it (SIGINT, SIGTERM) ends the run early: nagios4 is stopped and the
    /// run directory removed as at the end of a run.
    std::stop_token stop;
};

/// The object files `paths` name, as Nagios's cfg_file and cfg_dir read them: a file as it is,
/// a directory as every `*.cfg` file under it (in name order). Throws alerts_file_error for a
/// path that does not exist or a directory without one.
std::vector<std::filesystem::path>
nagios_object_files(const std::vector<std::filesystem::path>& paths);

/// Checks the object files as the run will use them with `nagios4 -v`; throws
/// alerts_file_error with Nagios's own messages when it rejects them, or naming the Debian
/// package when the daemon is missing.
void verify_nagios_config(const nagios_plan& plan);

/// Runs the timeline: an embedded mock with the first step's scenario, a private nagios4 on the
/// rewritten object files in a temporary directory (started as its own process group and killed
/// with it at the end), each step's scenario put in force at its time once Nagios runs; then
/// collects the recorder's notifications and the log's state changes and judges the
/// expectations. `progress` gets one line per event.
alerts_run_result run_nagios_timeline(const nagios_plan& plan,
                                      const std::function<void(const std::string&)>& progress);

/// The lines that state the time scale: what a second of the run stands for, and the
/// real-time equivalent of each step and of each expectation's windows.
std::vector<std::string> time_scale_lines(const nagios_plan& plan);

} // namespace harness::alerts
