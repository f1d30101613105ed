#include "harness/alerts/nagios_config.hpp"

#include "smtp/ascii.hpp"

#include <stdexcept>

namespace harness::alerts {
namespace {

std::string_view first_word(std::string_view s)
{
    auto end = s.find_first_of(" \t{");
    return s.substr(0, end);
}

// The object type of a "define TYPE {" line, or empty.
std::string_view defined_type(std::string_view line)
{
    if (first_word(line) != "define") {
        return {};
    }
    return first_word(smtp::trim_blanks(line.substr(6)));
}

// The value of "directive value ; comment" without the comment (an unescaped ';' starts one).
std::string_view value_of(std::string_view line)
{
    auto rest = line.substr(first_word(line).size());
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == ';' && (i == 0 || rest[i - 1] != '\\')) {
            rest = rest.substr(0, i);
            break;
        }
    }
    return smtp::trim_blanks(rest);
}

bool runs_check_smtp(std::string_view command_line)
{
    auto program = first_word(command_line);
    auto slash = program.rfind('/');
    return program.substr(slash == std::string_view::npos ? 0 : slash + 1) == "check_smtp";
}

// The state of one definition while its lines go by.
struct definition {
    std::string type;
    bool has_address = false;
    bool recorded = false;
    bool template_only = false; // register 0: a template, not counted as a host or contact
};

std::string rewrite_line(std::string_view raw, definition& def, std::uint16_t port,
                         nagios_rewrite_counts& counts)
{
    const auto line = smtp::trim_blanks(raw);
    const auto key = first_word(line);
    const std::string indent(raw.substr(0, raw.find(key)));
    if (key == "register") {
        def.template_only = value_of(line) == "0";
    }
    if (def.type == "host" && key == "address") {
        def.has_address = true;
        return indent + "address 127.0.0.1 ; was: " + std::string(value_of(line));
    }
    if (def.type == "command" && key == "command_line" && runs_check_smtp(value_of(line))) {
        ++counts.check_commands;
        return indent + "command_line " + std::string(value_of(line)) + " -H 127.0.0.1 -p " +
               std::to_string(port);
    }
    if (def.type == "contact" &&
        (key == "service_notification_commands" || key == "host_notification_commands")) {
        def.recorded = true;
        return indent + std::string(key) + ' ' + std::string(nagios_recorder_command) +
               " ; was: " + std::string(value_of(line));
    }
    return std::string(raw);
}

} // namespace

std::string rewrite_nagios_objects(std::string_view text, std::uint16_t mock_port,
                                   nagios_rewrite_counts& counts)
{
    std::string out;
    definition def;
    bool inside = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        auto raw = text.substr(pos, eol == std::string_view::npos ? text.size() - pos : eol - pos);
        pos = eol == std::string_view::npos ? text.size() : eol + 1;
        const auto line = smtp::trim_blanks(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';') {
            out.append(raw).push_back('\n');
            continue;
        }
        if (!inside && !defined_type(line).empty()) {
            inside = true;
            def = definition{std::string(defined_type(line))};
            out.append(raw).push_back('\n');
            continue;
        }
        if (inside && line.front() == '}') {
            if (def.type == "host") {
                counts.hosts += def.template_only ? 0 : 1;
                if (!def.has_address) {
                    out += "    address 127.0.0.1\n";
                }
            }
            counts.contacts += def.recorded && !def.template_only ? 1 : 0;
            inside = false;
            out.append(raw).push_back('\n');
            continue;
        }
        out += inside ? rewrite_line(raw, def, mock_port, counts) : std::string(raw);
        out.push_back('\n');
    }
    return out;
}

std::optional<nagios_main_directive> find_main_directive(std::string_view objects)
{
    bool inside = false;
    std::size_t number = 0;
    for (auto rest = objects; !rest.empty();) {
        auto eol = rest.find('\n');
        const auto line = smtp::trim_blanks(rest.substr(0, eol));
        rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
        ++number;
        if (line.empty() || line.front() == '#' || line.front() == ';') {
            continue;
        }
        if (!inside && !defined_type(line).empty()) {
            inside = line.find('}') == std::string_view::npos;
        } else if (inside && line.front() == '}') {
            inside = false;
        } else if (!inside && first_word(line).find('=') != std::string_view::npos) {
            return nagios_main_directive{number, std::string(line)};
        }
    }
    return std::nullopt;
}

