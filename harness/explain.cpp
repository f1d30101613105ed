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
#include <algorithm>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <iterator>
#include <optional>

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
    if (!o.dns_server.empty()) {
        add("--dns-server", o.dns_server);
    }
    if (o.mx) {
        add("--mx");
    }
    if (!o.dnsbl.empty()) {
        for (const auto& zone : o.dnsbl) {
            add("--dnsbl", zone);
        }
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

namespace {

struct timeline_line {
    std::chrono::microseconds t{0};
    std::string who; // "C", "S", "probe", "mock"
    std::string text;
};

std::string label_of(prober::transcript_dir d)
{
    switch (d) {
    case prober::transcript_dir::client:
        return "C";
    case prober::transcript_dir::server:
        return "S";
    case prober::transcript_dir::event:
        break;
    }
    return "probe";
}

// Who is silent while time passes before `next`: the one who speaks next, else (an event such
// as a timeout) the server when the client spoke last or nobody spoke, the client otherwise.
std::string_view silent_party(const timeline_line& next, std::string_view last_speaker)
{
    if (next.who == "S" || next.who == "C") {
        return next.who == "S" ? "server" : "client";
    }
    return last_speaker == "S" ? "client" : "server";
}

// The mock's events on the probe's clock: each one comes after the probe lines matching the
// server and client lines the mock had recorded before it, no earlier than the probe's connect
// plus the mock's own time, and the client's close after the probe closed.
std::vector<timeline_line> mock_events_on_probe_clock(const prober::probe_result& result,
                                                      const std::vector<recorded_line>& mock)
{
    std::vector<std::chrono::microseconds> probe_s;
    std::vector<std::chrono::microseconds> probe_c;
    std::chrono::microseconds connected{0};
    std::optional<std::chrono::microseconds> closing;
    for (const auto& e : result.transcript) {
        if (e.text.starts_with("closing connection")) {
            closing = e.t;
        }
        if (e.dir == prober::transcript_dir::server) {
            probe_s.push_back(e.t);
        } else if (e.dir == prober::transcript_dir::client) {
            probe_c.push_back(e.t);
        } else if (e.text.starts_with("connected to") && connected.count() == 0) {
            connected = e.t;
        }
    }
    std::vector<timeline_line> out;
    std::size_t seen_s = 0;
    std::size_t seen_c = 0;
    for (const auto& line : mock) {
        if (line.dir == "S" || line.dir == "C") {
            ++(line.dir == "S" ? seen_s : seen_c);
            continue;
        }
        auto t = connected + std::chrono::microseconds(static_cast<long>(line.t_ms * 1000));
        if (seen_s > 0 && seen_s <= probe_s.size()) {
            t = std::max(t, probe_s[seen_s - 1]);
        }
        if (seen_c > 0 && seen_c <= probe_c.size()) {
            t = std::max(t, probe_c[seen_c - 1]);
        }
        // The client's close is what the mock saw: it comes after the probe closed.
        if (closing && line.text.starts_with("connection ") && line.text.ends_with(" by client")) {
            t = std::max(t, *closing);
        }
        out.push_back({t, "mock", line.text});
    }
    return out;
}

} // namespace

std::string timeline(const prober::probe_result& result, const std::vector<recorded_line>& mock)
{
    std::vector<timeline_line> lines;
    for (const auto& e : result.transcript) {
        lines.push_back({e.t, label_of(e.dir), e.text});
    }
    auto events = mock_events_on_probe_clock(result, mock);
    std::vector<timeline_line> merged;
    std::merge(lines.begin(), lines.end(), events.begin(), events.end(), std::back_inserter(merged),
               [](const timeline_line& a, const timeline_line& b) { return a.t < b.t; });
    std::string out;
    std::string_view last_speaker;
    std::optional<std::chrono::microseconds> previous;
    for (const auto& line : merged) {
        const auto gap = previous ? line.t - *previous : std::chrono::microseconds{0};
        if (gap >= std::chrono::milliseconds(250)) {
            out += fmt::format("{:>14}... {} silent, {} ms\n", "", silent_party(line, last_speaker),
                               std::chrono::duration_cast<std::chrono::milliseconds>(gap).count());
        }
        out += fmt::format("{:>9.1f} ms  {:<5} {}\n", static_cast<double>(line.t.count()) / 1000,
                           line.who, line.text);
        if (line.who == "S" || line.who == "C") {
            last_speaker = line.who == "S" ? "S" : "C";
        }
        previous = line.t;
    }
    return out;
}

namespace {

constexpr std::uint16_t reproduce_port = 2525;
constexpr std::uint16_t reproduce_tls_port = 4650;

std::string swaks_quit_after(smtp::phase p)
{
    switch (p) {
    case smtp::phase::dns:
    case smtp::phase::connect:
        return "connect";
    case smtp::phase::banner:
        return "banner";
    case smtp::phase::tls:
    case smtp::phase::starttls:
        return "tls";
    case smtp::phase::auth:
        return "auth";
    case smtp::phase::mail:
        return "mail";
    case smtp::phase::rcpt:
        return "rcpt";
    default:
        return "helo";
    }
}

// swaks doing what the probe did: same EHLO name, envelope, TLS, CA and stopping point.
std::string swaks_command(const prober::probe_options& o)
{
    std::string out = fmt::format("swaks --server 127.0.0.1 --port {} --helo {}",
                                  o.effective_port(), shell_word(o.helo_name));
    out += fmt::format(" --from {}", shell_word(o.mail_from));
    for (const auto& rcpt : o.rcpt_to) {
        out += fmt::format(" --to {}", shell_word(rcpt));
    }
    if (o.implicit_tls || o.starttls) {
        out += o.implicit_tls ? " --tls-on-connect" : " --tls";
        if (!o.insecure) {
            out += fmt::format(" --tls-verify --tls-ca-path {}", shell_word(o.ca_file));
        }
        if (!o.tls_server_name.empty()) {
            out += fmt::format(" --tls-sni {}", shell_word(o.tls_server_name));
        }
    }
    if (o.auth) {
        out += fmt::format(" --auth PLAIN --auth-user {} --auth-password {}",
                           shell_word(o.auth->user), shell_word(o.auth->password));
    }
    if (!o.send) {
        // The probe without a message stops after EHLO, or after AUTH when it authenticates.
        const std::string stop = o.auth ? "auth" : "helo";
        out += " --quit-after " + (o.quit_after ? swaks_quit_after(*o.quit_after) : stop);
    } else if (o.quit_after) {
        out += " --quit-after " + swaks_quit_after(*o.quit_after);
    }
    return out + fmt::format(" --timeout {}", seconds(o.command_timeout));
}

} // namespace

std::string reproduce_block(const faults::scenario& s, const prober::probe_options& ran,
                            std::uint64_t seed)
{
    const std::string file = s.name + ".json";
    const std::string ca = s.name + "-ca.pem";
    auto o = ran;
    o.host = "127.0.0.1";
    o.port = o.implicit_tls ? reproduce_tls_port : reproduce_port;
    o.ca_file = ca;
    std::string out = "# 1. The scenario, and a mock serving it (leave it running):\n";
    out += fmt::format("cat > {} <<'EOF'\n{}\nEOF\n", shell_word(file),
                       json_text::serialize(faults::to_json(s)));
    if (o.auth) {
        out += fmt::format("printf '%s\\n' {} > users.txt\n",
                           shell_word(o.auth->user + ":" + o.auth->password));
    }
    out += fmt::format("smtp-mock --listen 127.0.0.1:{}", reproduce_port);
    if (s.probe.tls) {
        out += fmt::format(" --listen-tls 127.0.0.1:{}", reproduce_tls_port);
    }
    out += fmt::format(" --control '' --scenario {} --write-ca {} --seed {}{}\n", shell_word(file),
                       shell_word(ca), seed, o.auth ? " --users users.txt" : "");
    out += "# 2. In another shell, the probe exactly as it ran above:\n";
    out += probe_command_line(o) + "\n";
    out += "# 3. The same conversation with swaks:\n";
    out += swaks_command(o) + "\n";
    return out;
}

namespace {

// What the probe option that reaches phase `p` is, when `o` does not reach it.
std::optional<std::string> option_reaching(smtp::phase p, const prober::probe_options& o)
{
    using smtp::phase;
    const bool sends = o.send && !o.quit_after;
    switch (p) {
    case phase::starttls:
    case phase::tls:
        return o.starttls || o.implicit_tls ? std::nullopt
                                            : std::optional<std::string>("--starttls");
    case phase::auth:
        return o.auth ? std::nullopt : std::optional<std::string>("--auth USER:PASSWORD");
    case phase::mail:
    case phase::rcpt:
    case phase::data:
    case phase::body:
    case phase::data_end:
        return sends || (o.quit_after && *o.quit_after >= p) ? std::nullopt
                                                             : std::optional<std::string>("--send");
    default:
        return std::nullopt;
    }
}

} // namespace

std::string unreached_note(const faults::scenario& s, const prober::probe_options& ran, bool fired)
{
    if (fired || s.listener != faults::listener_state::open) {
        return {};
    }
    for (const auto& r : s.rules) {
        for (const auto p : r.when.phases) {
            if (const auto option = option_reaching(p, ran)) {
                return fmt::format(
                    "The fault was never reached: rule {} acts at {}, and this probe never got "
                    "there, so no fault rule fired and the probe saw a healthy server. smtp-probe "
                    "{} reaches it.\n",
                    r.id, smtp::to_string(p), *option);
            }
        }
    }
    return {};
}

namespace {

bool fault_fired(const std::vector<recorded_line>& session)
{
    return std::any_of(session.begin(), session.end(), [](const recorded_line& l) {
        return l.dir == "event" && l.text.starts_with("fault rule ");
    });
}

std::string formats_section(const prober::probe_result& result)
{
    std::string out = heading("What each output format reports");
    out += "  --format text:\n" + indent(indent(prober::format_text(result, false)));
    out += "\n  --format nagios (the exit code is the status):\n" +
           indent(indent(prober::format_nagios(result)));
    out += fmt::format("  exit code {}\n", prober::exit_code(result.status));
    out += "\n  --format json:\n" + indent(indent(prober::format_json(result)));
    out += "\n  --format prometheus:\n" + indent(indent(prober::format_prometheus({result})));
    return out;
}

std::string about_scenario(const faults::scenario& s, const expected_outcome& expected)
{
    std::string out = fmt::format("{} — {}\n", s.name, s.summary);
    out += heading("What it simulates, why it happens, what a monitor should say");
    out += indent(s.description);
    out += "\n  New to SMTP replies, status codes and phases? Read docs/smtp-primer.md.\n";
    out += heading("How the mock makes it");
    out += fmt::format("  listener: {}\n", faults::to_string(s.listener));
    if (s.mailbox_listener != faults::listener_state::open) {
        out += fmt::format("  mailbox listeners (POP3, IMAP): {}\n",
                           faults::to_string(s.mailbox_listener));
    }
    if (s.rules.empty() && s.mailbox_listener == faults::listener_state::open) {
        out += "  rules: none (a healthy server)\n";
    }
    for (const auto& r : s.rules) {
        out += "  rule " + json_text::serialize(faults::to_json(r)) + "\n";
    }
    out += heading("What the built-in probe should report");
    out += "  " + describe_expected(expected) + "\n";
    return out;
}

} // namespace

std::string explain(const faults::scenario& s, const mock_settings& settings,
                    const harness_credentials& credentials, const explain_options& how)
{
    const auto expected = resolve_expectation(s, true, nullptr);
    std::string out = about_scenario(s, expected);

    scenario_mock mock(s, settings);
    const auto options = builtin_probe_options(target_of(s, mock), credentials);
    const unsigned repeat = std::max(1u, how.repeat);
    std::vector<prober::probe_result> results;
    observation first_observed;
    for (unsigned i = 0; i < repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        results.push_back(prober::run_probe(options));
        if (i == 0) {
            first_observed = to_observation(results.front());
            first_observed.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start);
        }
    }
    const auto sessions = mock.sessions();
    mock.stop();
    const auto recorded = mock.recorded();

    out += heading(repeat == 1 ? "The probe against it, live: client and server on one timeline"
                               : fmt::format("{} connections in a row, live", repeat));
    out += "  C: the probe sent, S: the probe received, probe: what the probe did or saw,\n"
           "  mock: what the server did (its fault rules firing), on the probe's clock.\n";
    bool fired = false;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        // Connections the listener refused or black-holed leave no record.
        const bool contact = recorded.size() == results.size();
        const auto none = std::vector<recorded_line>{};
        const auto& session = contact ? recorded[i].lines : none;
        fired = fired || fault_fired(session);
        if (repeat > 1) {
            out += fmt::format("\n  connection {} of {}:\n", i + 1, repeat);
        }
        out += "\n" + indent(prober::format_text(r, false)) + "\n";
        out += indent(timeline(r, session));
        if (!contact && recorded.empty()) {
            out += "  (the mock recorded no session: the connection never reached the server)\n";
        }
    }
    if (const auto note = unreached_note(s, options, fired); !note.empty()) {
        out += "\n" + indent(note);
    }

    out += heading("Reproduce it yourself");
    out += reproduce_block(s, options, settings.seed);

    if (how.formats) {
        out += formats_section(results.front());
    }

    const auto r = assess(s, expected, first_observed, contact_observable(s), sessions);
    out += heading(repeat == 1 ? "Verdict" : "Verdict (of the first connection)");
    out += fmt::format("  {}: observed {}, should report {}\n", to_string(r.outcome),
                       describe_observed(r.observed), describe_expected(r.expected));
    if (!how.formats) {
        out += "\n  (--formats also shows what each output format of smtp-probe reports.)\n";
    }
    return out;
}

} // namespace harness
