// Live Prometheus runs, the pure parts: the user's rule files as a faster run loads them.
#include "harness/alerts/prometheus_live.hpp"
#include "harness/alerts/timeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace {

using namespace harness::alerts;
using ::testing::HasSubstr;

constexpr const char* rules_text = R"(groups:
  - name: smtp
    interval: 1m
    rules:
      - alert: SMTPDown
        expr: probe_success{job="smtp"} == 0
        for: 5m
        keep_firing_for: 2m
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.instance }} refuses mail"
      - alert: SMTPBlip
        expr: probe_success == 0
      - record: job:probe_success:avg
        expr: avg by (job) (probe_success)
  - name: certs
    rules:
      - alert: SMTPCertExpiring
        expr: probe_ssl_earliest_cert_expiry - time() < 86400 * 14
        for: 1h
)";

TEST(prometheus_live, rule_durations_are_divided_by_the_time_scale_and_the_rest_kept)
{
    const auto out = YAML::Load(scaled_rule_file(rules_text, "rules.yml", 60));
    const auto smtp = out["groups"][0];
    EXPECT_EQ(smtp["name"].as<std::string>(), "smtp");
    EXPECT_EQ(smtp["interval"].as<std::string>(), "1s");
    const auto down = smtp["rules"][0];
    EXPECT_EQ(down["for"].as<std::string>(), "5s");
    EXPECT_EQ(down["keep_firing_for"].as<std::string>(), "2s");
    EXPECT_EQ(down["expr"].as<std::string>(), "probe_success{job=\"smtp\"} == 0");
    EXPECT_EQ(down["labels"]["severity"].as<std::string>(), "page");
    EXPECT_EQ(down["annotations"]["summary"].as<std::string>(),
              "{{ $labels.instance }} refuses mail");
    EXPECT_FALSE(smtp["rules"][1]["for"]) << "a rule without for: gains none";
    EXPECT_EQ(smtp["rules"][2]["record"].as<std::string>(), "job:probe_success:avg");
    const auto certs = out["groups"][1];
    EXPECT_FALSE(certs["interval"]) << "a group without interval: keeps the global one";
    EXPECT_EQ(certs["rules"][0]["for"].as<std::string>(), "1m");
}

TEST(prometheus_live, a_scaled_duration_is_exact_in_milliseconds_and_never_zero)
{
    const auto out = YAML::Load(scaled_rule_file(
        "groups: [{name: g, rules: [{alert: A, expr: up == 0, for: 10s}, "
        "{alert: B, expr: up == 0, for: 0s}, {alert: C, expr: up == 0, for: 1ms}]}]",
        "r.yml", 8));
    EXPECT_EQ(out["groups"][0]["rules"][0]["for"].as<std::string>(), "1250ms");
    EXPECT_EQ(out["groups"][0]["rules"][1]["for"].as<std::string>(), "0ms");
    EXPECT_EQ(out["groups"][0]["rules"][2]["for"].as<std::string>(), "1ms");
}

TEST(prometheus_live, a_time_scale_of_one_keeps_the_durations)
{
    const auto out = YAML::Load(scaled_rule_file(rules_text, "rules.yml", 1));
    EXPECT_EQ(out["groups"][0]["rules"][0]["for"].as<std::string>(), "5m");
    EXPECT_EQ(out["groups"][1]["rules"][0]["for"].as<std::string>(), "1h");
}

TEST(prometheus_live, compound_durations_are_read_as_prometheus_reads_them)
{
    const auto out = YAML::Load(scaled_rule_file(
        "groups: [{name: g, interval: 90s, rules: [{alert: A, expr: up == 0, for: 1h30m}, "
        "{alert: B, expr: up == 0, for: 1d, keep_firing_for: 2m30s}]}]",
        "r.yml", 30));
    const auto g = out["groups"][0];
    EXPECT_EQ(g["interval"].as<std::string>(), "3s");
    EXPECT_EQ(g["rules"][0]["for"].as<std::string>(), "3m");
    EXPECT_EQ(g["rules"][1]["for"].as<std::string>(), "48m");
    EXPECT_EQ(g["rules"][1]["keep_firing_for"].as<std::string>(), "5s");
}

