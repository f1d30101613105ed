#include "prober/cli.hpp"
#include "watch/watch_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace watch;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

const char* const minimal = R"(
defaults:
  interval: 30s
  max_check_attempts: 2
  timeout: 5s
targets:
  - host: mx1.example.net
  - name: relay
    host: 127.0.0.1:2525
    starttls: true
    insecure: true
    interval: 5s
    retry_interval: 1s
    max-check-attempts: 4
    cert_days: 30,7
    flap: {window: 10, high: 40, low: 20}
)";

TEST(WatchConfig, DefaultsAndOverrides)
{
    auto cfg = load_watch_config(minimal, "w.yaml");
    ASSERT_EQ(cfg.targets.size(), 2u);
    const auto& a = cfg.targets[0];
    EXPECT_EQ(a.name, "mx1.example.net:25");
    EXPECT_EQ(a.check.interval, 30s);
    EXPECT_EQ(a.check.retry_interval, 30s); // defaults to the interval
    EXPECT_EQ(a.check.max_check_attempts, 2);
    EXPECT_EQ(a.probe.timeout, 5s);
    EXPECT_EQ(a.probe.command_timeout, 5s);
    const auto& b = cfg.targets[1];
    EXPECT_EQ(b.name, "relay");
    EXPECT_EQ(b.probe.host, "127.0.0.1");
    EXPECT_EQ(b.probe.port, 2525);
    EXPECT_TRUE(b.probe.starttls);
    EXPECT_TRUE(b.probe.insecure);
    EXPECT_EQ(b.check.interval, 5s);
    EXPECT_EQ(b.check.retry_interval, 1s);
    EXPECT_EQ(b.check.max_check_attempts, 4);
    EXPECT_EQ(b.probe.cert_warn_days, 30);
    EXPECT_EQ(b.probe.cert_crit_days, 7);
    EXPECT_EQ(b.check.flap.window, 10u);
    EXPECT_DOUBLE_EQ(b.check.flap.high, 40);
    EXPECT_TRUE(cfg.routes.empty());
    EXPECT_EQ(cfg.listen, "127.0.0.1:9465");
}

TEST(WatchConfig, HttpsWebhooksAndAllowedHosts)
{
    auto cfg = load_watch_config(R"(
listen: 0.0.0.0:9465
allowed_hosts: [watch.example, watch]
targets: [{host: a}]
notifiers:
  - {name: hook, type: webhook, url: "https://hooks.example/alert", ca_file: /etc/ca.pem}
)",
                                 "w.yaml");
    EXPECT_EQ(cfg.allowed_hosts, (std::vector<std::string>{"watch.example", "watch"}));
    ASSERT_EQ(cfg.notifiers.size(), 1u);
    EXPECT_EQ(cfg.notifiers[0].webhook.url, "https://hooks.example/alert");
    EXPECT_EQ(cfg.notifiers[0].webhook.ca_file, "/etc/ca.pem");
}

TEST(WatchConfig, NotifiersAndRoutes)
{
    auto cfg = load_watch_config(R"(
targets: [{host: localhost}]
notifiers:
  - {name: hook, type: webhook, url: "http://127.0.0.1:9/alerts", format: alertmanager,
     headers: {Authorization: Bearer x}, retry: {attempts: 3, backoff: 200ms}}
  - {name: mail, type: email, server: "127.0.0.1:2525", to: [a@example.net, b@example.net],
     starttls: true, auth: "u:p w"}
  - {name: sms, type: exec, command: [/bin/echo, "{summary}"], timeout: 2s}
routes:
  - match: {status: [critical], kind: timeout, phase: [banner, connect], target: "local*",
            type: [problem, recovery]}
    notifiers: [sms]
    continue: true
  - match: {type: flapping}
    notifiers: [mail]
  - notifiers: [hook, mail]
)",
                                 "w.yaml");
    ASSERT_EQ(cfg.notifiers.size(), 3u);
    EXPECT_EQ(cfg.notifiers[0].webhook.format, webhook_format::alertmanager);
    EXPECT_EQ(cfg.notifiers[0].retry.attempts, 3);
    EXPECT_EQ(cfg.notifiers[0].retry.backoff, 200ms);
    EXPECT_EQ(cfg.notifiers[0].webhook.headers.at(0).second, "Bearer x");
    EXPECT_EQ(cfg.notifiers[1].email.port, 2525);
    EXPECT_EQ(cfg.notifiers[1].email.to.size(), 2u);
    EXPECT_EQ(cfg.notifiers[1].email.auth->password, "p w");
    EXPECT_EQ(cfg.notifiers[2].exec.command.at(1), "{summary}");
    EXPECT_EQ(cfg.notifiers[2].timeout, 2s);
    ASSERT_EQ(cfg.routes.size(), 3u);
    EXPECT_EQ(cfg.routes[0].status.at(0), prober::probe_status::critical);
    EXPECT_EQ(cfg.routes[0].phase.size(), 2u);
    EXPECT_TRUE(cfg.routes[0].continue_matching);
    EXPECT_EQ(cfg.routes[1].types.size(), 2u);
}

void expect_error(const char* text, const char* fragment)
{
    try {
        load_watch_config(text, "bad.yaml");
        ADD_FAILURE() << "no error for: " << text;
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr(fragment)) << text;
        EXPECT_THAT(e.what(), HasSubstr("bad.yaml:"));
    }
}

