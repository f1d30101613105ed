#include "harness/alerts/alerts_cli.hpp"

#include "harness/alerts/nagios_runner.hpp"
#include "harness/alerts/prometheus_runner.hpp"
#include "harness/alerts/timeline_runner.hpp"
#include "io/stop_signals.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

namespace harness::alerts {
namespace {

bool write_report(const std::string& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) {
        std::printf("cannot write %s\n", file.c_str());
        return false;
    }
    return true;
}

// $SMTPH_CATALOG_DIR when set, else the catalog of the source tree this was built from.
std::string default_catalog()
{
    if (const char* env = std::getenv("SMTPH_CATALOG_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
#ifdef SMTPH_ALERTS_CATALOG_DIR
    return SMTPH_ALERTS_CATALOG_DIR;
#else
    return "faults/catalog";
#endif
}

// The timeline, each step's scenario and the expectations, into any kind of run's plan.
template <class Plan>
void load_run_files(Plan& plan, const std::string& timeline_file, const std::string& expect_file,
                    const std::string& catalog)
{
    plan.tl = load_timeline_file(timeline_file, catalog);
    plan.scenarios = load_step_scenarios(plan.tl);
    if (!expect_file.empty()) {
        plan.expectations = load_expectations_file(expect_file, plan.tl);
    }
}

// The first line of a run: the timeline, what it runs (`what`) and the expectations.
template <class Plan> void print_first_line(const Plan& plan, const std::string& what)
{
    std::printf(
        "timeline %s: %zu steps, %.1fs; %s%s\n", plan.tl.name.c_str(), plan.tl.steps.size(),
        static_cast<double>(plan.tl.total().count()) / 1000.0, what.c_str(),
        plan.expectations
            ? (", " + std::to_string(plan.expectations->items.size()) + " expectations").c_str()
            : "");
}

// What a run reports as it goes: each line printed at once, or nothing with --quiet.
std::function<void(const std::string&)> progress_printer(bool quiet)
{
    return [quiet](const std::string& line) {
        if (!quiet) {
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
        }
    };
}

// Prints the tables, writes the reports; the exit code of the run: 128 + the signal for a run
// that SIGINT or SIGTERM stopped (`signals`, when the run caught them).
int finish(alerts_run_result result, const std::string& junit, const std::string& json,
           const io::stop_signals* signals = nullptr)
{
    const int signal = signals != nullptr ? signals->received() : 0;
    if (signal != 0) {
        result.error = "interrupted by " + io::signal_name(signal) +
                       (result.error.empty() ? std::string() : ": " + result.error) +
                       "; what the run started is stopped and its files are removed";
    }
    auto table = format_table(result);
    std::fwrite(table.data(), 1, table.size(), stdout);
    std::fflush(stdout);
    bool written = true;
    if (!junit.empty()) {
        written = write_report(junit, format_junit(result)) && written;
    }
    if (!json.empty()) {
        written = write_report(json, format_json(result)) && written;
    }
    if (signal != 0) {
        return 128 + signal;
    }
    if (!result.error.empty()) {
        return 2;
    }
    return result.passed() && written ? 0 : 1;
}

// --watch-config: the watch configuration run in process.
int run_watch(const std::string& watch_config, const std::string& timeline_file,
              const std::string& expect_file, const std::string& catalog, bool quiet,
              const std::string& junit, const std::string& json)
{
    const io::stop_signals signals; // before any thread starts
    alerts_plan plan;
    plan.stop = signals.token();
    try {
        plan.watch = watch::load_watch_config_file(watch_config);
        load_run_files(plan, timeline_file, expect_file, catalog);
    } catch (const std::exception& e) {
        std::printf("smtp-harness alerts: %s\n", e.what());
        return 3;
    }
    print_first_line(plan, std::to_string(plan.watch.targets.size()) + " target(s), " +
                               std::to_string(plan.watch.notifiers.size()) + " notifier(s)");
    std::fflush(stdout);
    auto result = run_timeline(plan, progress_printer(quiet));
    return finish(std::move(result), junit, json, &signals);
}

// --nagios-config: the object files run by a private Nagios 4.
int run_nagios(nagios_plan plan, const std::string& timeline_file, const std::string& expect_file,
               const std::string& catalog, bool quiet, const std::string& junit,
               const std::string& json)
{
    const io::stop_signals signals; // before any thread starts
    plan.stop = signals.token();
    try {
        plan.object_files = nagios_object_files(plan.object_files);
        load_run_files(plan, timeline_file, expect_file, catalog);
        verify_nagios_config(plan);
    } catch (const std::exception& e) {
        std::printf("smtp-harness alerts: %s\n", e.what());
        return 3;
    }
    print_first_line(plan, std::to_string(plan.object_files.size()) + " Nagios object file(s)");
    for (const auto& line : time_scale_lines(plan)) {
        std::printf("%s\n", line.c_str());
    }
    std::fflush(stdout);
    auto result = run_nagios_timeline(plan, progress_printer(quiet));
    return finish(std::move(result), junit, json, &signals);
}

// --prometheus-config: the user's rules proven live by Prometheus and Alertmanager, or in
// virtual time by promtool and amtool.
int run_prometheus(prometheus_plan plan, const std::string& timeline_file,
                   const std::string& expect_file, const std::string& catalog, bool quiet,
                   const std::string& junit, const std::string& json)
{
    std::optional<io::stop_signals> signals; // live runs only, before any thread starts
    if (plan.live) {
        plan.stop = signals.emplace().token();
    }
    try {
        load_run_files(plan, timeline_file, expect_file, catalog);
        verify_prometheus_files(plan);
    } catch (const std::exception& e) {
        std::printf("smtp-harness alerts: %s\n", e.what());
        return 3;
    }
    std::printf(
        "timeline %s: %zu steps, %.1fs%s; %zu rule file(s), job %s, "
        "scrape every %.1fs, rules evaluated every %.1fs%s\n",
        plan.tl.name.c_str(), plan.tl.steps.size(),
        static_cast<double>(plan.tl.total().count()) / 1000.0,
        plan.live ? " live" : " of virtual time", plan.scrape.rule_files.size(),
        plan.scrape.name.c_str(), static_cast<double>(plan.scrape.scrape_interval.count()) / 1000.0,
        static_cast<double>(plan.scrape.evaluation_interval.count()) / 1000.0,
        plan.expectations
            ? (", " + std::to_string(plan.expectations->items.size()) + " expectations").c_str()
            : "");
    for (const auto& line : prometheus_time_scale_lines(plan)) {
        std::printf("%s\n", line.c_str());
    }
    std::fflush(stdout);
    const auto progress = progress_printer(quiet);
    auto result =
        plan.live ? run_prometheus_live(plan, progress) : run_prometheus_virtual(plan, progress);
    return finish(std::move(result), junit, json, signals ? &*signals : nullptr);
}

// The options of --prometheus-config runs, into `prom`; the --prometheus-config option.
CLI::Option* add_prometheus_options(CLI::App& app, prometheus_plan& prom, bool& virtual_time)
{
    auto* prom_opt = app.add_option("--prometheus-config", prom.prometheus_config,
                                    "A Prometheus configuration: its SMTP scrape job, intervals "
                                    "and rule files");
    app.add_flag("--virtual-time", virtual_time,
                 "With --prometheus-config: probe once per scrape interval of virtual time and "
                 "evaluate the rules with promtool test rules (default: live, with a real "
                 "Prometheus and Alertmanager)")
        ->needs(prom_opt);
    app.add_option("--prometheus", prom.prometheus,
                   "Live: the Prometheus daemon (default /usr/bin/prometheus)")
        ->needs(prom_opt);
    app.add_option("--alertmanager", prom.alertmanager,
                   "Live: the Alertmanager daemon (default /usr/bin/prometheus-alertmanager)")
        ->needs(prom_opt);
    app.add_option("--smtp-probe", prom.smtp_probe,
                   "Live: the smtp-probe whose exporter runs the job's module (default: the one "
                   "beside smtp-harness)")
        ->needs(prom_opt);
    app.add_option("--job", prom.job,
                   "The scrape job that probes SMTP (default: the first with metrics_path /probe)")
        ->needs(prom_opt);
    app.add_option("--exporter-modules", prom.modules_file,
                   "The smtp-probe exporter modules file with the job's module")
        ->needs(prom_opt);
    app.add_option("--exporter", prom.exporter,
                   "HOST:PORT of a running exporter (blackbox_exporter or smtp-probe exporter) "
                   "to scrape instead of the built-in probe")
        ->needs(prom_opt);
    app.add_option("--blackbox-config", prom.blackbox_config,
                   "A blackbox_exporter configuration with the job's module: the run starts "
                   "prometheus-blackbox-exporter with it")
        ->needs(prom_opt);
    app.add_option("--blackbox-exporter", prom.blackbox,
                   "prometheus-blackbox-exporter (default /usr/bin/prometheus-blackbox-exporter)")
        ->needs(prom_opt);
    app.add_option("--alertmanager-config", prom.alertmanager_config,
                   "An Alertmanager configuration whose routes the alerts take")
        ->needs(prom_opt);
    app.add_option("--promtool", prom.promtool, "promtool (default /usr/bin/promtool)")
        ->needs(prom_opt);
    app.add_option("--amtool", prom.amtool, "amtool (default /usr/bin/amtool)")->needs(prom_opt);
    return prom_opt;
}

} // namespace

int run_cli(int argc, const char* const* argv)
{
    CLI::App app{"smtp-harness alerts: drives a mock through a timeline of scenarios against "
                 "smtp-probe watch (or a private Nagios 4, or Prometheus rules) and checks that "
                 "the alerts fire, stay "
                 "quiet and resolve as expected.",
                 "smtp-harness alerts"};
    std::string watch_config, timeline_file, expect_file, junit, json;
    std::string catalog = default_catalog();
    bool quiet = false;
    nagios_plan nagios;
    auto* watch_opt =
        app.add_option("--watch-config", watch_config, "The watch configuration to validate");
    auto* nagios_opt =
        app.add_option(
               "--nagios-config", nagios.object_files,
               "Nagios object files (or directories of .cfg files) run by a private Nagios 4")
            ->excludes(watch_opt);
    app.add_option("--time-scale", nagios.time_scale,
                   "With --nagios-config: run every interval N times faster (N divides the "
                   "interval_length, 60); "
                   "with --prometheus-config: every interval, for: and Alertmanager timer")
        ->check(CLI::PositiveNumber);
    app.add_option("--nagios", nagios.nagios, "The Nagios 4 daemon (default /usr/sbin/nagios4)")
        ->needs(nagios_opt);
    app.add_option("--interval-length", nagios.interval_length,
                   "With --nagios-config: the interval_length of your nagios.cfg, the seconds "
                   "one interval unit stands for (default 60)")
        ->needs(nagios_opt);
    prometheus_plan prom;
    bool virtual_time = false;
    add_prometheus_options(app, prom, virtual_time)->excludes(watch_opt)->excludes(nagios_opt);
    app.add_option("--timeline", timeline_file, "The timeline of scenarios")->required();
    app.add_option("--expect-alerts", expect_file, "The alert expectations");
    app.add_option(
        "--catalog", catalog,
        "Where scenario names are looked up (default: the catalog of the source tree, or "
        "$SMTPH_CATALOG_DIR)");
    app.add_option("--junit", junit, "Write a JUnit XML report to FILE");
    app.add_option("--json", json, "Write a JSON report to FILE");
    app.add_flag("-q,--quiet", quiet, "Print only the tables");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 3;
    }
    if (!nagios.object_files.empty()) {
        return run_nagios(std::move(nagios), timeline_file, expect_file, catalog, quiet, junit,
                          json);
    }
    if (!prom.prometheus_config.empty()) {
        if (!prom.modules_file.empty() + !prom.exporter.empty() + !prom.blackbox_config.empty() !=
            1) {
            std::printf("smtp-harness alerts: --prometheus-config runs with one of "
                        "--exporter-modules FILE, --blackbox-config FILE or --exporter "
                        "HOST:PORT\n");
            return 3;
        }
        prom.live = !virtual_time;
        prom.time_scale = nagios.time_scale;
        return run_prometheus(std::move(prom), timeline_file, expect_file, catalog, quiet, junit,
                              json);
    }
    if (nagios.time_scale != 1) {
        std::printf("smtp-harness alerts: --time-scale runs with --nagios-config or "
                    "--prometheus-config\n");
        return 3;
    }
    if (watch_config.empty()) {
        std::printf("smtp-harness alerts: give --watch-config FILE or --nagios-config FILE..., or "
                    "--prometheus-config FILE\n");
        return 3;
    }
    return run_watch(watch_config, timeline_file, expect_file, catalog, quiet, junit, json);
}

} // namespace harness::alerts
