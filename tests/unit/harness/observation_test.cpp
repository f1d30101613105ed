// How each monitor kind's raw outcome becomes an observation: exit codes, HTTP answers and
// probe results. (Running real programs is tested in tests/integration/process_test.cpp.)
#include "harness/builtin_options.hpp"
#include "harness/to_observation.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace harness {
namespace {

using namespace std::chrono_literals;

TEST(command_observation, nagios_exit_codes_are_statuses)
{
    for (int code = 0; code <= 3; ++code) {
        io::run_result p;
        p.status.code = code;
        p.out.head = "SMTP OK - 0.001 sec. response time\nmore\n";
        auto o = to_observation(p, 1s);
        ASSERT_TRUE(o.status) << code;
        EXPECT_EQ(static_cast<int>(*o.status), code);
        EXPECT_EQ(o.summary, "SMTP OK - 0.001 sec. response time");
        EXPECT_EQ(o.exit_code, code);
        EXPECT_TRUE(o.error.empty());
    }
}

TEST(command_observation, other_endings_are_errors_and_output_is_kept)
{
    io::run_result weird;
    weird.status.code = 4;
    weird.err.head = "oops";
    auto o = to_observation(weird, 1s);
    EXPECT_FALSE(o.status);
    EXPECT_NE(o.error.find("not a Nagios status"), std::string::npos);
    EXPECT_EQ(o.output, "oops");
    EXPECT_EQ(o.summary, "oops");

    io::run_result slow;
    slow.timed_out = true;
    slow.status.signal = SIGKILL;
    slow.out.head = "partial";
    o = to_observation(slow, 1500ms);
    EXPECT_FALSE(o.status);
    EXPECT_NE(o.error.find("1500 ms"), std::string::npos);

    io::run_result missing;
    missing.spawn_error = "cannot run nope: No such file or directory";
    EXPECT_EQ(to_observation(missing, 1s).error, missing.spawn_error);

    io::run_result both;
    both.status.code = 2;
    both.out.head = "out";
    both.err.head = "err\n";
    EXPECT_EQ(to_observation(both, 1s).output, "out\nerr\n");

    io::run_result chatty;
    chatty.status.code = 0;
    chatty.out.head = "SMTP OK\n";
    chatty.out.dropped = 1234;
    auto c = to_observation(chatty, 1s);
    EXPECT_EQ(c.summary, "SMTP OK");
    EXPECT_NE(c.output.find("[1234 more bytes not kept]"), std::string::npos) << c.output;

    io::run_result killed;
    killed.status.signal = SIGSEGV;
    EXPECT_NE(to_observation(killed, 1s).error.find("killed by signal"), std::string::npos);
}

TEST(probe_success, parsed_from_an_exposition)
{
    EXPECT_EQ(parse_probe_success("# HELP probe_success x\n# TYPE probe_success gauge\n"
                                  "probe_success 1\n"),
              true);
    EXPECT_EQ(parse_probe_success("probe_duration_seconds 0.1\nprobe_success 0\n"), false);
    EXPECT_EQ(parse_probe_success("probe_success{target=\"a\"} 1\n"), true);
    EXPECT_EQ(parse_probe_success("probe_success_total 1\nprobe_success 0\n"), false);
    EXPECT_FALSE(parse_probe_success("probe_duration_seconds 0.1\n"));
    EXPECT_FALSE(parse_probe_success("probe_success yes\n"));
    EXPECT_EQ(parse_probe_success("probe_success 1\r\n"), true);
}

TEST(http_observation, status_from_probe_success_and_errors_otherwise)
{
    auto answer = [](int status, std::string body) {
        io::http::client_response r;
        r.status = status;
        r.body = std::move(body);
        return r;
    };
    EXPECT_EQ(to_observation(answer(200, "probe_success 1\n")).status, monitor_status::ok);
    EXPECT_EQ(to_observation(answer(200, "probe_success 0\n")).status, monitor_status::critical);
    EXPECT_FALSE(to_observation(answer(500, "probe_success 1\n")).status);
    io::http::client_response none;
    none.ec = make_error_code(boost::system::errc::connection_refused);
    none.error = "cannot connect";
    EXPECT_FALSE(to_observation(none).status);
    EXPECT_EQ(to_observation(none).error, "cannot connect");
    EXPECT_FALSE(to_observation(answer(200, "hello")).status);
}

TEST(builtin_options, follow_the_scenarios_probe_hints)
{
    faults::scenario s;
    s.name = "x";
    s.probe.starttls = true;
    s.probe.auth = true;
    s.probe.send = true;
    s.probe.command_timeout = 2s;
    s.probe.cert_days_warning = 30;
    s.probe.cert_days_critical = 7;
    s.probe.warning = 1s;
    monitor_target t;
    t.scenario = &s;
    t.host = "127.0.0.1";
    t.port = 40000;
    t.tls_port = 40001;
    t.ca_file = "/tmp/ca.pem";
    harness_credentials c{"u", "p"};
    auto o = builtin_probe_options(t, c);
    EXPECT_EQ(o.host, "127.0.0.1");
    EXPECT_EQ(o.port, 40000);
    EXPECT_TRUE(o.starttls);
    EXPECT_FALSE(o.implicit_tls);
    ASSERT_TRUE(o.auth);
    EXPECT_EQ(o.auth->user, "u");
    EXPECT_EQ(o.auth->password, "p");
    EXPECT_TRUE(o.send);
    EXPECT_EQ(o.command_timeout, 2s);
    EXPECT_EQ(o.timeout, builtin_defaults{}.timeout);
    EXPECT_EQ(o.cert_warn_days, 30);
    EXPECT_EQ(o.cert_crit_days, 7);
    EXPECT_EQ(o.warning, 1s);
    EXPECT_FALSE(o.critical);
    EXPECT_EQ(o.ca_file, "/tmp/ca.pem");
    EXPECT_EQ(o.tls_server_name, "localhost");
    EXPECT_FALSE(o.insecure);

    s.probe = {};
    s.probe.tls = true;
    o = builtin_probe_options(t, c);
    EXPECT_TRUE(o.implicit_tls);
    EXPECT_EQ(o.port, 40001);
    EXPECT_FALSE(o.auth);
    EXPECT_FALSE(o.send);
    EXPECT_FALSE(o.verify);
}

TEST(builtin_options, a_verify_hint_fetches_the_message_back_from_the_mocks_mailbox)
{
    faults::scenario s;
    s.name = "delivery";
    s.probe.send = true;
    s.probe.verify = "imap";
    s.probe.verify_timeout = 2s;
    s.probe.max_delivery_time = 1s;
    monitor_target t;
    t.scenario = &s;
    t.host = "127.0.0.1";
    t.port = 40000;
    t.pop3_port = 40110;
    t.imap_port = 40143;
    auto o = builtin_probe_options(t, harness_credentials{"u", "p"});
    ASSERT_TRUE(o.verify);
    EXPECT_EQ(o.verify->scheme, "imap");
    EXPECT_EQ(o.verify->user, "u");
    EXPECT_EQ(o.verify->password, "p");
    EXPECT_EQ(o.verify->host, "127.0.0.1");
    EXPECT_EQ(o.verify->port, 40143);
    EXPECT_EQ(o.rcpt_to, std::vector<std::string>{"u@localhost"}); // the mailbox it reads
    EXPECT_EQ(o.verify_timeout, 2s);
    EXPECT_EQ(o.delivery_warning, 1s);
    EXPECT_FALSE(o.delivery_critical);

    s.probe.verify = "pop3"; // the hint names the protocol, and so the port
    EXPECT_EQ(builtin_probe_options(t, harness_credentials{"u", "p"}).verify->port, 40110);

    t.pop3_port = 0; // a mock without the mailbox: no round trip to attempt
    t.imap_port = 0;
    EXPECT_FALSE(builtin_probe_options(t, harness_credentials{"u", "p"}).verify);
}

TEST(builtin_options, an_mx_hint_probes_the_mail_domain_at_the_mocks_dns_server)
{
    faults::scenario s;
    s.name = "mx-a-only";
    s.probe.mx = true;
    monitor_target t;
    t.scenario = &s;
    t.host = "127.0.0.1";
    t.port = 40000;
    t.dns_port = 40053;
    t.mail_domain = "mail.example.test";
    auto o = builtin_probe_options(t, harness_credentials{"u", "p"});
    EXPECT_TRUE(o.mx);
    EXPECT_EQ(o.host, "mail.example.test");
    EXPECT_EQ(o.port, 40000); // an MX names a host, not a port: the mock's
    EXPECT_EQ(o.dns_server, "127.0.0.1:40053");
    EXPECT_TRUE(o.dnsbl.empty());

    t.dns_port = 0; // a mock without DNS: the address, as before
    o = builtin_probe_options(t, harness_credentials{"u", "p"});
    EXPECT_FALSE(o.mx);
    EXPECT_EQ(o.host, "127.0.0.1");
    EXPECT_TRUE(o.dns_server.empty());
}

TEST(builtin_observation, status_kind_phase_and_the_nagios_line)
{
    prober::probe_result r;
    r.target = "127.0.0.1:25";
    r.status = prober::probe_status::critical;
    prober::probe_failure f;
    f.kind = smtp::failure_kind::timeout;
    f.at = smtp::phase::banner;
    f.message = "no reply within 2.000s, received nothing";
    r.failure = f;
    auto o = to_observation(r);
    EXPECT_EQ(o.status, monitor_status::critical);
    EXPECT_EQ(o.kind, smtp::failure_kind::timeout);
    EXPECT_EQ(o.phase, smtp::phase::banner);
    EXPECT_EQ(o.summary.rfind("SMTP CRITICAL", 0), 0u) << o.summary;
    EXPECT_EQ(o.summary.find('\n'), std::string::npos);
}

// The debug answer of prometheus-blackbox-exporter 0.23 for an EHLO refused with 550 (from a
// real run, shortened: the log lines keep their fields).
constexpr std::string_view blackbox_debug =
    "Logs for the probe:\n"
    "ts=2026-12-02T05:54:32.440Z caller=main.go:181 module=smtp_ehlo target=127.0.0.1:12525 "
    "level=info msg=\"Beginning probe\" probe=tcp timeout_seconds=5\n"
    "ts=2026-12-02T05:54:32.441Z caller=handler.go:117 module=smtp_ehlo target=127.0.0.1:12525 "
    "level=debug msg=\"Read line\" line=\"220 localhost ESMTP smtp-mock ready\"\n"
    "ts=2026-12-02T05:54:32.444Z caller=handler.go:117 module=smtp_ehlo target=127.0.0.1:12525 "
    "level=debug msg=\"Read line\" line=\"550 5.7.1 Client host rejected: access denied\"\n"
    "ts=2026-12-02T05:54:37.442Z caller=handler.go:117 module=smtp_ehlo target=127.0.0.1:12525 "
    "level=error msg=\"Error reading from connection\" err=\"read tcp4 "
    "127.0.0.1:33890->127.0.0.1:12525: i/o timeout\"\n"
    "ts=2026-12-02T05:54:37.443Z caller=main.go:181 module=smtp_ehlo target=127.0.0.1:12525 "
    "level=error msg=\"Probe failed\" duration_seconds=5.002279789\n"
    "\n\n\nMetrics that would have been returned:\n"
    "# HELP probe_success Displays whether or not the probe was a success\n"
    "# TYPE probe_success gauge\n"
    "probe_success 0\n";

TEST(http_observation, the_debug_answer_says_why)
{
    EXPECT_EQ(debug_reason(blackbox_debug),
              "Error reading from connection: read tcp4 127.0.0.1:33890->127.0.0.1:12525: i/o "
              "timeout; last line read: \"550 5.7.1 Client host rejected: access denied\"");
    io::http::client_response r;
    r.status = 200;
    r.body = std::string(blackbox_debug);
    const auto o = to_observation(r);
    EXPECT_EQ(o.status, monitor_status::critical);
    EXPECT_EQ(o.summary.rfind("probe_success 0: Error reading from connection", 0), 0u)
        << o.summary;
    EXPECT_EQ(debug_reason("Probe of 127.0.0.1:25 with module smtp (deadline 5s):\n"
                           "CRITICAL 127.0.0.1:25: refused at connect\nmore\n"),
              "CRITICAL 127.0.0.1:25: refused at connect");
    EXPECT_EQ(debug_reason("probe_success 1\n"), "");
}

TEST(http_observation, the_series_are_read_from_the_metrics_part_of_a_debug_answer)
{
    io::http::client_response r;
    r.status = 200;
    r.body = std::string(blackbox_debug) +
             "probe_duration_seconds 5.002\n"
             "probe_ssl_earliest_cert_expiry 1797033600\n"
             "\n\n\nModule configuration:\nprober: tcp\ntimeout: 5s\n";
    const auto o = to_observation(r);
    EXPECT_EQ(o.status, monitor_status::critical);
    std::vector<std::string> names;
    for (const auto& s : o.series) {
        names.push_back(s.name);
    }
    // Neither the log lines nor the module configuration are read as series.
    EXPECT_EQ(names, (std::vector<std::string>{"probe_success", "probe_duration_seconds",
                                               "probe_ssl_earliest_cert_expiry"}));
    EXPECT_EQ(o.series[2].value, "1797033600");
    // A plain (not debug) answer is all series.
    EXPECT_EQ(metrics_section("probe_success 1\n"), "probe_success 1\n");
    r.body = "probe_success 1\nprobe_duration_seconds 0.1\n";
    EXPECT_EQ(to_observation(r).series.size(), 2u);
}

TEST(http_observation, debug_is_asked_for_once)
{
    EXPECT_EQ(with_debug("http://h/probe?target=a:1"), "http://h/probe?target=a:1&debug=true");
    EXPECT_EQ(with_debug("http://h/probe"), "http://h/probe?debug=true");
    EXPECT_EQ(with_debug("http://h/probe?debug=false&target=a"),
              "http://h/probe?debug=false&target=a");
}

} // namespace
} // namespace harness
