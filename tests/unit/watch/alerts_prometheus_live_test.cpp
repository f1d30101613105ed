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
