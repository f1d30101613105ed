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

const live_endpoints endpoints{"127.0.0.1:2525", "127.0.0.1:9125", "127.0.0.1:9093"};

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
    EXPECT_EQ(c["global"]["scrape_timeout"].as<std::string>(), "500ms");
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
    EXPECT_EQ(job["scrape_timeout"].as<std::string>(), "500ms");
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
