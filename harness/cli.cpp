#include "harness/cli.hpp"

#include "faults/scenario_error.hpp"
#include "harness/alerts/alerts_cli.hpp"
#include "harness/explain.hpp"
#include "harness/make_monitor.hpp"
#include "harness/report.hpp"
#include "harness/runner.hpp"
#include "harness/scenario_source.hpp"
#include "harness/selection.hpp"
#include "harness/talk.hpp"
#include "smtp/phase.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unistd.h>

namespace harness {

namespace {

namespace fs = std::filesystem;

// A private directory for the run's files (users, CA certificates), removed at the end.
class work_directory {
public:
    work_directory()
    {
        auto pattern = (fs::temp_directory_path() / "smtp-harness-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary directory in " +
                                     fs::temp_directory_path().string());
        }
        path_ = pattern;
    }
    ~work_directory()
    {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    work_directory(const work_directory&) = delete;
    work_directory& operator=(const work_directory&) = delete;
    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

void write_file(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write " + file.string());
    }
}

mock_settings make_mock_settings(const work_directory& dir, const harness_credentials& creds,
                                 std::uint64_t seed)
{
    mock_settings s;
    s.work_dir = dir.path();
    s.users_file = dir.path() / "users";
    write_file(s.users_file, creds.user + ":" + creds.password + "\n");
    s.seed = seed;
    return s;
}

struct run_options {
    std::vector<std::string> scenarios;
    std::string monitor = "builtin";
    std::string expect;
    unsigned jobs = 4;
    unsigned checks = 0;
    std::vector<std::string> filters;
    std::string shard;
    std::string junit;
    std::string json;
    std::string markdown;
    std::string html;
    double monitor_timeout = 30;
    std::uint64_t seed = 1;
    bool quiet = false;
    std::string tls_cert;
    std::string tls_key;
    std::string tls_ca;
    std::string tls_name = std::string(mock_tls_name);
};

// --tls-cert, --tls-key, --tls-ca and --tls-name: the user's own certificate for the mock.
void apply_tls_options(const run_options& o, mock_settings& s)
{
    if (o.tls_cert.empty() != o.tls_key.empty()) {
        throw std::invalid_argument("--tls-cert and --tls-key go together");
    }
    if (!o.tls_ca.empty() && o.tls_cert.empty()) {
        throw std::invalid_argument("--tls-ca names the CA of --tls-cert, which is missing");
    }
    for (const auto& file : {o.tls_cert, o.tls_key, o.tls_ca}) {
        if (!file.empty() && !std::ifstream(file)) {
            throw std::invalid_argument(file + ": cannot read");
        }
    }
    s.tls_cert = o.tls_cert;
    s.tls_key = o.tls_key;
    s.tls_ca = o.tls_ca;
    s.tls_name = o.tls_name;
}

// The scenarios --scenarios, --filter and --shard pick, in catalog order; `all` gets every
// scenario loaded.
std::vector<faults::scenario> selected_scenarios(const run_options& o,
                                                 std::vector<faults::scenario>& all)
{
    std::optional<shard> part;
    if (!o.shard.empty()) {
        part = parse_shard(o.shard);
        if (!part) {
            throw std::invalid_argument("--shard " + o.shard + ": expected I/N with 1 <= I <= N");
        }
    }
    all = load_scenarios(o.scenarios, default_catalog_dir());
    std::vector<std::string> names;
    for (const auto& s : all) {
        names.push_back(s.name);
    }
    std::vector<faults::scenario> selected;
    for (const auto i : select(names, o.filters, part)) {
        selected.push_back(all[i]);
    }
    return selected;
}

// --expect, with a warning for each scenario it names that is neither loaded nor in the catalog
// (a likely typo; a file written for the whole catalog serves a run of a few scenarios too).
std::optional<expectation_set> read_expectations(const run_options& o,
                                                 const std::vector<faults::scenario>& all)
{
    if (o.expect.empty()) {
        return std::nullopt;
    }
    auto expectations = load_expectations(o.expect);
    auto names = catalog_names(default_catalog_dir());
    for (const auto& s : all) {
        names.push_back(s.name);
    }
    for (const auto& unknown : unknown_scenarios(expectations, names)) {
        std::cerr << "smtp-harness: warning: " << o.expect << " names scenario '" << unknown
                  << "', which is neither loaded nor a scenario of the catalog\n";
    }
    return expectations;
}

void write_reports(const run_options& o, const std::vector<scenario_result>& results,
                   const run_info& info)
{
    if (!o.junit.empty()) {
        write_file(o.junit, format_junit(results, info));
    }
    if (!o.json.empty()) {
        write_file(o.json, format_json(results, info));
    }
    if (!o.markdown.empty()) {
        write_file(o.markdown, format_markdown(results, info));
    }
    if (!o.html.empty()) {
        write_file(o.html, format_html(results, info));
    }
    std::cout << '\n' << format_table(results, info) << std::flush;
}

int do_run(const run_options& o)
{
    if (o.monitor_timeout <= 0) {
        throw std::invalid_argument("--monitor-timeout must be positive");
    }
    const auto spec = parse_monitor_spec(o.monitor);
    std::vector<faults::scenario> all;
    const auto selected = selected_scenarios(o, all);
    const auto expectations = read_expectations(o, all);
    if (selected.empty()) {
        std::cerr << "smtp-harness: no scenario selected\n";
        return exit_usage;
    }

    const harness_credentials credentials;
    const auto time_limit =
        std::chrono::milliseconds(static_cast<long long>(o.monitor_timeout * 1000));
    const auto monitor = make_monitor(spec, credentials, time_limit);
    work_directory dir;
    run_settings settings;
    settings.monitor = monitor.get();
    settings.expectations = expectations ? &*expectations : nullptr;
    settings.mock = make_mock_settings(dir, credentials, o.seed);
    settings.mock.mailbox = spec.uses_mailbox;
    apply_tls_options(o, settings.mock);
    settings.jobs = o.jobs;
    settings.checks = o.checks;

    run_info info;
    info.monitor = o.monitor;
    info.seed = o.seed;
    info.started_at = std::chrono::system_clock::now();
    const auto start = std::chrono::steady_clock::now();
    if (!o.quiet) {
        std::cout << fmt::format("smtp-harness: {} scenarios against {} ({} at a time)\n",
                                 selected.size(), o.monitor, std::max(1u, o.jobs))
                  << std::flush;
    }
    const auto total = selected.size();
    const auto results =
        run_all(selected, settings, [&](std::size_t done, const scenario_result& r) {
            if (!o.quiet) {
                std::cout << format_progress(done, total, r) << std::endl;
            }
        });
    info.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    write_reports(o, results, info);
    return all_as_expected(results) ? exit_as_expected : exit_unexpected;
}

// The phase a scenario's failure shows at, for `list`: its expectation's, else its first
// rule's; none for a healthy scenario or one whose rules act everywhere.
std::optional<smtp::phase> listed_phase(const faults::scenario& s)
{
    if (s.expect && s.expect->phase) {
        return s.expect->phase;
    }
    for (const auto& r : s.rules) {
        if (!r.when.phases.empty()) {
            return r.when.phases.front();
        }
    }
    return std::nullopt;
}

int do_list(const std::vector<std::string>& sources, const std::vector<std::string>& filters)
{
    const auto all = load_scenarios(sources, default_catalog_dir());
    std::vector<std::string> names;
    std::size_t width = 0;
    for (const auto& s : all) {
        names.push_back(s.name);
        width = std::max(width, s.name.size());
    }
    const auto chosen = select(names, filters, std::nullopt);
    // Grouped by phase in conversation order, then what has no one phase.
    std::vector<std::optional<smtp::phase>> groups(smtp::all_phases.begin(),
                                                   smtp::all_phases.end());
    groups.emplace_back(std::nullopt);
    for (const auto& group : groups) {
        std::string rows;
        for (const auto i : chosen) {
            if (listed_phase(all[i]) == group) {
                rows += fmt::format("  {:<{}}  {}\n", all[i].name, width, all[i].summary);
            }
        }
        if (!rows.empty()) {
            std::cout << (group ? std::string(smtp::to_string(*group)) : "no single phase") << ":\n"
                      << rows;
        }
    }
    return exit_as_expected;
}

int do_explain(const std::string& name, std::uint64_t seed, const explain_options& how)
{
    const auto found = load_scenarios({name}, default_catalog_dir());
    const harness_credentials credentials;
    work_directory dir;
    std::cout << explain(found.at(0), make_mock_settings(dir, credentials, seed), credentials, how)
              << std::flush;
    return exit_as_expected;
}

int do_talk(const std::string& name, std::uint64_t seed, talk_options how)
{
    const auto found = load_scenarios({name}, default_catalog_dir());
    const harness_credentials credentials;
    work_directory dir;
    how.prompt = ::isatty(STDIN_FILENO) != 0;
    return talk(found.at(0), make_mock_settings(dir, credentials, seed), STDIN_FILENO, std::cout,
                how);
}

// The report files `run` writes besides the table.
void add_report_options(CLI::App& run, run_options& ro)
{
    run.add_option("--junit", ro.junit, "Write a JUnit XML report to FILE");
    run.add_option("--json", ro.json, "Write a JSON report to FILE");
    run.add_option("--markdown", ro.markdown, "Write a Markdown report to FILE");
    run.add_option("--html", ro.html,
                   "Write a self-contained HTML report (with each transcript) to FILE");
}

} // namespace

int run_cli(int argc, char** argv)
{
    // `smtp-harness alerts ...` has its own options (harness/alerts/).
    if (argc >= 2 && std::string_view(argv[1]) == "alerts") {
        return alerts::run_cli(argc - 1, argv + 1);
    }
    CLI::App app{"smtp-harness: runs a monitor against a mock SMTP server for every fault "
                 "scenario and says whether it caught and correctly reported each failure."};
    app.require_subcommand(1);
    app.footer("smtp-harness alerts --watch-config FILE --timeline FILE [--expect-alerts FILE]: "
               "validate an alert configuration (smtp-harness alerts --help)");

    run_options ro;
    auto* run = app.add_subcommand("run", "Run the scenarios against a monitor");
    run->add_option("--scenarios", ro.scenarios,
                    "Scenario directories, files or catalog names (default: the catalog)")
        ->expected(1, -1)
        ->take_all();
    run->add_option("--monitor", ro.monitor,
                    "builtin | cmd:TEMPLATE | http:URL; {host} {port} {scenario} {ca_file} "
                    "{cert_file} {tls_name} are substituted")
        ->capture_default_str();
    run->add_option("--expect", ro.expect, "Expectations file (YAML) for a third-party monitor");
    run->add_option("--jobs,-j", ro.jobs, "Scenarios run at once")->capture_default_str();
    run->add_option("--checks", ro.checks,
                    "Checks of the monitor per scenario (default: as many as its rules need, "
                    "at most 10; 1 for a scenario without connections, times or probability)")
        ->check(CLI::Range(1u, 100u));
    run->add_option("--filter", ro.filters, "Only scenarios whose name matches GLOB (repeatable)");
    run->add_option("--shard", ro.shard, "Run only shard I of N (I/N, I from 1)");
    add_report_options(*run, ro);
    run->add_option("--monitor-timeout", ro.monitor_timeout,
                    "Seconds a cmd: or http: monitor may take per scenario before it is killed")
        ->capture_default_str();
    run->add_option("--seed", ro.seed, "Seed of the mock's random draws")->capture_default_str();
    run->add_flag("--quiet,-q", ro.quiet, "No progress lines, only the final table");
    run->add_option("--tls-cert", ro.tls_cert,
                    "PEM certificate chain the mock presents when TLS has no fault "
                    "(default: one it makes, signed by its own CA)");
    run->add_option("--tls-key", ro.tls_key, "PEM private key of --tls-cert");
    run->add_option("--tls-ca", ro.tls_ca,
                    "PEM CA that signs --tls-cert, for {ca_file} and the built-in probe "
                    "(default: --tls-cert itself)");
    run->add_option("--tls-name", ro.tls_name,
                    "The name --tls-cert carries: the mock's name, {tls_name}, and what the "
                    "built-in probe checks")
        ->capture_default_str();

    std::vector<std::string> list_sources;
    std::vector<std::string> list_filters;
    auto* list = app.add_subcommand("list", "List the scenarios with their summaries");
    list->add_option("--scenarios", list_sources, "Scenario directories, files or names")
        ->expected(1, -1)
        ->take_all();
    list->add_option("--filter", list_filters, "Only names matching GLOB (repeatable)");

    std::string explain_name;
    std::uint64_t explain_seed = 1;
    auto* explain_cmd = app.add_subcommand(
        "explain", "Describe a scenario and run the built-in probe against it, annotated");
    explain_cmd->add_option("name", explain_name, "Scenario name (or file)")->required();
    explain_cmd->add_option("--seed", explain_seed, "Seed of the mock's random draws");
    explain_options explain_how;
    explain_cmd
        ->add_option("--repeat", explain_how.repeat,
                     "Connect N times in a row (faults that change over connections)")
        ->check(CLI::Range(1u, 100u));
    explain_cmd->add_flag("--formats", explain_how.formats,
                          "Also show what each smtp-probe output format reports");

    std::string talk_name = "healthy";
    std::uint64_t talk_seed = 1;
    talk_options talk_how;
    unsigned talk_timeout_ms = 10000;
    auto* talk_cmd = app.add_subcommand(
        "talk", "Type SMTP commands to a fresh mock serving a scenario; see each reply's time");
    talk_cmd->add_option("scenario", talk_name, "Scenario name (or file); default healthy");
    talk_cmd->add_option("--seed", talk_seed, "Seed of the mock's random draws");
    talk_cmd
        ->add_option("--timeout-ms", talk_timeout_ms,
                     "How long to wait for each reply (default 10000)")
        ->check(CLI::Range(1u, 3600000u));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? exit_as_expected : exit_usage;
    }

    try {
        if (*run) {
            return do_run(ro);
        }
        if (*list) {
            return do_list(list_sources, list_filters);
        }
        if (*talk_cmd) {
            talk_how.reply_timeout = std::chrono::milliseconds(talk_timeout_ms);
            return do_talk(talk_name, talk_seed, talk_how);
        }
        return do_explain(explain_name, explain_seed, explain_how);
    } catch (const faults::scenario_error& e) {
        std::cerr << "smtp-harness: " << e.what() << '\n';
    } catch (const std::exception& e) {
        std::cerr << "smtp-harness: " << e.what() << '\n';
    }
    return exit_usage;
}

} // namespace harness