std::string error_of(std::string_view text)
{
    try {
        scaled_rule_file(text, "rules.yml", 10);
    } catch (const alerts_file_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(prometheus_live, what_is_not_a_rule_file_is_an_error_naming_the_file_and_key)
{
    EXPECT_THAT(error_of("rules: []"), HasSubstr("rules.yml"));
    EXPECT_THAT(error_of("rules: []"), HasSubstr("groups"));
    EXPECT_THAT(error_of("groups: [{name: g}]"), HasSubstr("groups[0].rules"));
    const auto bad = error_of("groups: [{name: g, rules: [{alert: A, expr: up, for: soon}]}]");
    EXPECT_THAT(bad, HasSubstr("rules.yml"));
    EXPECT_THAT(bad, HasSubstr("groups[0].rules[0].for"));
    const auto reversed =
        error_of("groups: [{name: g, rules: [{alert: A, expr: up, for: 30m1h}]}]");
    EXPECT_THAT(reversed, HasSubstr("rules.yml"));
    EXPECT_THAT(reversed, HasSubstr("groups[0].rules[0].for"));
    EXPECT_THAT(reversed, HasSubstr("1h30m")) << "the error shows a compound that is one";
}

} // namespace

namespace {

constexpr const char* config_text = R"(global:
  scrape_interval: 30s
  evaluation_interval: 15s
  external_labels: {site: lab}
rule_files: [rules.yml]
alerting:
  alert_relabel_configs:
    - {source_labels: [dc], target_label: datacenter}
  alertmanagers:
    - static_configs: [{targets: ['alertmanager.example.com:9093']}]
remote_write:
  - url: https://metrics.example.com/write
scrape_configs:
  - job_name: self
    static_configs: [{targets: ['127.0.0.1:9090']}]
  - job_name: smtp_banner
    scrape_timeout: 5s
    metrics_path: /probe
    params: {module: [smtp_banner]}
    file_sd_configs: [{files: [targets/*.yml]}]
    static_configs:
      - targets: [mx1.example.com:25, mx2.example.com:25]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:9115
)";

const live_endpoints endpoints{"127.0.0.1:2525", "127.0.0.1:9125", "127.0.0.1:9093", ""};

YAML::Node live(const char* text, int scale)
{
    const auto job = load_prometheus_job(text, "prometheus.yml", "/etc/prometheus", "");
    return YAML::Load(live_prometheus_config(text, "prometheus.yml", job, endpoints,
                                             {"/tmp/run/rules-1.yml"}, scale));
}

TEST(prometheus_live, the_configuration_scrapes_the_monitor_for_the_mock_at_the_scaled_intervals)
{
    const auto c = live(config_text, 10);
    EXPECT_EQ(c["global"]["scrape_interval"].as<std::string>(), "3s");
    EXPECT_EQ(c["global"]["scrape_timeout"].as<std::string>(), "3s")
        << "the job's 5s, at most the scaled interval: the mock's delays are not scaled";
    EXPECT_EQ(c["global"]["evaluation_interval"].as<std::string>(), "1500ms");
    EXPECT_EQ(c["global"]["external_labels"]["site"].as<std::string>(), "lab");
    ASSERT_EQ(c["rule_files"].size(), 1u);
    EXPECT_EQ(c["rule_files"][0].as<std::string>(), "/tmp/run/rules-1.yml");
    ASSERT_EQ(c["scrape_configs"].size(), 1u) << "only the probing job";
    const auto job = c["scrape_configs"][0];
    EXPECT_EQ(job["job_name"].as<std::string>(), "smtp_banner");
    EXPECT_EQ(job["metrics_path"].as<std::string>(), "/probe");
    EXPECT_EQ(job["params"]["module"][0].as<std::string>(), "smtp_banner");
    EXPECT_EQ(job["scrape_interval"].as<std::string>(), "3s");
    EXPECT_EQ(job["scrape_timeout"].as<std::string>(), "3s");
    EXPECT_FALSE(job["file_sd_configs"]) << "no discovery of the user's real targets";
    ASSERT_EQ(job["static_configs"].size(), 1u);
    ASSERT_EQ(job["static_configs"][0]["targets"].size(), 1u);
    EXPECT_EQ(job["static_configs"][0]["targets"][0].as<std::string>(), "127.0.0.1:2525");
    const auto relabel = job["relabel_configs"];
    ASSERT_EQ(relabel.size(), 4u);
    EXPECT_EQ(relabel[0]["target_label"].as<std::string>(), "__param_target");
    EXPECT_EQ(relabel[2]["replacement"].as<std::string>(), "127.0.0.1:9125");
    EXPECT_EQ(relabel[3]["target_label"].as<std::string>(), "instance");
    EXPECT_EQ(relabel[3]["replacement"].as<std::string>(), "mx1.example.com:25")
        << "the same instance label as in virtual time";
}

TEST(prometheus_live, alerts_go_to_the_runs_alertmanager_only_and_nothing_leaves_the_machine)
{
    const auto c = live(config_text, 1);
    EXPECT_EQ(c["global"]["scrape_interval"].as<std::string>(), "30s");
    const auto managers = c["alerting"]["alertmanagers"];
    ASSERT_EQ(managers.size(), 1u);
    ASSERT_EQ(managers[0]["static_configs"][0]["targets"].size(), 1u);
    EXPECT_EQ(managers[0]["static_configs"][0]["targets"][0].as<std::string>(), "127.0.0.1:9093");
    EXPECT_EQ(c["alerting"]["alert_relabel_configs"][0]["target_label"].as<std::string>(),
              "datacenter");
    EXPECT_FALSE(c["remote_write"]);
}

TEST(prometheus_live, the_scrape_timeout_is_kept_within_the_scaled_interval_with_room_to_probe)
{
    prometheus_job job;
    job.scrape_interval = std::chrono::seconds(30);
    job.scrape_timeout = std::chrono::seconds(10);
    EXPECT_EQ(live_scrape_timeout(job, 1), std::chrono::seconds(10));
    EXPECT_EQ(live_scrape_timeout(job, 60), std::chrono::milliseconds(500));
    EXPECT_EQ(probe_timeout_offset(std::chrono::seconds(10)), std::chrono::milliseconds(500));
    EXPECT_EQ(probe_timeout_offset(std::chrono::milliseconds(500)), std::chrono::milliseconds(100));
}

TEST(prometheus_live, without_alertmanager_prometheus_sends_its_alerts_under_a_path_prefix)
{
    auto e = endpoints;
    e.alertmanager = "127.0.0.1:40123";
    e.alertmanager_path_prefix = "/hook/prometheus";
    const auto job = load_prometheus_job(config_text, "prometheus.yml", "/etc/prometheus", "");
    const auto c = YAML::Load(live_prometheus_config(config_text, "prometheus.yml", job, e, {}, 1));
    const auto am = c["alerting"]["alertmanagers"][0];
    EXPECT_EQ(am["path_prefix"].as<std::string>(), "/hook/prometheus");
    EXPECT_EQ(am["static_configs"][0]["targets"][0].as<std::string>(), "127.0.0.1:40123");
    EXPECT_FALSE(live(config_text, 1)["alerting"]["alertmanagers"][0]["path_prefix"]);
}

TEST(prometheus_live, a_job_that_scrapes_no_exporter_is_an_error_naming_the_file)
{
    const char* direct = R"(rule_files: [r.yml]
scrape_configs:
  - job_name: smtp
    metrics_path: /probe
    static_configs: [{targets: [mx1.example.com:25]}]
)";
    const auto job = load_prometheus_job(direct, "prometheus.yml", "/etc/prometheus", "");
    EXPECT_EQ(job.module, "") << "a job without params has no module";
    try {
        live_prometheus_config(direct, "prometheus.yml", job, endpoints, {}, 1);
        FAIL() << "accepted";
    } catch (const alerts_file_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("prometheus.yml"));
        EXPECT_THAT(e.what(), HasSubstr("scrape_configs[0].relabel_configs"));
        EXPECT_THAT(e.what(), HasSubstr("__address__"));
    }
}

} // namespace

namespace {

constexpr const char* am_text = R"(global:
  smtp_smarthost: mail.example.com:587
  smtp_from: alertmanager@example.com
  smtp_auth_username: am
  smtp_auth_password: secret
  slack_api_url: https://hooks.slack.example.com/T0
  resolve_timeout: 5m
templates: [templates/*.tmpl, /etc/alertmanager/common.tmpl]
route:
  receiver: team-webhook
  group_by: [alertname, instance]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['severity="page"']
      receiver: oncall-email
      group_wait: 10s
      continue: true
    - receiver: chat
inhibit_rules:
  - source_matchers: [severity="page"]
    target_matchers: [severity="ticket"]
    equal: [instance]
receivers:
  - name: oncall-email
    email_configs:
      - to: oncall@example.com
        smarthost: mail.example.com:587
        auth_password: secret
        send_resolved: true
  - name: team-webhook
    webhook_configs:
      - url: http://chat-bridge.example.com:8080/alerts
        max_alerts: 5
  - name: chat
    slack_configs: [{channel: '#smtp'}]
    pagerduty_configs: [{routing_key: abc}]
  - name: blackhole
)";

const live_capture capture{"http://127.0.0.1:40123", "127.0.0.1:2526"};

YAML::Node live_am(int scale)
{
    return YAML::Load(
        live_alertmanager_config(am_text, "alertmanager.yml", "/etc/am", capture, scale));
}

TEST(prometheus_live, every_receiver_delivers_to_the_capture_under_its_own_name)
{
    const auto c = live_am(1);
    const auto r = c["receivers"];
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0]["name"].as<std::string>(), "oncall-email");
    const auto mail = r[0]["email_configs"][0];
    EXPECT_EQ(mail["to"].as<std::string>(), "oncall@example.com");
    EXPECT_EQ(mail["smarthost"].as<std::string>(), "127.0.0.1:2526");
    EXPECT_FALSE(mail["require_tls"].as<bool>());
    EXPECT_FALSE(mail["auth_password"]);
    EXPECT_TRUE(mail["send_resolved"].as<bool>());
    EXPECT_EQ(mail["headers"][receiver_header].as<std::string>(), "{{ .Receiver | urlquery }}");
    EXPECT_THAT(mail["headers"][alerts_header].as<std::string>(),
                HasSubstr("{{ range .Labels.SortedPairs }}"));
    EXPECT_EQ(r[1]["webhook_configs"][0]["url"].as<std::string>(),
              "http://127.0.0.1:40123/hook/team-webhook");
    EXPECT_EQ(r[1]["webhook_configs"][0]["max_alerts"].as<int>(), 5);
    EXPECT_FALSE(r[2]["slack_configs"]);
    EXPECT_FALSE(r[2]["pagerduty_configs"]);
    ASSERT_EQ(r[2]["webhook_configs"].size(), 1u) << "one webhook for the other kinds";
    EXPECT_EQ(r[2]["webhook_configs"][0]["url"].as<std::string>(),
              "http://127.0.0.1:40123/hook/chat");
    EXPECT_EQ(r[3]["name"].as<std::string>(), "blackhole");
    EXPECT_FALSE(r[3]["webhook_configs"]) << "a receiver that delivers nothing stays so";
    EXPECT_EQ(c["global"]["smtp_smarthost"].as<std::string>(), "127.0.0.1:2526");
    EXPECT_EQ(c["global"]["smtp_from"].as<std::string>(), "alertmanager@example.com");
    EXPECT_FALSE(c["global"]["smtp_auth_password"]);
    EXPECT_FALSE(c["global"]["slack_api_url"]);
    EXPECT_EQ(c["templates"][0].as<std::string>(), "/etc/am/templates/*.tmpl");
    EXPECT_EQ(c["templates"][1].as<std::string>(), "/etc/alertmanager/common.tmpl");
    EXPECT_EQ(c["inhibit_rules"][0]["equal"][0].as<std::string>(), "instance");
}

TEST(prometheus_live, the_routes_are_kept_with_their_timers_divided_by_the_time_scale)
{
    const auto c = live_am(60);
    const auto route = c["route"];
    EXPECT_EQ(route["receiver"].as<std::string>(), "team-webhook");
    EXPECT_EQ(route["group_by"][1].as<std::string>(), "instance");
    EXPECT_EQ(route["group_wait"].as<std::string>(), "500ms");
    EXPECT_EQ(route["group_interval"].as<std::string>(), "5s");
    EXPECT_EQ(route["repeat_interval"].as<std::string>(), "4m");
    EXPECT_EQ(route["routes"][0]["matchers"][0].as<std::string>(), "severity=\"page\"");
    EXPECT_EQ(route["routes"][0]["group_wait"].as<std::string>(), "166ms");
    EXPECT_TRUE(route["routes"][0]["continue"].as<bool>());
    EXPECT_FALSE(route["routes"][1]["group_wait"]);
    EXPECT_EQ(c["global"]["resolve_timeout"].as<std::string>(), "5s");
}

TEST(prometheus_live, compound_route_timers_are_read_and_bad_ones_named_with_file_and_key)
{
    const char* text = R"(route:
  receiver: a
  group_interval: 1h30m
  routes: [{receiver: a, repeat_interval: 1d12h}]
receivers: [{name: a}]
)";
    const auto c = YAML::Load(live_alertmanager_config(text, "am.yml", "/etc/am", capture, 60));
    EXPECT_EQ(c["route"]["group_interval"].as<std::string>(), "90s");
    EXPECT_EQ(c["route"]["routes"][0]["repeat_interval"].as<std::string>(), "36m");
    try {
        live_alertmanager_config("route: {receiver: a, routes: [{group_wait: 5mm}]}\n"
                                 "receivers: [{name: a}]",
                                 "am.yml", "/etc/am", capture, 60);
        FAIL() << "accepted 5mm";
    } catch (const alerts_file_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("am.yml"));
        EXPECT_THAT(e.what(), HasSubstr("route.routes[0].group_wait"));
    }
}

TEST(prometheus_live, an_alertmanager_configuration_without_route_or_receivers_is_named)
{
    auto error = [](const char* text) {
        try {
            live_alertmanager_config(text, "alertmanager.yml", "/etc/am", capture, 1);
        } catch (const alerts_file_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    EXPECT_THAT(error("receivers: [{name: a}]"), HasSubstr("alertmanager.yml"));
    EXPECT_THAT(error("receivers: [{name: a}]"), HasSubstr("route"));
    EXPECT_THAT(error("route: {receiver: a}"), HasSubstr("receivers"));
    EXPECT_THAT(error("route: {receiver: a}\nreceivers: [{webhook_configs: []}]"),
                HasSubstr("receivers[0].name"));
}

} // namespace

namespace {

using namespace std::chrono_literals;

TEST(prometheus_live, an_alertmanager_email_is_read_from_the_headers_the_run_adds)
{
    const auto raw = "From: am@example.com\r\nX-Smtp-Harness-Receiver: oncall%2Bemail\r\n"
                     "x-smtp-harness-alerts: firing:alertname=SMTPDown,instance=mx1.example.com"
                     "%3A25,severity=page,;resolved:alertname=SMTPSlow,instance=a%2Cb,;\r\n"
                     "Subject: [FIRING:1] SMTPDown\r\n\r\nX-Smtp-Harness-Alerts: body\r\n";
    const auto got = alerts_from_alertmanager_email(raw, 4s);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].channel, "email");
    EXPECT_EQ(got[0].notifier, "oncall+email");
    EXPECT_EQ(got[0].type, "problem");
    EXPECT_EQ(got[0].alertname, "SMTPDown");
    EXPECT_EQ(got[0].target, "mx1.example.com:25");
    EXPECT_EQ(got[0].status, "page");
    EXPECT_EQ(got[0].id, R"(alertname="SMTPDown", instance="mx1.example.com:25", severity="page")");
    EXPECT_EQ(got[0].t, 4s);
    EXPECT_EQ(got[1].type, "recovery");
    EXPECT_EQ(got[1].status, "OK");
    EXPECT_EQ(got[1].target, "a,b");
    EXPECT_TRUE(alerts_from_alertmanager_email("Subject: hi\r\n\r\nbody", 0s).empty());
}

TEST(prometheus_live, prometheus_own_alerts_resolve_when_their_end_has_passed)
{
    const auto arrival = *parse_rfc3339("2026-12-02T08:30:00Z");
    const auto body =
        R"([{"labels":{"severity":"page","alertname":"SMTPDown","instance":"mx1:25"},)"
        R"("startsAt":"2026-12-02T08:29:00.123456789Z","endsAt":"2026-12-02T08:34:00.5Z"},)"
        R"({"labels":{"alertname":"SMTPDown","instance":"mx2:25"},)"
        R"("endsAt":"2026-12-02T09:29:59.999+01:00"}])";
    const auto got = alerts_from_prometheus(body, 7s, arrival);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].channel, "prometheus");
    EXPECT_EQ(got[0].notifier, "prometheus");
    EXPECT_EQ(got[0].type, "problem");
    EXPECT_EQ(got[0].labels.front().first, "alertname") << "labels sorted";
    EXPECT_EQ(got[1].type, "recovery") << "its end, in another zone, is before the arrival";
    EXPECT_TRUE(alerts_from_prometheus("{}", 0s, arrival).empty());
}

captured_alert note(std::string notifier, std::string type, std::string id,
                    std::chrono::milliseconds t)
{
    captured_alert a;
    a.notifier = std::move(notifier);
    a.type = std::move(type);
    a.id = std::move(id);
    a.t = t;
    return a;
}

TEST(prometheus_live, repeats_of_a_group_are_not_new_pages)
{
    const auto got = alert_transitions({
        note("hook", "problem", "A", 1s), note("mail", "problem", "A", 1s),
        note("hook", "problem", "A", 5s), // repeat
        note("hook", "problem", "B", 5s), // joins the group
        note("hook", "recovery", "A", 9s),
        note("hook", "recovery", "A", 14s), // resolved again in the next notification
        note("hook", "problem", "A", 20s),  // fires again
        note("mail", "recovery", "C", 3s),  // never seen firing
    });
    std::vector<std::string> seen;
    for (const auto& a : got) {
        seen.push_back(a.notifier + ' ' + a.type + ' ' + a.id + ' ' + std::to_string(a.t.count()));
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"hook problem A 1000", "mail problem A 1000",
                                              "hook problem B 5000", "hook recovery A 9000",
                                              "hook problem A 20000"}));
}

} // namespace
