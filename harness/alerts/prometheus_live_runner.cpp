// Live `smtp-harness alerts --prometheus-config` runs: the mock, the monitor, a real Prometheus
// and a real Alertmanager, each a daemon of the run (io::daemon) on loopback in its temporary
// directory; see prometheus_runner.hpp.

#include "config/document_file.hpp"
#include "harness/alerts/prometheus_live.hpp"
#include "harness/alerts/prometheus_runner.hpp"
#include "harness/alerts/timeline_runner.hpp"
#include "harness/alerts/webhook_receiver.hpp"
#include "io/daemon.hpp"
#include "io/endpoint.hpp"
#include "io/http_client.hpp"
#include "mockserver/mock_app.hpp"

#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;
namespace fs = std::filesystem;

void write_file(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + file.string());
    }
}

// The end of a daemon's log, for an error.
std::string log_tail(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    const auto text = s.str();
    return text.substr(text.size() > 2000 ? text.size() - 2000 : 0);
}

// A port of 127.0.0.1 that nothing listens on now, for a daemon that cannot report the port it
// bound (Prometheus and Alertmanager log the address they were given).
std::uint16_t free_loopback_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    if (fd >= 0) {
        ::close(fd);
    }
    if (!ok) {
        throw std::runtime_error("cannot find a free port on 127.0.0.1");
    }
    return ntohs(a.sin_port);
}

bool answers(const std::string& url)
{
    io::http::client_request req;
    req.method = "GET";
    req.url = url;
    req.content_type.clear();
    req.timeout = ms(1000);
    const auto r = io::http::fetch(std::move(req));
    return !r.ec && r.error.empty() && r.status == 200;
}