std::string nagios_main_config(const nagios_run_paths& p, int interval_length, int time_scale)
{
    auto at = [&](std::string_view name) {
        return p.file(name).string();
    };
    std::string c = "# The private main configuration of one smtp-harness alerts run.\n";
    for (const auto& f : p.object_files) {
        c += "cfg_file=" + f.string() + '\n';
    }
    c += "cfg_file=" + p.harness_objects.string() + '\n';
    c += "resource_file=" + at("resource.cfg") + '\n';
    c += "log_file=" + at("nagios.log") + '\n';
    c += "object_cache_file=" + at("objects.cache") + '\n';
    c += "precached_object_file=" + at("objects.precache") + '\n';
    c += "status_file=" + at("status.dat") + '\n';
    c += "status_update_interval=1\n";
    c += "nagios_user=" + p.user + "\nnagios_group=" + p.group + '\n';
    c += "check_external_commands=0\ncommand_file=" + at("nagios.cmd") + '\n';
    c += "lock_file=" + at("nagios.lock") + "\ntemp_file=" + at("nagios.tmp") + '\n';
    c += "temp_path=" + p.dir.string() + "\ncheck_result_path=" + at("spool") + '\n';
    c += "query_socket=" + at("nagios.qh") + '\n';
    c += "retain_state_information=0\nstate_retention_file=" + at("retention.dat") + '\n';
    c += "use_syslog=0\nlog_rotation_method=n\nlog_notifications=1\nlog_service_retries=1\n"
         "log_host_retries=1\nlog_initial_states=1\nlog_event_handlers=0\n"
         "log_passive_checks=0\nlog_external_commands=0\n";
    c += "interval_length=" + std::to_string(interval_length) + '\n';
    // Nagios reuses a host check result younger than the horizon (15 real seconds by default)
    // instead of running the check, even a scheduled one: scaled like the intervals, or a
    // host checked every scaled minute would be checked once.
    const auto horizon = std::to_string(15 / time_scale);
    c +=
        "cached_host_check_horizon=" + horizon + "\ncached_service_check_horizon=" + horizon + '\n';
    c += "enable_notifications=1\nenable_flap_detection=1\nenable_environment_macros=1\n"
         "execute_service_checks=1\nexecute_host_checks=1\nenable_event_handlers=0\n"
         "process_performance_data=0\n";
    c += "service_inter_check_delay_method=n\nhost_inter_check_delay_method=n\n"
         "max_service_check_spread=1\nmax_host_check_spread=1\n"
         "check_result_reaper_frequency=1\nauto_reschedule_checks=0\n";
    c += "illegal_macro_output_chars=`~$&|'\"<>\n";
    return c;
}

std::string nagios_resource_file()
{
    return "$USER1$=/usr/lib/nagios/plugins\n";
}

std::string nagios_harness_objects(const std::filesystem::path& script)
{
    return "define command {\n    command_name " + std::string(nagios_recorder_command) +
           "\n    command_line /bin/sh " + script.string() + "\n}\n";
}

std::string nagios_recorder_script(const std::filesystem::path& record)
{
    std::string s = "# Records one Nagios notification: the time, then the macros.\n"
                    "line=\"$(date +%s.%N)\"\n"
                    "for m in CONTACTNAME NOTIFICATIONTYPE HOSTNAME SERVICEDESC HOSTSTATE "
                    "HOSTSTATETYPE HOSTATTEMPT SERVICESTATE SERVICESTATETYPE SERVICEATTEMPT "
                    "MAXSERVICEATTEMPTS NOTIFICATIONNUMBER HOSTOUTPUT SERVICEOUTPUT; do\n"
                    "    eval v=\\\"\\$NAGIOS_$m\\\"\n"
                    "    line=\"$line\t$m=$(printf '%s' \"$v\" | tr '\\t\\n' '  ')\"\n"
                    "done\n";
    return s + "printf '%s\\n' \"$line\" >> '" + record.string() + "'\n";
}

int nagios_interval_length(int time_scale, int interval_length)
{
    if (interval_length < 1) {
        throw std::invalid_argument("--interval-length " + std::to_string(interval_length) +
                                    ": expected a whole number of seconds, at least 1");
    }
    if (time_scale < 1 || interval_length % time_scale != 0) {
        std::string scales;
        for (int n = 1; n <= interval_length; ++n) {
            if (interval_length % n == 0) {
                scales += (scales.empty()         ? ""
                           : n == interval_length ? " or "
                                                  : ", ") +
                          std::to_string(n);
            }
        }
        throw std::invalid_argument(
            "--time-scale " + std::to_string(time_scale) +
            ": Nagios counts intervals in whole seconds, so the scale must divide the "
            "configuration's interval_length of " +
            std::to_string(interval_length) + "s (--interval-length): " + scales);
    }
    return interval_length / time_scale;
}

} // namespace harness::alerts
