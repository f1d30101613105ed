#include "watch/alert_payload.hpp"
#include "watch/backoff.hpp"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace watch;
using prober::probe_status;
using ::testing::HasSubstr;
namespace json = boost::json;

alert_event sample(notification_type type)
{
    alert_event e;
    e.type = type;
    e.target = "mx1";
    e.status = type == notification_type::recovery ? prober::probe_status::ok
                                                   : prober::probe_status::critical;
    e.problem_status = prober::probe_status::critical;
    e.kind = smtp::failure_kind::timeout;
    e.phase = smtp::phase::banner;
    e.message = "no reply within 1.000s";
    e.since = wall_clock::time_point(std::chrono::milliseconds(1'800'000'000'000));
    e.at = e.since + std::chrono::seconds(42);
    e.id = "mx1/1800000000000";
    e.attempt = 3;
    e.max_attempts = 3;
    return e;
}

TEST(AlertPayload, JsonDocument)
{
    auto j = json::parse(webhook_body(sample(notification_type::problem), webhook_format::json));
    EXPECT_EQ(j.at("schema"), "smtp-harness/alert/v1");
    EXPECT_EQ(j.at("type"), "problem");
    EXPECT_EQ(j.at("status"), "CRITICAL");
    EXPECT_EQ(j.at("kind"), "timeout");
    EXPECT_EQ(j.at("phase"), "banner");
    EXPECT_EQ(j.at("id"), "mx1/1800000000000");
    EXPECT_EQ(j.at("since"), "2027-01-15T08:00:00.000Z");
}

TEST(AlertPayload, AlertmanagerResolvesOnRecovery)
{
    auto firing =
        json::parse(webhook_body(sample(notification_type::problem), webhook_format::alertmanager));
    ASSERT_TRUE(firing.is_array());
    const auto& a = firing.as_array().at(0).as_object();
    EXPECT_EQ(a.at("labels").at("alertname"), "SMTPProbeFailed");
    EXPECT_EQ(a.at("labels").at("severity"), "critical");
    EXPECT_EQ(a.at("labels").at("target"), "mx1");
    EXPECT_FALSE(a.contains("endsAt"));
    auto resolved = json::parse(
        webhook_body(sample(notification_type::recovery), webhook_format::alertmanager));
    const auto& r = resolved.as_array().at(0).as_object();
    EXPECT_EQ(r.at("startsAt"), a.at("startsAt")); // the same alert, identified by its labels
    EXPECT_EQ(r.at("endsAt"), "2027-01-15T08:00:42.000Z");
}

TEST(AlertPayload, AlertmanagerFlappingStartAndStopShareTheirLabels)
{
    auto start = sample(notification_type::flapping_start);
    start.kind.reset();
    start.phase.reset();
    start.problem_status = probe_status::warning;
    start.id = "mx1/flapping/1800000000000";
    auto stop = start;
    stop.type = notification_type::flapping_stop;
    stop.status = probe_status::ok;
    stop.at = start.at + std::chrono::seconds(60);
    auto a = json::parse(webhook_body(start, webhook_format::alertmanager)).as_array().at(0);
    auto b = json::parse(webhook_body(stop, webhook_format::alertmanager)).as_array().at(0);
    EXPECT_EQ(a.at("labels"), b.at("labels"));
    EXPECT_EQ(a.at("labels").at("alertname"), "SMTPProbeFlapping");
    EXPECT_EQ(a.at("labels").at("severity"), "warning");
    EXPECT_EQ(a.at("startsAt"), b.at("startsAt"));
    EXPECT_EQ(b.at("endsAt"), "2027-01-15T08:01:42.000Z");
    EXPECT_FALSE(a.as_object().contains("endsAt"));
}

TEST(AlertPayload, EmailHasHeadersForFilters)
{
    email_settings s;
    s.from = "watch@example.net";
    s.to = {"ops@example.net", "oncall@example.net"};
    auto m = alert_email(sample(notification_type::problem), s, "id@example.net");
    EXPECT_THAT(m, HasSubstr("To: ops@example.net, oncall@example.net\r\n"));
    EXPECT_THAT(m, HasSubstr("Subject: [smtp-probe] PROBLEM mx1 CRITICAL: timeout at banner"));
    EXPECT_THAT(m, HasSubstr("X-Smtp-Alert-Type: problem\r\n"));
    EXPECT_THAT(m, HasSubstr("X-Smtp-Alert-Id: mx1/1800000000000\r\n"));
    EXPECT_THAT(m, HasSubstr("\r\n\r\nPROBLEM mx1"));
}

TEST(AlertPayload, ExecEnvironmentAndArguments)
{
    auto e = sample(notification_type::problem);
    auto env = alert_environment(e);
    auto get = [&](const std::string& k) {
        for (const auto& [name, value] : env) {
            if (name == k) {
                return value;
            }
        }
        return std::string("<missing>");
    };
    EXPECT_EQ(get("SMTP_ALERT_TYPE"), "problem");
    EXPECT_EQ(get("SMTP_ALERT_STATUS"), "CRITICAL");
    EXPECT_EQ(get("SMTP_ALERT_PHASE"), "banner");
    EXPECT_EQ(json::parse(get("SMTP_ALERT_JSON")).at("target"), "mx1");
    auto args = expand_arguments({"/bin/sms", "--to", "+1555", "{status} {target} {target}"}, e);
    EXPECT_EQ(args.back(), "CRITICAL mx1 mx1");
}

TEST(Backoff, GrowsAndCaps)
{
    retry_policy p;
    p.backoff = std::chrono::milliseconds(100);
    p.multiplier = 2;
    p.max_backoff = std::chrono::milliseconds(500);
    EXPECT_EQ(backoff_delay(p, 1).count(), 100);
    EXPECT_EQ(backoff_delay(p, 2).count(), 200);
    EXPECT_EQ(backoff_delay(p, 3).count(), 400);
    EXPECT_EQ(backoff_delay(p, 4).count(), 500);
}

} // namespace
