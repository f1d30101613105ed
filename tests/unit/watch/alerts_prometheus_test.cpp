// Proving Prometheus rules in virtual time, the pure parts: the scrape job of a Prometheus
// configuration, the exposition read back, the promtool document, promtool's answer, the
// episodes and their routing, and the expectations on them. No tools, no sockets.
#include "harness/alerts/alert_verdict.hpp"
#include "harness/alerts/prometheus_rules.hpp"
#include "harness/alerts/timeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace harness::alerts;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using labels = prometheus_text::label_set;

constexpr const char* config_text = R"(global:
  scrape_interval: 30s
  evaluation_interval: 15s
rule_files: [rules.yml]
scrape_configs:
  - job_name: self
    static_configs: [{targets: ['127.0.0.1:9090']}]
  - job_name: smtp_banner
    scrape_timeout: 5s
    metrics_path: /probe
    params: {module: [smtp_banner]}
    static_configs:
      - targets: [mx1.example.com:25, mx2.example.com:25]
)";

TEST(prometheus_job, the_first_probe_job_with_its_intervals_module_and_target)
{
    auto j = load_prometheus_job(config_text, "prometheus.yml", "/etc/prometheus", "");
    EXPECT_EQ(j.name, "smtp_banner");
    EXPECT_EQ(j.module, "smtp_banner");
    EXPECT_EQ(j.instance, "mx1.example.com:25");
    EXPECT_EQ(j.scrape_interval, 30s);
    EXPECT_EQ(j.scrape_timeout, 5s);
    EXPECT_EQ(j.evaluation_interval, 15s);
    EXPECT_EQ(j.rule_files, std::vector<std::filesystem::path>{"/etc/prometheus/rules.yml"});
}

TEST(prometheus_job, an_unknown_job_names_the_jobs_there_are)
{
    try {
        load_prometheus_job(config_text, "prometheus.yml", "/etc/prometheus", "smtp_send");
        FAIL() << "accepted an unknown job";
    } catch (const alerts_file_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("prometheus.yml"));
        EXPECT_THAT(e.what(), HasSubstr("no job \"smtp_send\"; jobs: self, smtp_banner"));
    }
}

TEST(exposition, samples_with_escaped_labels_and_without_comments)
{
    auto s =
        prometheus_text::parse_samples("# HELP probe_success x\n# TYPE probe_success gauge\n"
                                       "probe_success 0\n"
                                       "probe_smtp_failure{kind=\"temp_failure\",phase=\"ehlo\","
                                       "text=\"a \\\"b\\\"\\\\\"} 1\n\nbroken{x=1} 2\n");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].name, "probe_success");
    EXPECT_EQ(s[0].value, "0");
    EXPECT_EQ(s[1].labels,
              (labels{{"kind", "temp_failure"}, {"phase", "ehlo"}, {"text", "a \"b\"\\"}}));
}

TEST(scraped_series, values_per_scrape_with_job_instance_and_gaps)
{
    auto j = load_prometheus_job(config_text, "prometheus.yml", "/etc/prometheus", "");
    scraped_series s;
    s.add_scrape(j, prometheus_text::parse_samples("probe_success 1\n"));
    s.add_scrape(j, prometheus_text::parse_samples(
                        "probe_success 0\nprobe_smtp_failure{kind=\"timeout\"} 1\n"));
    s.add_scrape(j, prometheus_text::parse_samples("probe_success 1\n"));
    s.add_scrape(j, {}, false);
    auto yaml = s.input_series_yaml();
    EXPECT_THAT(yaml, HasSubstr("probe_success{instance=\"mx1.example.com:25\",job=\"smtp_banner\""
                                "}'\n        values: '1 0 1 stale'"));
    EXPECT_THAT(yaml, HasSubstr("probe_smtp_failure{instance=\"mx1.example.com:25\",job=\""
                                "smtp_banner\",kind=\"timeout\"}'\n        values: '_ 1 stale _'"));
    EXPECT_THAT(yaml, HasSubstr("up{instance=\"mx1.example.com:25\",job=\"smtp_banner\"}'\n"
                                "        values: '1 1 1 0'"));
    auto doc = promtool_test_document(j, s, 3);
    EXPECT_THAT(doc, HasSubstr("evaluation_interval: 15000ms\ntests:\n  - interval: 30000ms\n"));
    EXPECT_THAT(doc, HasSubstr("\"smtph_eval\", \"2\", \"\", \"\")'\n        eval_time: 30000ms"));
}

// What promtool 2.42 prints for expression tests that found firing alerts.
constexpr const char* promtool_output = R"out(Unit Testing:  /tmp/x/promtool-test.yml
  FAILED:
    expr: "label_replace(...)", time: 1m,
        exp: nil
        got: {__name__="ALERTS", alertname="SMTPDown", alertstate="firing", instance="mx1:25", job="smtp", severity="page", smtph_eval="2"} 1E+00

    expr: "label_replace(...)", time: 1m30s,
        exp: nil
        got: {__name__="ALERTS", alertname="SMTPDown", alertstate="firing", instance="mx1:25", job="smtp", severity="page", smtph_eval="3"} 1E+00, {__name__="ALERTS", alertname="SMTPSlow", alertstate="firing", instance="mx1:25", job="smtp", severity="ticket", smtph_eval="3"} 1E+00
)out";

