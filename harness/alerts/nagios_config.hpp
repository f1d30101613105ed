#pragma once

// The user's Nagios object files as `smtp-harness alerts --nagios-config` runs them, and the
// private main configuration around them. Pure: text in, text out.
//
// The objects are used as written (hosts, services, contacts, escalations, thresholds), with
// three changes so that the run touches nothing but the mock and the run directory:
// - every host definition gets `address 127.0.0.1` (the mock);
// - every command that runs check_smtp gets `-H 127.0.0.1 -p PORT` appended (the mock;
//   check_smtp takes the last -H and -p it is given, so a command that names its server, or
//   gives $HOSTNAME$, still checks the mock);
// - every contact's host and service notification commands become one recorder, which appends
//   the macros Nagios passes (NOTIFICATIONTYPE, SERVICESTATE, ...) to a file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::alerts {

/// The name of the notification command every contact is given.
inline constexpr std::string_view nagios_recorder_command = "smtp-harness-record-notification";

/// What the rewrite changed, for the run's log.
struct nagios_rewrite_counts {
    /// Host definitions pointed at the mock (templates, `register 0`, are pointed at it too but
    /// not counted).
    int hosts = 0;
    /// Commands given the mock's port.
    int check_commands = 0;
    /// Contact definitions whose notification commands became the recorder (templates not
    /// counted).
    int contacts = 0;
};

/// One object file rewritten for the run.
struct nagios_object_file {
    /// The user's file.
    std::filesystem::path source;
    /// Its rewritten text.
    std::string text;
};

/// Rewrites the text of one object file (see the file comment); counts what changed.
std::string rewrite_nagios_objects(std::string_view text, std::uint16_t mock_port,
                                   nagios_rewrite_counts& counts);

/// A line of Nagios's main configuration (`NAME=VALUE` outside any definition, such as
/// `cfg_dir=/etc/nagios4/conf.d`) in what should be an object file, or an include_file= or
/// include_dir= line (files the run would not rewrite): its number (from 1) and text, or
/// nothing. Nagios itself says only "Unexpected token or statement" of a main directive.
struct nagios_main_directive {
    std::size_t line = 0;
    std::string text;
};
std::optional<nagios_main_directive> find_main_directive(std::string_view objects);

/// Everything the private main configuration names.
struct nagios_run_paths {
    /// The run directory; every file Nagios writes is in it.
    std::filesystem::path dir;
    /// The rewritten object files, in order.
    std::vector<std::filesystem::path> object_files;
    /// The file holding the recorder's command definition.
    std::filesystem::path harness_objects;
    /// The user and group Nagios runs as (the caller's).
    std::string user, group;

    /// A file of the run directory.
    std::filesystem::path file(std::string_view name) const { return dir / name; }
};

/// The main configuration (nagios.cfg) of a private run: logs, status, lock, spool, query socket
/// and retention all in the run directory; no external commands, no syslog, no retained state;
/// checks scheduled at once and results reaped every second; environment macros on (the
/// recorder reads them); `interval_length` seconds per interval unit, and the check cache
/// horizons (Nagios's default, 15 s) divided by `time_scale` like the intervals.
std::string nagios_main_config(const nagios_run_paths& paths, int interval_length, int time_scale);

/// The resource file: $USER1$ is Debian's plugin directory.
std::string nagios_resource_file();

/// The recorder's command definition, run as `/bin/sh SCRIPT`.
std::string nagios_harness_objects(const std::filesystem::path& script);

/// The recorder script: appends one tab-separated line per notification to `record`:
/// UNIX time with nanoseconds, then NAME=VALUE for each macro it keeps.
std::string nagios_recorder_script(const std::filesystem::path& record);

/// The interval_length of a run at `--time-scale N` of a configuration whose interval_length
/// is `interval_length` (Nagios's default, 60): interval_length / N, which must be a whole number
/// of seconds. Throws std::invalid_argument naming the scales that work.
int nagios_interval_length(int time_scale, int interval_length = 60);

} // namespace harness::alerts
