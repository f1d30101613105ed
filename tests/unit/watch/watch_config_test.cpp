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
    EXPECT_EQ(parse_watch_duration("4h"), std::chrono::milliseconds(4h));
    EXPECT_EQ(parse_watch_duration("90"), std::chrono::milliseconds(90s));
    EXPECT_EQ(parse_watch_duration("250ms"), 250ms);
    EXPECT_FALSE(parse_watch_duration("h"));
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

} // namespace
