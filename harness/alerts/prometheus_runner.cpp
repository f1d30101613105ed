#include "harness/alerts/prometheus_runner.hpp"

#include "config/document_file.hpp"
#include "harness/alerts/document_reader.hpp"
#include "harness/alerts/prometheus_live.hpp"
#include "harness/alerts/timeline_runner.hpp"
#include "io/daemon.hpp"
#include "io/endpoint.hpp"
#include "io/http_client.hpp"
#include "io/http_target.hpp"
#include "io/process.hpp"
#include "mockserver/mock_app.hpp"
#include "prober/exporter_router.hpp"
#include "prober/report.hpp"
#include "prober/run_probe.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;
namespace pt = prometheus_text;

void require_tool(const std::string& path, const char* package, const char* option)
{
    if (::access(path.c_str(), X_OK) != 0) {
        throw alerts_file_error("cannot run " + path + ": it is not installed (Debian package " +
                                package + ": apt-get install " + package +
                                "), or give its path with " + option);
    }
}

// Runs a tool to completion; its output with stderr, without amtool's notes on its flags.
io::run_result run_tool(std::vector<std::string> argv, std::string& output)
{
    io::run_options o;
    o.process.argv = std::move(argv);
    o.process.stderr_mode = io::output_mode::merge;
    o.time_limit = std::chrono::seconds(300);
    o.output_limit = 4 * 1024 * 1024;
    auto r = io::run_process(o);
    if (!r.spawn_error.empty()) {
        throw std::runtime_error(r.spawn_error);
    }
    std::istringstream in(r.out.head);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Warning: --config.file flag overrides", 0) != 0) {
            output += line + '\n';
        }
    }
    return r;
}

// Throws with the tool's own message when it rejects `file`.
void check_with(const std::vector<std::string>& argv, const std::string& who,
                const std::string& file)
{
    std::string output;
    if (run_tool(argv, output).status.code != 0) {
        std::string indented;
        std::istringstream in(output);
        for (std::string line; std::getline(in, line);) {
            if (!line.empty()) {
                indented += "\n  " + line;
            }
        }
        throw alerts_file_error(who + " rejects " + file + " (" + argv[0] + ' ' + argv[1] +
                                (argv.size() > 3 ? ' ' + argv[2] : "") + "):" + indented);
    }
}

// The scrape's request target and the header Prometheus sends with it.
std::string probe_target(const prometheus_plan& plan, const std::string& target)
{
    return "/probe?target=" + target + "&module=" + plan.scrape.module;
}

io::http::header_field scrape_timeout_header(const prometheus_plan& plan)
{
    return {"X-Prometheus-Scrape-Timeout-Seconds",
            std::to_string(static_cast<double>(plan.scrape.scrape_timeout.count()) / 1000.0)};
}

// The probe one scrape of the job asks smtp-probe exporter for, aimed at `target`: the
// exporter's own planning, with the scrape timeout Prometheus would send.
prober::probe_plan plan_scrape(const prometheus_plan& plan, const std::string& target)
{
    io::http::request req;
    req.method = "GET";
    req.target = probe_target(plan, target);
    req.headers.push_back(scrape_timeout_header(plan));
    const auto parsed = io::http::parse_request_target(req.target);
    auto planned = prober::plan_probe(req, *parsed, plan.modules,
                                      probe_timeout_offset(plan.scrape.scrape_timeout));
    if (auto* refusal = std::get_if<io::http::response>(&planned)) {
        throw alerts_file_error(plan.modules_file.string() + ": " + refusal->body);
    }
    return std::get<prober::probe_plan>(planned);
}

// Values that are Unix times (a certificate's expiry) moved onto the virtual clock, so that
// `probe_ssl_earliest_cert_expiry - time()` keeps the distance it really has.
void to_virtual_clock(std::vector<pt::sample>& samples, ms virtual_now)
{
    const auto now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (auto& s : samples) {
        if (s.name != "probe_ssl_earliest_cert_expiry") {
            continue;
        }
        double v = 0;
        if (std::from_chars(s.value.data(), s.value.data() + s.value.size(), v).ec == std::errc()) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3f",
                          v - now + static_cast<double>(virtual_now.count()) / 1000.0);
            s.value = buf;
        }
    }
}

std::string value_of(const std::vector<pt::sample>& samples, std::string_view name)
{
    for (const auto& s : samples) {
        if (s.name == name) {
            return s.value;
        }
    }
    return "-";
}

// One scrape: the exposition, or nothing when the scrape failed (up 0).
using scrape_fn = std::function<std::optional<std::string>()>;

