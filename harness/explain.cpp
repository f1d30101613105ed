#include "harness/explain.hpp"

#include "faults/scenario_json.hpp"
#include "harness/builtin_monitor.hpp"
#include "harness/report.hpp"
#include "harness/runner.hpp"
#include "harness/scenario_mock.hpp"
#include "prober/report.hpp"
#include "prober/run_probe.hpp"

#include "json/json_text.hpp"
#include <boost/json.hpp>
#include <fmt/format.h>

namespace harness {

namespace {

std::string seconds(std::chrono::milliseconds d)
{
    if (d.count() % 1000 == 0) {
        return std::to_string(d.count() / 1000);
    }
    return fmt::format("{}ms", d.count());
}

std::string heading(std::string_view title)
{
    return fmt::format("\n== {} ==\n\n", title);
}

std::string indent(std::string_view text)
{
    std::string out;
    bool start = true;
    for (const char c : text) {
        if (start && c != '\n') {
            out += "  ";
        }
        out.push_back(c);
        start = c == '\n';
    }
    if (!out.empty() && out.back() != '\n') {
        out.push_back('\n');
    }
    return out;
}

} // namespace

std::string probe_command_line(const faults::probe_hints& h, const std::string& target)
{
    std::string out = "smtp-probe";
    if (h.tls) {
        out += " --tls";
    }
    if (h.starttls) {
        out += " --starttls";
    }
    if (h.insecure) {
        out += " --insecure";
    }
    if (h.cert_days_warning) {
        out += " --cert-days " + std::to_string(*h.cert_days_warning);
        if (h.cert_days_critical) {
            out += "," + std::to_string(*h.cert_days_critical);
        }
    }
    if (h.auth) {
        out += " --auth USER:PASS";
    }
    if (h.send) {
        out += " --send";
    }
    if (h.quit_after) {
        out += fmt::format(" --quit-after {}", smtp::to_string(*h.quit_after));
    }
    if (h.warning) {
        out += " -w " + seconds(*h.warning);
    }
    if (h.critical) {
        out += " -c " + seconds(*h.critical);
    }
    if (h.timeout) {
        out += " -t " + seconds(*h.timeout);
    }
    if (h.connect_timeout) {
        out += " --connect-timeout " + seconds(*h.connect_timeout);
    }
    if (h.command_timeout) {
        out += " --command-timeout " + seconds(*h.command_timeout);
    }
    return out + " " + target;
}

std::string explain(const faults::scenario& s, const mock_settings& settings,
                    const harness_credentials& credentials)
{
    std::string out = fmt::format("{} — {}\n", s.name, s.summary);
    out += heading("What it simulates, why it happens, what a monitor should say");
    out += indent(s.description);

    out += heading("How the mock makes it");
    out += fmt::format("  listener: {}\n", faults::to_string(s.listener));
    if (s.rules.empty()) {
        out += "  rules: none (a healthy server)\n";
    }
    for (const auto& r : s.rules) {
        out += "  rule " + json_text::serialize(faults::to_json(r)) + "\n";
    }

    const auto expected = resolve_expectation(s, true, nullptr);
    out += heading("What the built-in probe should report");
    out += "  " + describe_expected(expected) + "\n";

    scenario_mock mock(s, settings);
    const auto options = builtin_probe_options(target_of(s, mock), credentials);
    out += heading("The probe against it, live (annotated transcript)");
    out += fmt::format(
        "  $ {}\n\n",
        probe_command_line(s.probe, fmt::format("{}:{}", options.host, options.effective_port())));
    const auto start = std::chrono::steady_clock::now();
    const auto result = prober::run_probe(options);
    auto observed = to_observation(result);
    observed.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    const auto sessions = mock.sessions();
    mock.stop();
    out += indent(prober::format_text(result, true));

    out += heading("What the mock recorded");
    const auto transcripts = mock.transcripts();
    out += transcripts.empty() ? "  no session: the connection never reached the server\n"
                               : indent(transcripts);

    out += heading("What each output format reports");
    out += "  --format text:\n" + indent(indent(prober::format_text(result, false)));
    out += "\n  --format nagios (the exit code is the status):\n" +
           indent(indent(prober::format_nagios(result)));
    out += fmt::format("  exit code {}\n", prober::exit_code(result.status));
    out += "\n  --format json:\n" + indent(indent(prober::format_json(result)));
    out += "\n  --format prometheus:\n" + indent(indent(prober::format_prometheus({result})));

    const auto r = assess(s, expected, observed, contact_observable(s), sessions);
    out += heading("Verdict");
    out += fmt::format("  {}: observed {}, should report {}\n", to_string(r.outcome),
                       describe_observed(r.observed), describe_expected(r.expected));
    return out;
}

} // namespace harness
