#include "mockserver/cli.hpp"

#include "config/duration.hpp"

#include <CLI/CLI.hpp>

namespace mock {

namespace {

// An option's duration, read by the one duration parser ("250ms", "1.5s", "2m", "1h30m").
std::chrono::milliseconds parse_duration(const std::string& text)
{
    if (auto d = config::parse_duration(text)) {
        return *d;
    }
    throw CLI::ValidationError("duration",
                               "'" + text + "' is not a duration such as 250ms, 1.5s, 2m");
}

// --scenario-ports BASE and the --port-scenario NAME|FILE it serves, or --scenario-ports-file.
void add_scenario_port_options(CLI::App& app, server_options& o)
{
    auto* ports_option =
        app.add_option("--scenario-ports", o.scenario_ports,
                       "a listener per scenario on ports BASE, BASE+1, ... each serving that "
                       "scenario's faults (0: ephemeral ports; listed in the ready line)");
    app.add_option("--port-scenario", o.port_scenarios,
                   "a catalog scenario NAME or scenario FILE for --scenario-ports, in port order "
                   "(repeatable; default: the whole catalog)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->needs(ports_option);
    app.add_option("--scenario-ports-file", o.scenario_ports_file,
                   "a YAML file mapping each PORT to a catalog scenario NAME or scenario FILE "
                   "('2601: banner-missing'; 0: a list of them on ephemeral ports), instead of "
                   "--scenario-ports")
        ->excludes(ports_option);
}

} // namespace

cli_result parse_command_line(int argc, char** argv)
{
    server_options o;
    CLI::App app{"smtp-mock: a standards-correct ESMTP server that fails on command"};
    app.option_defaults()->always_capture_default();
    // A later option overrides an earlier one (scripts append to a base command line).
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    o.listen.clear();
    app.add_option("--listen", o.listen,
                   "SMTP listener ADDR:PORT (repeatable; default 127.0.0.1:2525)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--listen-tls", o.listen_tls, "implicit-TLS listener ADDR:PORT (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--control", o.control, "control API ADDR:PORT ('' to disable)");
    app.add_option("--control-token", o.control_token, "bearer token for the control API");
    app.add_option("--control-host", o.control_hosts,
                   "a name the control API may be reached by, besides its address and localhost "
                   "(repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--pop3", o.pop3, "POP3 listener ADDR:PORT");
    app.add_option("--imap", o.imap, "IMAP listener ADDR:PORT (STARTTLS offered)");
    app.add_option("--imaps", o.imaps, "implicit-TLS IMAP listener ADDR:PORT");
    app.add_option("--dns", o.dns,
                   "DNS server ADDR:PORT (UDP and TCP) for the mock's names and blocklists");
    app.add_option("--dns-domain", o.dns_domain,
                   "the mail domain --dns answers MX 10 HOSTNAME for");
    app.add_option("--dnsbl-zone", o.dnsbl_zones, "a blocklist zone --dns serves (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--hostname", o.hostname, "name used in the banner and replies");
    std::string tls_cert, tls_key, write_ca, users, scenario;
    app.add_option("--tls-cert", tls_cert, "PEM certificate chain (default: generated)");
    app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert");
    app.add_flag("--no-tls", o.no_tls, "offer no TLS at all");
    app.add_option("--write-ca", write_ca, "write the CA of generated certificates to FILE");
    app.add_option("--users", users, "user:password lines for AUTH, POP3 and IMAP");
    app.add_flag("--require-auth", o.require_auth, "refuse MAIL with 530 until AUTH");
    app.add_flag("--auth-requires-tls", o.auth_requires_tls, "offer AUTH only after STARTTLS");
    app.add_option("--store", o.store, "memory | maildir:DIR");
    app.add_option("--scenario", scenario, "scenario file (YAML or JSON) to load at startup");
    add_scenario_port_options(app, o);
    app.add_option("--max-connections", o.max_connections, "421 beyond this many (0: no limit)");
    app.add_option("--max-message-size", o.max_message_size,
                   "largest message in octets (0: no limit)");
    app.add_option("--seed", o.seed, "seed for random fault draws (0: pick one)");
    app.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1u, 256u));
    app.add_option("--backlog", o.backlog, "listen backlog")->check(CLI::Range(1, 65535));
    std::string idle = "5m", command = "5m", grace = "5s";
    app.add_option("--idle-timeout", idle, "421 and close after this much client silence");
    app.add_option("--command-timeout", command,
                   "421 and close when one command line takes longer than this to arrive");
    app.add_option("--grace", grace, "on SIGTERM, time given to sessions to finish");
    app.add_option("--session-history", o.session_history, "session records kept for the API");
    app.add_option("--log", o.log, "log format on stderr")->check(CLI::IsMember({"text", "json"}));
    std::string check;
    app.add_option("--check", check,
                   "exit 0 when a mock serves its control API at ADDR:PORT, 1 otherwise (a "
                   "readiness check for service managers and compose files)");
    try {
        app.parse(argc, argv);
        o.idle_timeout = parse_duration(idle);
        o.command_timeout = parse_duration(command);
        o.grace = parse_duration(grace);
    } catch (const CLI::ParseError& e) {
        return {std::nullopt, app.exit(e), {}, {}};
    }
    if (!check.empty()) {
        return {std::nullopt, 0, check, o.control_token};
    }
    if (o.listen.empty()) {
        o.listen.emplace_back("127.0.0.1:2525");
    }
    if (!tls_cert.empty()) {
        o.tls_cert = tls_cert;
    }
    if (!tls_key.empty()) {
        o.tls_key = tls_key;
    }
    if (!write_ca.empty()) {
        o.write_ca = write_ca;
    }
    if (!users.empty()) {
        o.users = users;
    }
    if (!scenario.empty()) {
        o.scenario = scenario;
    }
    return {std::move(o), 0, {}, {}};
}

} // namespace mock
