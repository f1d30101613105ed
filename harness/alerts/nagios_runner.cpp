#include "harness/alerts/nagios_runner.hpp"

#include "harness/alerts/nagios_config.hpp"
#include "harness/alerts/nagios_events.hpp"
#include "harness/alerts/timeline_runner.hpp"
#include "io/daemon.hpp"
#include "io/endpoint.hpp"
#include "io/process.hpp"
#include "mockserver/mock_app.hpp"

#include <algorithm>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sstream>
#include <unistd.h>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

void write_file(const std::filesystem::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + file.string());
    }
}

std::string read_file(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void require_binary(const std::string& nagios)
{
    if (::access(nagios.c_str(), X_OK) != 0) {
        throw alerts_file_error("cannot run " + nagios +
                                ": Nagios 4 is not installed (Debian package nagios4-core: "
                                "apt-get install nagios4-core), or give its path with --nagios");
    }
}

// The run directory's files for the plan's object files, pointed at `port`.
nagios_run_paths write_configuration(const nagios_plan& plan, const run_directory& dir,
                                     std::uint16_t port, int interval_length,
                                     nagios_rewrite_counts& counts)
{
    nagios_run_paths p;
    p.dir = dir.path();
    const auto* pw = ::getpwuid(::getuid());
    const auto* gr = ::getgrgid(::getgid());
    p.user = pw != nullptr ? pw->pw_name : std::to_string(::getuid());
    p.group = gr != nullptr ? gr->gr_name : std::to_string(::getgid());
    for (std::size_t i = 0; i < plan.object_files.size(); ++i) {
        const auto& source = plan.object_files[i];
        std::ifstream in(source, std::ios::binary);
        if (!in) {
            throw alerts_file_error("cannot read " + source.string());
        }
        std::ostringstream text;
        text << in.rdbuf();
        if (auto directive = find_main_directive(text.str())) {
            const bool include = directive->text.starts_with("include_");
            throw alerts_file_error(
                source.string() + ':' + std::to_string(directive->line) + ": \"" + directive->text +
                "\" " +
                (include ? "includes files the run would not point at the mock: give them to "
                           "--nagios-config instead"
                         : "belongs in Nagios's main configuration (nagios.cfg), which the run "
                           "writes itself: give --nagios-config the object files and "
                           "directories your nagios.cfg names with cfg_file and cfg_dir, and "
                           "its interval_length with --interval-length"));
        }
        auto file = p.file("objects-" + std::to_string(i + 1) + '-' + source.filename().string());
        write_file(file, rewrite_nagios_objects(text.str(), port, counts));
        p.object_files.push_back(file);
    }
    std::filesystem::create_directories(p.file("spool"));
    write_file(p.file("record-notification.sh"), nagios_recorder_script(p.file("notifications")));
    p.harness_objects = p.file("smtp-harness.cfg");
    write_file(p.harness_objects, nagios_harness_objects(p.file("record-notification.sh")));
    write_file(p.file("resource.cfg"), nagios_resource_file());
    write_file(p.file("nagios.cfg"), nagios_main_config(p, interval_length, plan.time_scale));
    return p;
}

// Nagios's verdict on its configuration: the lines of `nagios4 -v` that say what is wrong, with
// the run's copies of the object files named by the user's files (the rewrite keeps their
// lines, except that a host without an address gains one before its closing brace).
std::string verification_errors(const std::string& output, const nagios_plan& plan,
                                const nagios_run_paths& paths)
{
    std::string out;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        if (line.find("Error") == std::string::npos && line.find("Warning:") != 0) {
            continue;
        }
        for (std::size_t i = 0; i < paths.object_files.size(); ++i) {
            const auto copy = paths.object_files[i].string();
            for (auto at = line.find(copy); at != std::string::npos; at = line.find(copy)) {
                line.replace(at, copy.size(), plan.object_files[i].string());
            }
        }
        out += "\n  " + line;
    }
    return out.empty() ? "\n" + output : out;
}

