// Command line, targets and --verify URLs.
#include "prober/cli.hpp"
#include "prober/probe_options_table.hpp"
#include "prober/target.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace prober {
namespace {

using namespace std::chrono_literals;

cli_request parse(std::vector<const char*> args)
{
    args.insert(args.begin(), "smtp-probe");
    return parse_cli(static_cast<int>(args.size()), args.data());
}

TEST(targets, forms)
{
    auto t = parse_target("mx.example.test");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host, "mx.example.test");
    EXPECT_EQ(t->port, 0);
    t = parse_target("127.0.0.1:2525");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->port, 2525);
    t = parse_target("[::1]:2525");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host, "::1");
    EXPECT_EQ(t->port, 2525);
    t = parse_target("::1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host, "::1");
    EXPECT_FALSE(parse_target("host:0"));
    EXPECT_FALSE(parse_target("host:70000"));
    EXPECT_FALSE(parse_target("host:x"));
    EXPECT_FALSE(parse_target(""));
    EXPECT_FALSE(parse_target("[::1"));
    std::size_t bad = 0;
    auto list = parse_targets_file("# comment\n\na:1\n b \r\n", bad);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[1].host, "b");
    EXPECT_FALSE(parse_targets_file("a\nb:zz\n", bad));
    EXPECT_EQ(bad, 2u);
}

TEST(verify_url, schemes_and_defaults)
{
    auto v = parse_verify_url("pop3://probe:s%40cret@127.0.0.1");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->scheme, "pop3");
    EXPECT_EQ(v->user, "probe");
    EXPECT_EQ(v->password, "s@cret");
    EXPECT_EQ(v->port, 110);
    EXPECT_EQ(v->display, "pop3://probe@127.0.0.1:110");
    EXPECT_EQ(parse_verify_url("imaps://u:p@mail.example.test")->port, 993);
    EXPECT_EQ(parse_verify_url("imap://u:p@[::1]:1143")->host, "::1");
    EXPECT_EQ(parse_verify_url("pop3s://u:p@h")->port, 995);
    EXPECT_FALSE(parse_verify_url("http://u:p@h"));
    EXPECT_FALSE(parse_verify_url("pop3://h"));
}

TEST(durations, units)
{
    EXPECT_EQ(parse_duration("10"), 10s);
    EXPECT_EQ(parse_duration("2.5"), 2500ms);
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("3s"), 3s);
    EXPECT_EQ(parse_duration("2m"), 120s);
    EXPECT_FALSE(parse_duration("fast"));
    EXPECT_FALSE(parse_duration("-1"));
    EXPECT_FALSE(parse_duration(""));
}

TEST(cli, options_reach_every_target)
{
    auto r = parse({"-t",
                    "5",
                    "--command-timeout",
                    "2",
                    "-w",
                    "1",
                    "-c",
                    "2",
                    "--starttls",
                    "--cert-days",
                    "30,7",
                    "--auth",
                    "u:p:x",
                    "--quit-after",
                    "mail",
                    "--rcpt-to",
                    "a@x",
                    "--rcpt-to",
                    "b@x",
                    "--format",
                    "json",
                    "-p",
                    "2525",
                    "h1",
                    "h2:26",
                    "--temp-failure-status",
                    "warning",
                    "-4"});
    ASSERT_EQ(r.what, cli_request::command::probe) << r.message;
    ASSERT_EQ(r.targets.size(), 2u);
    EXPECT_EQ(r.format, report_format::json);
    const auto& a = r.targets[0];
    EXPECT_EQ(a.host, "h1");
    EXPECT_EQ(a.port, 2525);
    EXPECT_EQ(r.targets[1].port, 26);
    EXPECT_EQ(a.timeout, 5s);
    EXPECT_EQ(a.connect_timeout, 5s);
    EXPECT_EQ(a.command_timeout, 2s);
    EXPECT_EQ(a.warning, 1s);
    EXPECT_EQ(a.critical, 2s);
    EXPECT_TRUE(a.starttls);
    EXPECT_EQ(a.cert_warn_days, 30);
    EXPECT_EQ(a.cert_crit_days, 7);
    ASSERT_TRUE(a.auth);
    EXPECT_EQ(a.auth->password, "p:x");
    EXPECT_EQ(a.quit_after, smtp::phase::mail);
    EXPECT_EQ(a.rcpt_to.size(), 2u);
    EXPECT_TRUE(a.temp_failure_warning);
    EXPECT_EQ(a.family, address_family::v4);
}

TEST(cli, rcpt_to_takes_one_address_each)
{
    auto r = parse({"--rcpt-to", "a@x", "h1", "--rcpt-to", "b@x", "h2"});
    ASSERT_EQ(r.what, cli_request::command::probe) << r.message;
    ASSERT_EQ(r.targets.size(), 2u);
    EXPECT_EQ(r.targets[0].rcpt_to, (std::vector<std::string>{"a@x", "b@x"}));
}