TEST(WatchConfig, MistakesNameFileLineAndKey)
{
    expect_error("targets:\n  - host: a\n    intervall: 3s\n",
                 "bad.yaml:3:5: targets[0].intervall: unknown key");
    expect_error("targets:\n  - host: a\n    interval: soon\n", "targets[0].interval");
    expect_error("targets: []\n", "at least one target");
    expect_error("targets: [{host: a}]\nroutes: [{notifiers: [nobody]}]\n",
                 "no notifier named \"nobody\"");
    expect_error("targets: [{host: a}]\nnotifiers: [{name: x, type: pager}]\n",
                 "expected webhook, email or exec");
    expect_error("targets: [{host: a}]\nnotifiers: [{name: x, type: webhook, url: ftp://x}]\n",
                 "http:// or https:// URL");
    expect_error("targets: [{host: a}, {host: a}]\n", "duplicate target name");
    expect_error("targets: [{host: a, flap: {high: 10, low: 20}}]\n", "low must not exceed high");
    expect_error("targets: [{host: a}]\nroutes: [{match: {status: [BAD]}, notifiers: []}]\n",
                 "unknown status");
}

TEST(WatchConfig, MistakesGetTheSharedReadersHelp)
{
    // Issue: watch configuration errors get the same "did you mean" help as scenario files.
    expect_error("targets: [{host: a, flap: {windw: 5}}]\n",
                 "bad.yaml:1:28: targets[0].flap.windw: unknown key 'windw'; did you mean "
                 "'window'?");
    expect_error("targets: [{host: a}]\nrouts: []\n", "did you mean 'routes'?");
    expect_error("targets:\n\t- host: a\n", "bad.yaml:2:1: YAML syntax error: a tab in the "
                                            "indentation");
}

TEST(WatchConfig, DurationsWithHours)
{
    auto cfg = load_watch_config("targets: [{host: a, interval: 4h, timeout: 90}]\n", "w.yaml");
    EXPECT_EQ(cfg.targets[0].check.interval, std::chrono::milliseconds(4h));
    EXPECT_EQ(cfg.targets[0].probe.timeout, std::chrono::milliseconds(90s));
}

TEST(WatchConfig, ShippedExampleLoads)
{
    auto cfg = load_watch_config_file(std::string(SMTPH_SOURCE_DIR) + "/docs/examples/watch.yaml");
    bool webhook = false, email = false, exec = false;
    for (const auto& n : cfg.notifiers) {
        webhook = webhook || n.kind == notifier_kind::webhook;
        email = email || n.kind == notifier_kind::email;
        exec = exec || n.kind == notifier_kind::exec;
    }
    EXPECT_TRUE(webhook && email && exec) << "the example uses every notifier kind";
    EXPECT_FALSE(cfg.routes.empty());
}

// Probe options come through the one table: a bad value gets the same words in a watch file as
// on the command line, only the place differs.
TEST(WatchConfig, ProbeOptionsSayTheSameAsTheCommandLine)
{
    const std::vector<std::tuple<std::string, std::string, std::string>> cases{
        // key in the file, flag, value
        {"cert_days", "--cert-days", "7,30"},
        {"quit_after", "--quit-after", "body"},
        {"timeout", "--timeout", "soon"},
        {"timeout", "--timeout", "0"},
        {"port", "--port", "0"},
        {"auth", "--auth", "nopassword"},
        {"verify", "--verify", "ftp://u:p@h"},
        {"expect_banner", "--expect-banner", "(["},
        {"temp_failure_status", "--temp-failure-status", "ok"},
        {"max_reply_line", "--max-reply-line", "10"},
    };
    for (const auto& [key, flag, value] : cases) {
        std::vector<const char*> argv{"smtp-probe", flag.c_str(), value.c_str(), "h"};
        const auto cli = prober::parse_cli(static_cast<int>(argv.size()), argv.data());
        ASSERT_EQ(cli.exit_code, 3) << flag;
        const auto prefix = "SMTP UNKNOWN - " + flag + ": ";
        ASSERT_TRUE(cli.message.starts_with(prefix)) << cli.message;
        const auto problem =
            cli.message.substr(prefix.size(), cli.message.find(" (see smtp-probe") - prefix.size());
        const auto yaml = "targets:\n  - host: a\n    " + key + ": '" + value + "'\n";
        try {
            load_watch_config(yaml, "w.yaml");
            ADD_FAILURE() << key << ": " << value << " accepted";
        } catch (const config_error& e) {
            EXPECT_EQ(std::string(e.what()), "w.yaml:3:" + std::to_string(7 + key.size()) +
                                                 ": targets[0]." + key + ": " + problem);
        }
    }
}

TEST(WatchConfig, RulesThatJoinProbeOptionsHoldAcrossDefaults)
{
    expect_error("defaults: {tls: true}\ntargets:\n  - host: a\n    starttls: true\n",
                 "bad.yaml:4:15: targets[0].starttls: starttls and tls exclude each other");
    expect_error("targets:\n  - host: a\n    quit_after: starttls\n",
                 "targets[0].quit_after: \"starttls\" needs starttls");
    expect_error("targets:\n  - {host: a, warning: 3s, critical: 2s}\n",
                 "warning must not exceed critical");
    auto cfg = load_watch_config("defaults: {connect_timeout: 2s}\n"
                                 "targets: [{host: a, timeout: 5s}, {host: b}]\n",
                                 "w.yaml");
    EXPECT_EQ(cfg.targets[0].probe.timeout, 5s);
    EXPECT_EQ(cfg.targets[0].probe.connect_timeout, 2s);
    EXPECT_EQ(cfg.targets[0].probe.command_timeout, 5s);
    EXPECT_EQ(cfg.targets[1].probe.connect_timeout, 2s);
    EXPECT_EQ(cfg.targets[1].probe.command_timeout, 10s);
}

} // namespace