void verify_in(const nagios_plan& plan, const nagios_run_paths& paths)
{
    io::run_options o;
    o.process.argv = {plan.nagios, "-v", paths.file("nagios.cfg").string()};
    o.process.stderr_mode = io::output_mode::merge;
    o.time_limit = std::chrono::seconds(30);
    auto r = io::run_process(o);
    if (!r.spawn_error.empty()) {
        throw alerts_file_error(r.spawn_error);
    }
    if (r.status.code != 0) {
        throw alerts_file_error("Nagios rejects the configuration (" + plan.nagios +
                                " -v):" + verification_errors(r.out.head, plan, paths));
    }
}

// Waits (up to 30 s) for Nagios to write its first status file, which it does once its event
// loop runs, unless a stop is requested first.
void wait_until_running(const io::daemon& daemon, const nagios_run_paths& paths,
                        const std::stop_token& stop)
{
    daemon.wait_until_ready(
        [&] {
            if (stop.stop_requested()) {
                throw timeline_stopped("stopped while nagios4 was starting");
            }
            return std::filesystem::exists(paths.file("status.dat"));
        },
        std::chrono::seconds(30),
        [&] { return "its log:\n" + read_file(paths.file("nagios.log")); });
}

std::vector<captured_alert> collect(const nagios_run_paths& paths, system_clock::time_point wall)
{
    std::vector<captured_alert> out;
    std::ifstream record(paths.file("notifications"));
    for (std::string line; std::getline(record, line);) {
        if (auto a = alert_from_nagios_record(line, wall)) {
            out.push_back(std::move(*a));
        }
    }
    std::ifstream log(paths.file("nagios.log"));
    for (std::string line; std::getline(log, line);) {
        if (auto a = alert_from_nagios_log(line, wall)) {
            out.push_back(std::move(*a));
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const captured_alert& a, const captured_alert& b) { return a.t < b.t; });
    return out;
}

void run(const nagios_plan& plan, alerts_run_result& result,
         const std::function<void(const std::string&)>& progress)
{
    require_binary(plan.nagios);
    const auto interval_length = nagios_interval_length(plan.time_scale, plan.interval_length);
    const auto scenarios = plan.scenarios.empty() ? load_step_scenarios(plan.tl) : plan.scenarios;
    const run_directory dir;
    auto target = start_timeline_mock(scenarios.front(), true);
    const auto smtp = target->endpoints().smtp.at(0);
    nagios_rewrite_counts counts;
    auto paths = write_configuration(plan, dir, smtp.port(), interval_length, counts);
    progress("mock at " + io::to_string(smtp) + " (control " +
             io::to_string(*target->endpoints().control) + "); " + std::to_string(counts.hosts) +
             " host(s) pointed at it, " + std::to_string(counts.check_commands) +
             " check_smtp command(s) given -H 127.0.0.1 -p " + std::to_string(smtp.port()) + ", " +
             std::to_string(counts.contacts) + " contact(s) notifying the recorder");
    verify_in(plan, paths);
    io::process_options o;
    o.argv = {plan.nagios, paths.file("nagios.cfg").string()};
    o.working_directory = dir.path().string();
    o.stdout_mode = io::output_mode::discard; // it logs to nagios.log
    o.stderr_mode = io::output_mode::discard;
    // Stopped with SIGTERM, so that Nagios ends its worker processes (which leave its process
    // group) itself; SIGKILL to the group if it has not exited within 10 s.
    io::daemon daemon(o, "nagios4");
    wait_until_running(daemon, paths, plan.stop);
    progress("nagios4 running in " + dir.path().string() +
             " (interval_length=" + std::to_string(interval_length) + ")");
    const auto epoch = steady_clock::now();
    const auto wall_epoch = system_clock::now();
    std::optional<timeline_stopped> stopped; // what Nagios said until then is still collected
    try {
        drive_timeline(plan.tl, scenarios, *target, epoch, result.times, progress, plan.stop);
    } catch (const timeline_stopped& e) {
        stopped = e;
    }
    // Where each host and service stands at the end, as Nagios last wrote it (every second).
    auto final_states =
        alerts_from_nagios_status(read_file(paths.file("status.dat")),
                                  std::chrono::duration_cast<ms>(steady_clock::now() - epoch));
    const bool died = daemon.exited();
    auto ended = daemon.stop();
    if (daemon.left_running()) {
        progress("warning: a process of nagios4's process group (" + std::to_string(daemon.pid()) +
                 ") still runs after it was stopped");
    }
    progress('[' + seconds_text(std::chrono::duration_cast<ms>(steady_clock::now() - epoch)) +
             (stopped ? "] interrupted" : "] timeline done") + ", nagios4 stopped");
    result.captured = collect(paths, wall_epoch);
    result.captured.insert(result.captured.end(), final_states.begin(), final_states.end());
    if (stopped) {
        throw *stopped;
    }
    if (died) {
        auto log = read_file(paths.file("nagios.log"));
        throw std::runtime_error("nagios4 stopped during the run (" + ended.describe() +
                                 "); the end of its log:\n" +
                                 log.substr(log.size() > 2000 ? log.size() - 2000 : 0));
    }
}

} // namespace