TEST(cli, verify_implies_send)
{
    auto r = parse({"--verify", "imap://u:p@127.0.0.1:1143", "--verify-timeout", "30", "h"});
    ASSERT_EQ(r.what, cli_request::command::probe) << r.message;
    EXPECT_TRUE(r.targets[0].send);
    EXPECT_EQ(r.targets[0].verify->port, 1143);
    EXPECT_EQ(r.targets[0].verify_timeout, 30s);
}

TEST(cli, max_delivery_time_takes_one_or_two_thresholds)
{
    auto r = parse({"--verify", "imap://u:p@127.0.0.1", "--max-delivery-time", "30s,2m", "h"});
    ASSERT_EQ(r.what, cli_request::command::probe) << r.message;
    EXPECT_EQ(r.targets[0].delivery_warning, 30s);
    EXPECT_EQ(r.targets[0].delivery_critical, 2min);
    r = parse({"--max-delivery-time", "45s", "--ca-file", "/tmp/ca.pem", "--verify",
               "imaps://u:p@127.0.0.1", "h"});
    ASSERT_EQ(r.what, cli_request::command::probe) << r.message;
    EXPECT_EQ(r.targets[0].delivery_warning, 45s);
    EXPECT_FALSE(r.targets[0].delivery_critical);
    EXPECT_EQ(r.targets[0].verify->ca_file, "/tmp/ca.pem"); // one trust for SMTP and mailbox
}

TEST(cli, usage_errors_are_unknown_with_a_message)
{
    const std::vector<std::vector<const char*>> bad{
        {},
        {"--starttls", "--tls", "h"},
        {"-w", "3", "-c", "2", "h"},
        {"--cert-days", "7,30", "h"},
        {"--max-delivery-time", "2m,30s", "h"},
        {"--max-delivery-time", "soon", "h"},
        {"--quit-after", "body", "h"},
        {"--quit-after", "starttls", "h"},
        {"--expect-banner", "([", "h"},
        {"--verify", "ftp://u:p@h", "h"},
        {"--format", "xml", "h"},
        {"-t", "soon", "h"},
        {"--auth", "nopassword", "h"},
        {"--targets", "/nonexistent/targets.txt"},
        {"h:99999"},
    };
    for (const auto& args : bad) {
        auto r = parse(args);
        EXPECT_EQ(r.what, cli_request::command::exit);
        EXPECT_EQ(r.exit_code, 3);
        EXPECT_TRUE(r.message.starts_with("SMTP UNKNOWN - ")) << r.message;
    }
}

TEST(cli, targets_file_and_subcommand)
{
    auto path = ::testing::TempDir() + "/prober_targets.txt";
    {
        std::ofstream f(path);
        f << "# mail servers\nmx1:25\n[::1]:2525\n";
    }
    auto r = parse({"--targets", path.c_str(), "h0"});
    ASSERT_EQ(r.what, cli_request::command::probe) << r.message;
    ASSERT_EQ(r.targets.size(), 3u);
    EXPECT_EQ(r.targets[2].host, "::1");
    auto w = parse({"watch", "--config", "watch.yaml"});
    EXPECT_EQ(w.what, cli_request::command::watch);
    EXPECT_EQ(w.watch_config, "watch.yaml");
    auto h = parse({"--help"});
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.message.find("--quit-after"), std::string::npos);
    EXPECT_NE(h.message.find("exporter"), std::string::npos);
}

TEST(cli, exporter_takes_its_settings)
{
    auto e = parse({"exporter", "--config", "modules.yml"});
    ASSERT_EQ(e.what, cli_request::command::exporter) << e.message;
    EXPECT_EQ(e.exporter.config_file, "modules.yml");
    EXPECT_EQ(e.exporter.listen, "127.0.0.1:9125");
    EXPECT_EQ(e.exporter.max_concurrent, 16u);
    EXPECT_EQ(e.exporter.timeout_offset, 500ms);
    e = parse({"exporter", "--config", "m.yml", "--listen", "[::1]:0", "--max-concurrent-probes",
               "2", "--timeout-offset", "250ms", "--allowed-host", "probe.example.test"});
    ASSERT_EQ(e.what, cli_request::command::exporter) << e.message;
    EXPECT_EQ(e.exporter.listen, "[::1]:0");
    EXPECT_EQ(e.exporter.max_concurrent, 2u);
    EXPECT_EQ(e.exporter.timeout_offset, 250ms);
    EXPECT_EQ(e.exporter.allowed_hosts, std::vector<std::string>{"probe.example.test"});

    auto bad = parse({"exporter", "--config", "m.yml", "--timeout-offset", "soon"});
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_NE(bad.message.find("--timeout-offset \"soon\" is not a duration"), std::string::npos)
        << bad.message;
    bad = parse({"exporter", "--config", "m.yml", "--max-concurrent-probes", "0"});
    EXPECT_EQ(bad.exit_code, 3);
    bad = parse({"exporter"});
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_NE(bad.message.find("--config"), std::string::npos) << bad.message;
}

} // namespace
} // namespace prober