TEST(promtool_answer, the_firing_alerts_of_each_evaluation)
{
    auto firing = firing_from_promtool(promtool_output, 5);
    ASSERT_EQ(firing.size(), 5u);
    EXPECT_TRUE(firing[0].empty());
    ASSERT_EQ(firing[2].size(), 1u);
    EXPECT_EQ(firing[2][0], (labels{{"alertname", "SMTPDown"},
                                    {"instance", "mx1:25"},
                                    {"job", "smtp"},
                                    {"severity", "page"}}));
    ASSERT_EQ(firing[3].size(), 2u);
    EXPECT_EQ(firing[3][1][0], (std::pair<std::string, std::string>("alertname", "SMTPSlow")));

    auto episodes = alert_episodes(firing, 30s);
    ASSERT_EQ(episodes.size(), 2u);
    EXPECT_EQ(episodes[0].fired, 60s);
    EXPECT_EQ(episodes[0].resolved, std::optional<std::chrono::milliseconds>(120s));
    EXPECT_EQ(episodes[1].fired, 90s);

    auto routed = routed_alerts(episodes, [](const labels& l) {
        return l[3].second == "page" ? std::vector<std::string>{"oncall-email", "team-webhook"}
                                     : std::vector<std::string>{"team-webhook"};
    });
    ASSERT_EQ(routed.size(), 6u); // two pages, a ticket, and their recoveries
    EXPECT_EQ(routed[0].notifier, "oncall-email");
    EXPECT_EQ(routed[0].alertname, "SMTPDown");
    EXPECT_EQ(routed[0].status, "page");
    EXPECT_EQ(routed[0].target, "mx1:25");
    EXPECT_EQ(routed[2].alertname, "SMTPSlow");
    EXPECT_EQ(routed[5].type, "recovery");
    EXPECT_EQ(routed[5].status, "OK");
    EXPECT_EQ(routed[5].t, 120s);
}

timeline outage_timeline()
{
    timeline t;
    t.name = "t";
    for (const char* id : {"warmup", "outage"}) {
        timeline_step s;
        s.id = id;
        s.duration = 600s;
        t.steps.push_back(s);
    }
    return t;
}

std::vector<captured_alert> routed_page(std::vector<std::string> receivers)
{
    alert_episode e{
        {{"alertname", "SMTPDown"}, {"instance", "mx1:25"}, {"severity", "page"}}, 900s, 1260s};
    return routed_alerts({e}, [&](const labels&) { return receivers; });
}

std::vector<expectation_result> judge(std::string_view text, std::vector<captured_alert> got)
{
    auto tl = outage_timeline();
    return evaluate(load_expectations(text, "e.yaml", tl), tl, {{0s, 600s}, {600s, 1200s}}, got);
}

constexpr const char* routed_expectation = R"(expectations:
  - step: outage
    fires: {alertname: SMTPDown, labels: {instance: "mx1*"}}
    severity: page
    within: [5m, 6m]
    resolves_within: [0s, 2m]
    routed_to: [oncall-email, team-webhook]
)";

TEST(prometheus_expectations, fires_with_labels_severity_and_routes)
{
    auto r = judge(routed_expectation, routed_page({"oncall-email", "team-webhook"}));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].passed) << r[0].failure;
    EXPECT_EQ(r[0].name, "outage fires SMTPDown");
    EXPECT_EQ(r[0].fired_after, std::optional<std::chrono::milliseconds>(300s));
    EXPECT_EQ(r[0].resolved_after, std::optional<std::chrono::milliseconds>(60s));
}

TEST(prometheus_expectations, routed_to_fails_for_a_missing_or_an_extra_receiver)
{
    auto missing = judge(routed_expectation, routed_page({"team-webhook"}));
    EXPECT_FALSE(missing[0].passed);
    EXPECT_THAT(missing[0].failure, HasSubstr("oncall-email: no problem notification"));
    auto extra = judge(routed_expectation, routed_page({"oncall-email", "team-webhook", "pager"}));
    EXPECT_FALSE(extra[0].passed);
    EXPECT_THAT(extra[0].failure, HasSubstr("also routed to pager"));
}

TEST(prometheus_expectations, another_alertname_or_severity_does_not_count)
{
    auto other = judge(R"(expectations:
  - {step: outage, fires: {alertname: SMTPSlow}, within: [0s, 10m]}
  - {step: outage, fires: {alertname: SMTPDown, severity: ticket}, within: [0s, 10m]}
)",
                       routed_page({"team-webhook"}));
    EXPECT_FALSE(other[0].passed);
    EXPECT_EQ(other[0].observed, "no problem notification");
    EXPECT_FALSE(other[1].passed);
}

} // namespace