std::vector<std::filesystem::path>
nagios_object_files(const std::vector<std::filesystem::path>& paths)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> out;
    for (const auto& path : paths) {
        std::error_code ec;
        if (!fs::is_directory(path, ec)) {
            if (!fs::exists(path, ec)) {
                throw alerts_file_error(path.string() + ": no such file or directory");
            }
            out.push_back(path);
            continue;
        }
        std::vector<fs::path> found;
        for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
             it.increment(ec)) {
            if (it->path().extension() == ".cfg" && !it->is_directory()) {
                found.push_back(it->path());
            }
        }
        if (ec) {
            throw alerts_file_error(path.string() + ": " + ec.message());
        }
        if (found.empty()) {
            throw alerts_file_error(path.string() +
                                    ": a directory with no .cfg file (Nagios reads only those)");
        }
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

void verify_nagios_config(const nagios_plan& plan)
{
    require_binary(plan.nagios);
    const run_directory dir;
    nagios_rewrite_counts counts;
    verify_in(plan, write_configuration(
                        plan, dir, 25,
                        nagios_interval_length(plan.time_scale, plan.interval_length), counts));
}

std::vector<std::string> time_scale_lines(const nagios_plan& plan)
{
    const int n = plan.time_scale;
    const int length = nagios_interval_length(n, plan.interval_length);
    std::vector<std::string> out;
    out.push_back("time scale " + std::to_string(n) + ": interval_length " +
                  std::to_string(length) + "s instead of " + std::to_string(plan.interval_length) +
                  "s, so 1s of this run stands for " + real_time(ms(1000), n) +
                  " of real time; the timeline's " + seconds_text(plan.tl.total()) + " stand for " +
                  real_time(plan.tl.total(), n));
    for (const auto& s : plan.tl.steps) {
        out.push_back("  step " + s.id + ": " + seconds_text(s.duration) + " = " +
                      real_time(s.duration, n));
    }
    for (const auto& [name, windows] : make_time_scale(n, length, plan.expectations).windows) {
        out.push_back("  " + name + ": " + windows + " of real time");
    }
    return out;
}

alerts_run_result run_nagios_timeline(const nagios_plan& plan,
                                      const std::function<void(const std::string&)>& progress)
{
    auto result = judged_run(plan.tl, plan.expectations,
                             [&](alerts_run_result& r) { run(plan, r, progress); });
    result.time_scale = make_time_scale(
        plan.time_scale, nagios_interval_length(plan.time_scale, plan.interval_length),
        plan.expectations);
    return result;
}

} // namespace harness::alerts