// Scrapes of `target` by the exporter's probe in this process, or over HTTP from plan.exporter.
scrape_fn scraper(const prometheus_plan& plan, const std::string& target)
{
    if (plan.exporter.empty()) {
        return [probe = plan_scrape(plan, target)]() -> std::optional<std::string> {
            return prober::probe_answer(prober::run_probe(probe.options), probe).body;
        };
    }
    return [&plan, target]() -> std::optional<std::string> {
        io::http::client_request req;
        req.url = "http://" + plan.exporter + probe_target(plan, target);
        req.headers.push_back(scrape_timeout_header(plan));
        req.content_type.clear();
        req.timeout = plan.scrape.scrape_timeout;
        auto r = io::http::fetch(std::move(req));
        if (r.ec || !r.error.empty() || r.status != 200) {
            return std::nullopt;
        }
        return std::move(r.body);
    };
}

// Probes the mock once per scrape interval of virtual time, switching scenarios at the steps'
// virtual times; fills the series and the steps' (virtual) times.
scraped_series scrape_timeline(const prometheus_plan& plan, step_times& times,
                               const std::function<void(const std::string&)>& progress)
{
    auto target = start_timeline_mock(plan.scenarios.front(), false);
    const auto smtp = io::to_string(target->endpoints().smtp.at(0));
    const auto scrape = scraper(plan, smtp);
    progress("mock at " + smtp + ", probed as " + plan.scrape.instance + " by job " +
             plan.scrape.name + " (module " + plan.scrape.module + ") of " +
             (plan.exporter.empty() ? std::string("smtp-probe exporter")
                                    : "the exporter at " + plan.exporter) +
             " every " + seconds_text(plan.scrape.scrape_interval) + " of virtual time");
    scraped_series series;
    ms t{0}, step_start{0};
    for (std::size_t i = 0; i < plan.tl.steps.size(); ++i) {
        const auto& step = plan.tl.steps[i];
        if (i > 0) {
            target->set_scenario(plan.scenarios[i]);
        }
        std::map<std::string, int> success; // probe_success value -> scrapes
        for (; t < step_start + step.duration; t += plan.scrape.scrape_interval) {
            const auto answer = scrape();
            auto samples = pt::parse_samples(answer.value_or(""));
            ++success[answer ? value_of(samples, "probe_success") : "(scrape failed)"];
            to_virtual_clock(samples, t);
            series.add_scrape(plan.scrape, samples, answer.has_value());
        }
        std::string seen;
        for (const auto& [v, n] : success) {
            seen += (seen.empty() ? "" : ", ") + std::to_string(n) + "x " + v;
        }
        times.start.push_back(step_start);
        step_start += step.duration;
        times.end.push_back(step_start);
        progress('[' + seconds_text(times.start.back()) + "] step " + std::to_string(i + 1) + '/' +
                 std::to_string(plan.tl.steps.size()) + ' ' + step.id + ": " + step.scenario +
                 " for " + seconds_text(step.duration) + ", probe_success " +
                 (seen.empty() ? "not scraped" : seen));
    }
    return series;
}

// The receivers Alertmanager's routing tree picks for an alert's labels.
std::vector<std::string> receivers(const prometheus_plan& plan, const pt::label_set& labels)
{
    if (plan.alertmanager_config.empty()) {
        return {"prometheus"};
    }
    std::vector<std::string> argv{plan.amtool, "config", "routes", "test",
                                  "--config.file=" + plan.alertmanager_config.string()};
    for (const auto& [k, v] : labels) {
        argv.push_back(k + "=\"" + pt::label_value(v) + '"');
    }
    std::string output;
    if (run_tool(argv, output).status.code != 0) {
        throw std::runtime_error("amtool config routes test failed: " + output);
    }
    std::vector<std::string> out;
    std::istringstream in(output.substr(0, output.find('\n')));
    for (std::string name; std::getline(in, name, ',');) {
        if (!name.empty()) {
            out.push_back(name);
        }
    }
    return out;
}

