// How each monitor kind's raw outcome becomes an observation: exit codes, HTTP answers and
// probe results; and running a real program with a time limit.
#include "harness/builtin_monitor.hpp"
#include "harness/command_monitor.hpp"
#include "harness/http_monitor.hpp"
#include "harness/process_runner.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace harness {
namespace {

using namespace std::chrono_literals;

TEST(command_observation, nagios_exit_codes_are_statuses)
{
    for (int code = 0; code <= 3; ++code) {
        process_outcome p;
        p.exit_code = code;
        p.out = "SMTP OK - 0.001 sec. response time\nmore\n";
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
    process_outcome weird;
    weird.exit_code = 4;
    weird.err = "oops";
    auto o = to_observation(weird, 1s);
    EXPECT_FALSE(o.status);
    EXPECT_NE(o.error.find("not a Nagios status"), std::string::npos);
    EXPECT_EQ(o.output, "oops");
    EXPECT_EQ(o.summary, "oops");

    process_outcome slow;
    slow.timed_out = true;
    slow.signal = SIGKILL;
    slow.out = "partial";
    o = to_observation(slow, 1500ms);
    EXPECT_FALSE(o.status);
    EXPECT_NE(o.error.find("1500 ms"), std::string::npos);

    process_outcome missing;
    missing.spawn_error = "cannot run nope: No such file or directory";
    EXPECT_EQ(to_observation(missing, 1s).error, missing.spawn_error);

    process_outcome both;
    both.exit_code = 2;
    both.out = "out";
    both.err = "err\n";
    EXPECT_EQ(to_observation(both, 1s).output, "out\nerr\n");
}

TEST(process_runner, captures_both_streams_and_the_exit_code)
{
    auto p = run_process({"/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 2"}, 5s);
    EXPECT_TRUE(p.spawn_error.empty()) << p.spawn_error;
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_EQ(p.out, "to-out\n");
    EXPECT_EQ(p.err, "to-err\n");
    EXPECT_FALSE(p.timed_out);
}

TEST(process_runner, kills_the_whole_group_after_the_time_limit)
{
    const auto start = std::chrono::steady_clock::now();
    // The child holds the pipe open too: killing only the shell would leave read() waiting.
    auto p = run_process({"/bin/sh", "-c", "sleep 30 & sleep 30"}, 300ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(p.timed_out);
    EXPECT_EQ(p.signal, SIGKILL);
    EXPECT_LT(took, 5s);
}

TEST(process_runner, bounds_what_it_keeps)
{
    auto p = run_process({"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"}, 5s, 1000);
    EXPECT_EQ(p.exit_code, 0);
    EXPECT_EQ(p.out.size(), 1000u);
}

TEST(process_runner, a_missing_program_is_a_spawn_error)
{
    auto p = run_process({"/nonexistent/monitor"}, 1s);
    EXPECT_FALSE(p.spawn_error.empty());
    EXPECT_FALSE(p.exit_code && *p.exit_code == 0);
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
    http_response ok{200, "probe_success 1\n", ""};
    EXPECT_EQ(to_observation(ok).status, monitor_status::ok);
    http_response down{200, "probe_success 0\n", ""};
    EXPECT_EQ(to_observation(down).status, monitor_status::critical);
    http_response bad{500, "probe_success 1\n", ""};
    EXPECT_FALSE(to_observation(bad).status);
    http_response none{0, "", "cannot connect"};
    EXPECT_FALSE(to_observation(none).status);
    EXPECT_EQ(to_observation(none).error, "cannot connect");
    http_response garbage{200, "hello", ""};
    EXPECT_FALSE(to_observation(garbage).status);
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

} // namespace
} // namespace harness
