#include "harness/alerts/alerts_cli.hpp"

#include "harness/alerts/timeline_runner.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

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

} // namespace

int run_cli(int argc, const char* const* argv)
{
    CLI::App app{"smtp-harness alerts: drives a mock through a timeline of scenarios against "
                 "smtp-probe watch and checks that the alerts fire, stay quiet and resolve as "
                 "expected.",
                 "smtp-harness alerts"};
    std::string watch_config, timeline_file, expect_file, junit, json;
    std::string catalog = default_catalog();
    bool quiet = false;
    app.add_option("--watch-config", watch_config, "The watch configuration to validate")
        ->required();
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

    alerts_plan plan;
    try {
        plan.watch = watch::load_watch_config_file(watch_config);
        plan.tl = load_timeline_file(timeline_file, catalog);
        plan.scenarios = load_step_scenarios(plan.tl);
        if (!expect_file.empty()) {
            plan.expectations = load_expectations_file(expect_file, plan.tl);
        }
    } catch (const std::exception& e) {
        std::printf("smtp-harness alerts: %s\n", e.what());
        return 3;
    }
    std::printf(
        "timeline %s: %zu steps, %.1fs; %zu target(s), %zu notifier(s)%s\n", plan.tl.name.c_str(),
        plan.tl.steps.size(), static_cast<double>(plan.tl.total().count()) / 1000.0,
        plan.watch.targets.size(), plan.watch.notifiers.size(),
        plan.expectations
            ? (", " + std::to_string(plan.expectations->items.size()) + " expectations").c_str()
            : "");
    std::fflush(stdout);
    auto result = run_timeline(plan, [&](const std::string& line) {
        if (!quiet) {
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
        }
    });
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
    if (!result.error.empty()) {
        return 2;
    }
    return result.passed() && written ? 0 : 1;
}

} // namespace harness::alerts