void run_virtual(const prometheus_plan& given, alerts_run_result& result,
                 const std::function<void(const std::string&)>& progress)
{
    const run_directory dir;
    auto plan = given;
    if (plan.time_scale != 1) {
        plan.scrape = scaled_job(given, dir);
    }
    const auto blackbox =
        plan.blackbox_config.empty() ? nullptr : start_blackbox_exporter(plan, dir);
    const auto series = scrape_timeline(plan, result.times, progress);
    const auto evaluations =
        static_cast<std::size_t>(plan.tl.total() / plan.scrape.evaluation_interval) + 1;
    const auto test_file = dir.file("promtool-test.yml");
    std::ofstream(test_file) << promtool_test_document(plan.scrape, series, evaluations);
    std::string output;
    const auto r = run_tool({plan.promtool, "test", "rules", test_file}, output);
    if (r.status.code != 0 && output.find("got: {") == std::string::npos) {
        throw std::runtime_error("promtool test rules failed:\n" + output);
    }
    progress(std::to_string(series.scrapes()) + " scrapes, " + std::to_string(evaluations) +
             " rule evaluations every " + seconds_text(plan.scrape.evaluation_interval) +
             " by promtool test rules");
    const auto episodes =
        alert_episodes(firing_from_promtool(output, evaluations), plan.scrape.evaluation_interval);
    std::map<pt::label_set, std::vector<std::string>> routes;
    result.captured = routed_alerts(episodes, [&](const pt::label_set& labels) {
        auto& to = routes[labels];
        if (to.empty()) {
            to = receivers(plan, labels);
        }
        return to;
    });
    for (const auto& e : episodes) {
        std::string to;
        for (const auto& name : routes[e.labels]) {
            to += (to.empty() ? "" : ", ") + name;
        }
        progress('[' + seconds_text(e.fired) + "] fires {" + labels_text(e.labels) + "} -> " + to +
                 (e.resolved ? "; resolved at " + seconds_text(*e.resolved) : ""));
    }
}

// blackbox_exporter's own check of its configuration, and the job's module in it.
void check_blackbox_config(const prometheus_plan& plan)
{
    const auto file = plan.blackbox_config.string();
    require_tool(plan.blackbox, "prometheus-blackbox-exporter", "--blackbox-exporter");
    check_with({plan.blackbox, "--config.check", "--config.file=" + file}, "blackbox_exporter",
               file);
    try {
        const auto rd = detail::document_reader(file);
        const auto root = rd.parse(config::read_document_file(plan.blackbox_config)).node;
        const auto modules = root["modules"];
        if (modules && modules.IsMap() && modules[plan.scrape.module]) {
            return;
        }
        std::string names;
        for (const auto& kv : modules&& modules.IsMap() ? modules : YAML::Node()) {
            names += (names.empty() ? "" : ", ") + kv.first.as<std::string>();
        }
        throw alerts_file_error(plan.prometheus_config.string() + ": job " + plan.scrape.name +
                                " asks for module \"" + plan.scrape.module + "\", which " + file +
                                " does not define; modules: " + names);
    } catch (const config::error& e) {
        throw alerts_file_error(e.what());
    }
}

} // namespace

void verify_prometheus_files(prometheus_plan& plan)
{
    require_tool(plan.promtool, "prometheus", "--promtool");
    if (!plan.alertmanager_config.empty()) {
        require_tool(plan.amtool, "prometheus-alertmanager", "--amtool");
    }
    if (plan.live) {
        require_tool(plan.prometheus, "prometheus", "--prometheus");
        if (!plan.alertmanager_config.empty()) {
            require_tool(plan.alertmanager, "prometheus-alertmanager", "--alertmanager");
        }
    }
    check_with({plan.promtool, "check", "config", plan.prometheus_config.string()}, "Prometheus",
               plan.prometheus_config.string() + " or a rule file it names");
    if (!plan.alertmanager_config.empty()) {
        check_with({plan.amtool, "check-config", plan.alertmanager_config.string()}, "Alertmanager",
                   plan.alertmanager_config.string());
    }
    plan.scrape = load_prometheus_job_file(plan.prometheus_config, plan.job);
    if (!plan.blackbox_config.empty()) {
        check_blackbox_config(plan);
        return;
    }
    if (!plan.exporter.empty()) {
        return; // the exporter knows its modules
    }
    try {
        plan.modules = prober::load_exporter_modules_file(plan.modules_file);
    } catch (const prober::modules_error& e) {
        throw alerts_file_error(e.what());
    }
    if (plan.modules.find(plan.scrape.module) == nullptr) {
        throw alerts_file_error(plan.prometheus_config.string() + ": job " + plan.scrape.name +
                                " asks for module \"" + plan.scrape.module + "\", which " +
                                plan.modules_file.string() +
                                " does not define; modules: " + plan.modules.names());
    }
}

alerts_run_result run_prometheus_virtual(const prometheus_plan& plan,
                                         const std::function<void(const std::string&)>& progress)
{
    auto result = judged_run(plan.tl, plan.expectations,
                             [&](alerts_run_result& r) { run_virtual(plan, r, progress); });
    if (plan.time_scale != 1) {
        result.time_scale = make_time_scale(plan.time_scale, 0, plan.expectations);
    }
    return result;
}

} // namespace harness::alerts
