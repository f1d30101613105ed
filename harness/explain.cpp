#include "harness/explain.hpp"

#include "faults/scenario_json.hpp"
#include "harness/builtin_options.hpp"
#include "harness/report.hpp"
#include "harness/runner.hpp"
#include "harness/scenario_mock.hpp"
#include "harness/to_observation.hpp"
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

// A word a POSIX shell reads back as itself: quoted unless it is plainly safe.
std::string shell_word(std::string_view word)
{
    const bool plain = !word.empty() &&
                       word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789@%+=:,./_-") == std::string_view::npos;
    if (plain) {
        return std::string(word);
    }
    std::string out = "'";
    for (const char c : word) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
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

std::string probe_command_line(const prober::probe_options& o)
{
    std::string out = "smtp-probe";
    auto add = [&out](std::string_view flag, std::string_view value = {}) {
        out += ' ';
        out += flag;
        if (!value.empty()) {
            out += ' ' + shell_word(value);
        }
    };
    if (o.implicit_tls) {
        add("--tls");
    }
    if (o.starttls) {
        add("--starttls");
    }
    if (o.insecure) {
        add("--insecure");
    }
    if (!o.ca_file.empty()) {
        add("--ca-file", o.ca_file);
    }
    if (!o.tls_server_name.empty()) {
        add("--sni", o.tls_server_name);
    }
    if (o.cert_warn_days) {
        add("--cert-days", std::to_string(*o.cert_warn_days) +
                               (o.cert_crit_days ? "," + std::to_string(*o.cert_crit_days) : ""));
    }
    if (o.auth) {
        add("--auth", o.auth->user + ":" + o.auth->password);
    }
    add("--helo", o.helo_name);
    if (o.send) {
        add("--send");
    }
    if (o.send || o.quit_after) {
        add("--mail-from", o.mail_from);
        for (const auto& rcpt : o.rcpt_to) {
            add("--rcpt-to", rcpt);
        }
    }
    if (o.quit_after) {
        add("--quit-after", smtp::to_string(*o.quit_after));
    }
    if (o.verify) {
        add("--verify", o.verify->url);
        add("--verify-timeout", seconds(o.verify_timeout));
    }
    if (o.delivery_warning) {
        add("--max-delivery-time", seconds(*o.delivery_warning));
    }
    if (o.warning) {
        add("-w", seconds(*o.warning));
    }
    if (o.critical) {
        add("-c", seconds(*o.critical));
    }
    add("-t", seconds(o.timeout));
    add("--connect-timeout", seconds(o.connect_timeout));
    add("--command-timeout", seconds(o.command_timeout));
    add("-p", std::to_string(o.effective_port()));
    add(shell_word(o.host));
    return out;
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
    out += fmt::format("  $ {}\n\n", probe_command_line(options));
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
