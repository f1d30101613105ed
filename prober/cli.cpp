#include "prober/cli.hpp"

#include "prober/target.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

namespace prober {
namespace {

cli_request usage_error(const std::string& what)
{
    cli_request r;
    r.what = cli_request::command::exit;
    r.exit_code = 3;
    r.message = "SMTP UNKNOWN - " + what + " (see smtp-probe --help)\n";
    return r;
}

std::optional<std::chrono::milliseconds> duration_option(const std::string& text,
                                                         std::string& error, std::string_view name)
{
    auto d = parse_duration(text);
    if (!d) {
        error = "invalid duration for " + std::string(name) + ": \"" + text + "\"";
    }
    return d;
}

} // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    std::string_view number = text;
    double scale = 1000.0; // seconds by default
    if (text.ends_with("ms")) {
        number.remove_suffix(2);
        scale = 1.0;
    } else if (text.ends_with("s")) {
        number.remove_suffix(1);
    } else if (text.ends_with("m")) {
        number.remove_suffix(1);
        scale = 60'000.0;
    }
    if (number.empty()) {
        return std::nullopt;
    }
    double v = 0;
    auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (ec != std::errc() || p != number.data() + number.size() || v < 0 || v > 86'400'000) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(v * scale + 0.5));
}

cli_request parse_cli(int argc, const char* const* argv)
{
    CLI::App app{"smtp-probe: checks an SMTP service and reports what failed, where, when and "
                 "what was received.",
                 "smtp-probe"};
    app.set_version_flag("--version", "smtp-probe 0.1.0");
    app.require_subcommand(0, 1);

    std::vector<std::string> positional;
    std::string targets_file;
    int port = 0;
    std::string timeout = "10", connect_timeout, command_timeout;
    std::string helo, ca_file, sni, cert_days, auth, mail_from, quit_after, expect_banner;
    std::vector<std::string> rcpt_to;
    std::string warning, critical, verify, verify_timeout = "60", format = "text";
    std::string temp_failure_status = "critical", source_address;
    bool starttls = false, tls = false, insecure = false, send = false, verbose = false;
    bool v4 = false, v6 = false;
    std::size_t max_reply_line = 512;

    app.add_option("targets", positional, "HOST[:PORT] to probe; [v6-address]:PORT for IPv6");
    app.add_option("--targets", targets_file, "Read more targets from FILE, one per line");
    app.add_option("-p,--port", port, "Port for targets without one (default 25, 465 with --tls)")
        ->check(CLI::Range(1, 65535));
    app.add_option("-t,--timeout", timeout,
                   "Hard total deadline of the SMTP session, seconds or 250ms/3s/2m (default 10)");
    app.add_option("--connect-timeout", connect_timeout,
                   "Deadline of the TCP connect (default -t)");
    app.add_option("--command-timeout", command_timeout,
                   "Deadline of each reply, the banner and the TLS handshake (default -t)");
    app.add_option("--helo", helo, "Name sent with EHLO/HELO (default: this host's name)");
    app.add_flag("--starttls", starttls, "Require STARTTLS after EHLO and use TLS from then on");
    app.add_flag("--tls", tls, "Implicit TLS from connect (port 465 by default)");
    app.add_flag("--insecure", insecure, "Do not verify the server certificate");
    app.add_option("--ca-file", ca_file, "Trust the CA certificates in this PEM file too");
    app.add_option("--sni", sni, "TLS server name to send and verify (default: the host)");
    app.add_option("--cert-days", cert_days,
                   "WARN[,CRIT]: warn when the certificate expires within WARN days, critical "
                   "within CRIT");
    app.add_option("--auth", auth, "USER:PASS for AUTH PLAIN (or LOGIN when PLAIN is not offered)");
    app.add_option("--mail-from", mail_from, "Envelope sender of the test message");
    app.add_option("--rcpt-to", rcpt_to, "Recipient of the test message (repeatable)")
        ->allow_extra_args(false); // one address per --rcpt-to; what follows is a target
    app.add_flag("--send", send, "Send a test message (MAIL, RCPT, DATA)");
    app.add_option("--quit-after", quit_after,
                   "Send QUIT once this phase succeeded: connect, banner, ehlo, helo, starttls, "
                   "tls, auth, mail, rcpt, data_end");
    app.add_option("--expect-banner", expect_banner, "Regular expression the banner must match");
    app.add_option("-w,--warning", warning, "WARNING when the session takes longer (seconds)");
    app.add_option("-c,--critical", critical, "CRITICAL when the session takes longer (seconds)");
    app.add_option("--verify", verify,
                   "After --send, fetch the message: pop3://USER:PASS@HOST[:PORT], pop3s://, "
                   "imap://, imaps://");
    app.add_option("--verify-timeout", verify_timeout,
                   "How long to wait for the round-trip message (default 60)");
    app.add_option("--format", format, "Output: text, nagios, json or prometheus")
        ->check(CLI::IsMember({"text", "nagios", "json", "prometheus"}));
    app.add_flag("-v,--verbose", verbose, "Add the annotated transcript to text output");
    app.add_flag("-4", v4, "Connect over IPv4 only");
    app.add_flag("-6", v6, "Connect over IPv6 only");
    app.add_option("--source-address", source_address, "Local address to connect from");
    app.add_option("--temp-failure-status", temp_failure_status,
                   "Status of 4xx replies: critical (default) or warning")
        ->check(CLI::IsMember({"critical", "warning"}));
    app.add_option("--max-reply-line", max_reply_line,
                   "Longest reply line accepted, octets with CRLF (RFC 5321: 512)")
        ->check(CLI::Range(std::size_t{64}, std::size_t{65536}));

    std::string watch_config;
    auto* watch = app.add_subcommand("watch", "Probe continuously and alert (see docs/probe.md)");
    watch->add_option("--config", watch_config, "Watch configuration file")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        cli_request r;
        r.message = app.help();
        return r;
    } catch (const CLI::CallForVersion&) {
        cli_request r;
        r.message = app.version() + "\n";
        return r;
    } catch (const CLI::ParseError& e) {
        return usage_error(e.what());
    }

    if (watch->parsed()) {
        cli_request r;
        r.what = cli_request::command::watch;
        r.watch_config = watch_config;
        return r;
    }

    // Build the options shared by every target, validating as we go.
    probe_options base;
    std::string error;
    if (auto d = duration_option(timeout, error, "--timeout")) {
        base.timeout = *d;
    }
    base.connect_timeout = base.timeout;
    base.command_timeout = base.timeout;
    if (!connect_timeout.empty()) {
        if (auto d = duration_option(connect_timeout, error, "--connect-timeout")) {
            base.connect_timeout = *d;
        }
    }
    if (!command_timeout.empty()) {
        if (auto d = duration_option(command_timeout, error, "--command-timeout")) {
            base.command_timeout = *d;
        }
    }
    if (!warning.empty()) {
        base.warning = duration_option(warning, error, "--warning");
    }
    if (!critical.empty()) {
        base.critical = duration_option(critical, error, "--critical");
    }
    if (auto d = duration_option(verify_timeout, error, "--verify-timeout")) {
        base.verify_timeout = *d;
    }
    if (!error.empty()) {
        return usage_error(error);
    }
    if (base.timeout.count() == 0) {
        return usage_error("--timeout must be more than 0");
    }
    if (base.warning && base.critical && *base.warning > *base.critical) {
        return usage_error("--warning must not exceed --critical");
    }
    if (starttls && tls) {
        return usage_error("--starttls and --tls exclude each other");
    }
    if (v4 && v6) {
        return usage_error("-4 and -6 exclude each other");
    }
    base.port = static_cast<std::uint16_t>(port);
    base.helo_name = helo;
    base.starttls = starttls;
    base.implicit_tls = tls;
    base.insecure = insecure;
    base.ca_file = ca_file;
    base.tls_server_name = sni;
    base.send = send;
    base.mail_from = mail_from;
    base.rcpt_to = rcpt_to;
    base.expect_banner = expect_banner;
    base.temp_failure_warning = temp_failure_status == "warning";
    base.family = v4 ? address_family::v4 : v6 ? address_family::v6 : address_family::any;
    base.source_address = source_address;
    base.max_reply_line = max_reply_line;
    if (!cert_days.empty()) {
        auto comma = cert_days.find(',');
        auto parse_int = [](std::string_view s) -> std::optional<int> {
            int v = 0;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (ec != std::errc() || p != s.data() + s.size() || v < 0) {
                return std::nullopt;
            }
            return v;
        };
        base.cert_warn_days = parse_int(std::string_view(cert_days).substr(0, comma));
        if (!base.cert_warn_days) {
            return usage_error("invalid --cert-days \"" + cert_days + "\": expected WARN[,CRIT]");
        }
        if (comma != std::string::npos) {
            base.cert_crit_days = parse_int(std::string_view(cert_days).substr(comma + 1));
            if (!base.cert_crit_days || *base.cert_crit_days > *base.cert_warn_days) {
                return usage_error("invalid --cert-days \"" + cert_days +
                                   "\": expected WARN[,CRIT] with CRIT <= WARN");
            }
        }
    }
    if (!auth.empty()) {
        auto colon = auth.find(':');
        if (colon == std::string::npos || colon == 0) {
            return usage_error("--auth expects USER:PASS");
        }
        base.auth = auth_credentials{auth.substr(0, colon), auth.substr(colon + 1)};
    }
    if (!quit_after.empty()) {
        auto p = smtp::parse_phase(quit_after);
        static const std::vector<std::string> allowed{"connect",  "banner",  "ehlo", "helo",
                                                      "starttls", "tls",     "auth", "mail",
                                                      "rcpt",     "data_end"};
        if (!p || std::find(allowed.begin(), allowed.end(), quit_after) == allowed.end()) {
            return usage_error("--quit-after must be one of connect, banner, ehlo, helo, "
                               "starttls, tls, auth, mail, rcpt, data_end");
        }
        if (*p == smtp::phase::starttls && !starttls) {
            return usage_error("--quit-after starttls needs --starttls");
        }
        if (*p == smtp::phase::tls && !starttls && !tls) {
            return usage_error("--quit-after tls needs --starttls or --tls");
        }
        if (*p == smtp::phase::auth && !base.auth) {
            return usage_error("--quit-after auth needs --auth");
        }
        base.quit_after = p;
    }
    if (!expect_banner.empty()) {
        try {
            std::regex re(expect_banner, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return usage_error("invalid --expect-banner regular expression: " +
                               std::string(e.what()));
        }
    }
    if (!verify.empty()) {
        auto spec = parse_verify_url(verify);
        if (!spec) {
            return usage_error("invalid --verify URL \"" + verify +
                               "\": expected pop3|pop3s|imap|imaps://USER:PASS@HOST[:PORT]");
        }
        base.verify = std::move(*spec);
        base.send = true; // the round trip needs a message to look for
    }

    std::vector<target_address> addresses;
    for (const auto& text : positional) {
        auto t = parse_target(text);
        if (!t) {
            return usage_error("invalid target \"" + text + "\": expected HOST[:PORT]");
        }
        addresses.push_back(std::move(*t));
    }
    if (!targets_file.empty()) {
        std::ifstream in(targets_file);
        if (!in) {
            return usage_error("cannot read --targets file " + targets_file);
        }
        std::stringstream buf;
        buf << in.rdbuf();
        std::size_t bad_line = 0;
        auto list = parse_targets_file(buf.str(), bad_line);
        if (!list) {
            return usage_error(targets_file + ":" + std::to_string(bad_line) +
                               ": invalid target, expected HOST[:PORT]");
        }
        addresses.insert(addresses.end(), list->begin(), list->end());
    }
    if (addresses.empty()) {
        return usage_error("no target given: smtp-probe [options] HOST[:PORT]...");
    }

    cli_request r;
    r.what = cli_request::command::probe;
    r.format = *parse_report_format(format);
    r.verbose = verbose;
    for (const auto& a : addresses) {
        probe_options o = base;
        o.host = a.host;
        if (a.port != 0) {
            o.port = a.port;
        }
        r.targets.push_back(std::move(o));
    }
    return r;
}

} // namespace prober