// smtp-probe: the plan's, else the one installed beside smtp-harness (PREFIX/bin), else the one
// built beside it (build/prober), else the one on PATH.
std::string smtp_probe_program(const prometheus_plan& plan)
{
    if (!plan.smtp_probe.empty()) {
        return plan.smtp_probe;
    }
    std::error_code ec;
    const auto dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    for (const auto& candidate :
         {dir / "smtp-probe", dir.parent_path() / "prober" / "smtp-probe"}) {
        if (!ec && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
    }
    return "smtp-probe";
}

// One HTTP daemon of the run, listening on 127.0.0.1:port, with its log in the run directory.
struct run_daemon {
    std::string name;
    std::string address;
    fs::path log;
    std::unique_ptr<io::daemon> process;
};

// Starts `argv` and waits (up to 30 s) until GET `ready_path` answers 200.
run_daemon start_daemon(const std::string& name, std::vector<std::string> argv,
                        const run_directory& dir, std::uint16_t port, const std::string& ready_path)
{
    run_daemon d{name, "127.0.0.1:" + std::to_string(port), dir.path() / (name + ".log"), nullptr};
    io::process_options o;
    o.argv = std::move(argv);
    o.working_directory = dir.path().string();
    o.stdout_mode = io::output_mode::file;
    o.stderr_mode = io::output_mode::file;
    o.output_file = d.log.string();
    d.process = std::make_unique<io::daemon>(o, name);
    const auto url = "http://" + d.address + ready_path;
    d.process->wait_until_ready([&] { return answers(url); }, std::chrono::seconds(30),
                                [&] { return "its log:\n" + log_tail(d.log); });
    return d;
}

// The user's rule files, scaled, in the run directory.
std::vector<fs::path> write_rule_files(const prometheus_plan& plan, const run_directory& dir)
{
    std::vector<fs::path> out;
    for (std::size_t i = 0; i < plan.scrape.rule_files.size(); ++i) {
        const auto& f = plan.scrape.rule_files[i];
        std::string text;
        try {
            text = config::read_document_file(f);
        } catch (const config::error& e) {
            throw alerts_file_error(e.what());
        }
        out.push_back(dir.path() /
                      ("rules-" + std::to_string(i + 1) + '-' + f.filename().string()));
        write_file(out.back(), scaled_rule_file(text, f.string(), plan.time_scale));
    }
    return out;
}

std::string read_config(const fs::path& file)
{
    try {
        return config::read_document_file(file);
    } catch (const config::error& e) {
        throw alerts_file_error(e.what());
    }
}

// Every daemon of a live run, started in order: monitor, Alertmanager, Prometheus.
struct live_daemons {
    std::optional<run_daemon> exporter;
    std::optional<run_daemon> alertmanager;
    std::optional<run_daemon> prometheus;
};

run_daemon start_exporter(const prometheus_plan& plan, const run_directory& dir)
{
    const auto port = free_loopback_port();
    const auto offset = probe_timeout_offset(live_scrape_timeout(plan.scrape, plan.time_scale));
    return start_daemon("smtp-probe-exporter",
                        {smtp_probe_program(plan), "exporter", "--config",
                         fs::absolute(plan.modules_file).string(), "--listen",
                         "127.0.0.1:" + std::to_string(port), "--timeout-offset",
                         std::to_string(offset.count()) + "ms"},
                        dir, port, "/-/healthy");
}

run_daemon start_alertmanager(const prometheus_plan& plan, const run_directory& dir,
                              const live_capture& capture)
{
    const auto file = dir.path() / "alertmanager.yml";
    write_file(file, live_alertmanager_config(read_config(plan.alertmanager_config),
                                              plan.alertmanager_config.string(),
                                              fs::absolute(plan.alertmanager_config).parent_path(),
                                              capture, plan.time_scale));
    const auto port = free_loopback_port();
    // --cluster.listen-address= turns the gossip cluster off: no port beyond loopback's one.
    return start_daemon("alertmanager",
                        {plan.alertmanager, "--config.file=" + file.string(),
                         "--storage.path=" + (dir.path() / "alertmanager-data").string(),
                         "--web.listen-address=127.0.0.1:" + std::to_string(port),
                         "--cluster.listen-address="},
                        dir, port, "/-/ready");
}

run_daemon start_prometheus(const prometheus_plan& plan, const run_directory& dir,
                            const live_endpoints& endpoints)
{
    const auto file = dir.path() / "prometheus.yml";
    write_file(file, live_prometheus_config(read_config(plan.prometheus_config),
                                            plan.prometheus_config.string(), plan.scrape, endpoints,
                                            write_rule_files(plan, dir), plan.time_scale));
    const auto port = free_loopback_port();
    return start_daemon("prometheus",
                        {plan.prometheus, "--config.file=" + file.string(),
                         "--storage.tsdb.path=" + (dir.path() / "prometheus-data").string(),
                         "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                        dir, port, "/-/ready");
}

// Every notification captured, as changes, with times from the timeline's start (the receiver
// started `receiver_offset` before it; the mail sink stamps wall-clock times).
std::vector<captured_alert> collect(const webhook_receiver& receiver, ms receiver_offset,
                                    mock::mock_app* sink, system_clock::time_point wall_epoch)
{
    std::vector<captured_alert> all;
    for (const auto& post : receiver.received()) {
        const auto t = post.t - receiver_offset;
        const auto name = post.target.substr(std::string("/hook/").size());
        auto alerts = name.starts_with("prometheus/")
                          ? alerts_from_prometheus(post.body, t, wall_epoch + t)
                          : alerts_from_webhook(name, post.body, t);
        all.insert(all.end(), alerts.begin(), alerts.end());
    }
    if (sink != nullptr) {
        for (const auto& m : sink->store().list()) {
            auto alerts = alerts_from_alertmanager_email(
                m->data, std::chrono::duration_cast<ms>(m->received_at - wall_epoch));
            all.insert(all.end(), alerts.begin(), alerts.end());
        }
    }
    return alert_transitions(std::move(all));
}

// Throws when a daemon stopped during the run, with the end of its log.
void check_alive(const std::optional<run_daemon>& d)
{
    if (d && d->process->exited()) {
        const auto ended = d->process->stop();
        throw std::runtime_error(d->name + " stopped during the run (" + ended.describe() +
                                 "); the end of its log:\n" + log_tail(d->log));
    }
}

void stop_all(live_daemons& d, const std::function<void(const std::string&)>& progress)
{
    for (auto* one : {&d.prometheus, &d.alertmanager, &d.exporter}) {
        check_alive(*one);
        if (*one) {
            (*one)->process->stop();
            if ((*one)->process->left_running()) {
                progress("warning: a process of " + (*one)->name + "'s process group still runs");
            }
        }
    }
}

void run_live(const prometheus_plan& given, alerts_run_result& result,
              const std::function<void(const std::string&)>& progress)
{
    const run_directory dir;
    auto plan = given;
    const auto blackbox =
        plan.blackbox_config.empty() ? nullptr : start_blackbox_exporter(plan, dir);
    auto target = start_timeline_mock(plan.scenarios.front(), true);
    const bool routed = !plan.alertmanager_config.empty();
    auto sink = routed ? start_timeline_mock(faults::healthy_scenario(), false) : nullptr;
    const auto receiver_epoch = steady_clock::now();
    webhook_receiver receiver(receiver_epoch);
    live_endpoints endpoints;
    endpoints.target = io::to_string(target->endpoints().smtp.at(0));
    live_daemons d;
    if (plan.exporter.empty()) {
        d.exporter = start_exporter(plan, dir);
    }
    endpoints.monitor = d.exporter ? d.exporter->address : plan.exporter;
    const auto hooks = receiver.base_url();
    if (routed) {
        d.alertmanager =
            start_alertmanager(plan, dir, {hooks, io::to_string(sink->endpoints().smtp.at(0))});
        endpoints.alertmanager = d.alertmanager->address;
    } else {
        endpoints.alertmanager = hooks.substr(std::string("http://").size());
        endpoints.alertmanager_path_prefix = "/hook/prometheus";
    }
    d.prometheus = start_prometheus(plan, dir, endpoints);
    progress("mock at " + endpoints.target + ", probed as " + plan.scrape.instance + " by job " +
             plan.scrape.name + " (module " + plan.scrape.module + ") of " +
             (d.exporter ? "smtp-probe exporter at " : "the exporter at ") + endpoints.monitor);
    progress("prometheus at " + d.prometheus->address +
             (routed ? ", alertmanager at " + d.alertmanager->address + ", webhooks at " + hooks +
                           ", mail sink at " + io::to_string(sink->endpoints().smtp.at(0))
                     : ", its alerts captured at " + hooks + "/hook/prometheus") +
             ", files in " + dir.path().string());
    const auto epoch = steady_clock::now();
    const auto wall_epoch = system_clock::now();
    drive_timeline(plan.tl, plan.scenarios, *target, epoch, result.times, progress, plan.stop);
    stop_all(d, progress);
    progress('[' + seconds_text(std::chrono::duration_cast<ms>(steady_clock::now() - epoch)) +
             "] timeline done, daemons stopped");
    receiver.stop();
    result.captured = collect(receiver, std::chrono::duration_cast<ms>(epoch - receiver_epoch),
                              sink.get(), wall_epoch);
}

} // namespace

std::unique_ptr<io::daemon> start_blackbox_exporter(prometheus_plan& plan, const run_directory& dir)
{
    const auto port = free_loopback_port();
    auto d =
        start_daemon("prometheus-blackbox-exporter",
                     {plan.blackbox, "--config.file=" + fs::absolute(plan.blackbox_config).string(),
                      "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                     dir, port, "/-/healthy");
    plan.exporter = d.address;
    return std::move(d.process);
}

prometheus_job scaled_job(const prometheus_plan& plan, const run_directory& dir)
{
    auto job = plan.scrape;
    const auto n = plan.time_scale;
    job.scrape_timeout = live_scrape_timeout(job, n);
    job.scrape_interval = std::max(job.scrape_interval / n, ms(1));
    job.evaluation_interval = std::max(job.evaluation_interval / n, ms(1));
    job.rule_files = write_rule_files(plan, dir);
    return job;
}

std::vector<std::string> prometheus_time_scale_lines(const prometheus_plan& plan)
{
    const int n = plan.time_scale;
    std::vector<std::string> out;
    if (n == 1) {
        return out;
    }
    const auto& j = plan.scrape;
    out.push_back("time scale " + std::to_string(n) + ": scrape every " +
                  seconds_text(std::max(j.scrape_interval / n, ms(1))) + " instead of " +
                  seconds_text(j.scrape_interval) + ", rules evaluated every " +
                  seconds_text(std::max(j.evaluation_interval / n, ms(1))) + " instead of " +
                  seconds_text(j.evaluation_interval) +
                  ", for: and Alertmanager's timers divided by " + std::to_string(n) +
                  ", so 1s of this run stands for " + real_time(ms(1000), n) +
                  " of real time; the timeline's " + seconds_text(plan.tl.total()) + " stand for " +
                  real_time(plan.tl.total(), n));
    for (const auto& s : plan.tl.steps) {
        out.push_back("  step " + s.id + ": " + seconds_text(s.duration) + " = " +
                      real_time(s.duration, n));
    }
    for (const auto& [name, windows] : make_time_scale(n, 0, plan.expectations).windows) {
        out.push_back("  " + name + ": " + windows + " of real time");
    }
    return out;
}

alerts_run_result run_prometheus_live(const prometheus_plan& plan,
                                      const std::function<void(const std::string&)>& progress)
{
    auto result = judged_run(plan.tl, plan.expectations,
                             [&](alerts_run_result& r) { run_live(plan, r, progress); });
    if (plan.time_scale != 1) {
        result.time_scale = make_time_scale(plan.time_scale, 0, plan.expectations);
    }
    return result;
}

} // namespace harness::alerts
