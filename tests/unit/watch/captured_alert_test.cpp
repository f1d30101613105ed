#include "harness/alerts/captured_alert.hpp"

#include <gtest/gtest.h>

namespace {

using namespace harness::alerts;
using namespace std::chrono_literals;

TEST(CapturedAlert, JsonWebhook)
{
    auto a = alerts_from_webhook(
        "hook",
        R"({"schema":"smtp-harness/alert/v1","type":"problem","id":"mx/1","target":"mx",)"
        R"("status":"CRITICAL","kind":"timeout","phase":"banner","attempt":3,"notification":2})",
        1500ms);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].notifier, "hook");
    EXPECT_EQ(a[0].type, "problem");
    EXPECT_EQ(a[0].phase, "banner");
    EXPECT_EQ(a[0].attempt, 3);
    EXPECT_EQ(a[0].notification, 2);
    EXPECT_EQ(a[0].t, 1500ms);
}

TEST(CapturedAlert, AlertmanagerWebhook)
{
    auto firing = alerts_from_webhook(
        "am",
        R"([{"labels":{"alertname":"SMTPProbeFailed","target":"mx","severity":"critical",)"
        R"("kind":"timeout","phase":"banner"},"annotations":{"alert_id":"mx/1"},)"
        R"("startsAt":"2026-11-27T19:00:00.000Z"}])",
        0ms);
    ASSERT_EQ(firing.size(), 1u);
    EXPECT_EQ(firing[0].type, "problem");
    EXPECT_EQ(firing[0].status, "CRITICAL");
    EXPECT_EQ(firing[0].id, "mx/1");
    EXPECT_EQ(firing[0].alertname, "SMTPProbeFailed");
    EXPECT_EQ(firing[0].labels.size(), 5u);
    EXPECT_EQ(firing[0].labels.at(1), (std::pair<std::string, std::string>("target", "mx")));
    auto resolved = alerts_from_webhook(
        "am",
        R"([{"labels":{"alertname":"SMTPProbeFailed","target":"mx","severity":"critical"},)"
        R"("startsAt":"2026-11-27T19:00:00.000Z","endsAt":"2026-11-27T19:01:00.000Z"}])",
        0ms);
    EXPECT_EQ(resolved.at(0).type, "recovery");
    EXPECT_EQ(resolved.at(0).status, "OK");
    auto flap = alerts_from_webhook(
        "am", R"([{"labels":{"alertname":"SMTPProbeFlapping","target":"mx","severity":"ok"}}])",
        0ms);
    EXPECT_EQ(flap.at(0).type, "flapping_start");
    EXPECT_TRUE(alerts_from_webhook("x", "not json", 0ms).empty());
}

TEST(CapturedAlert, Email)
{
    auto a =
        alert_from_email("From: a@b\r\nX-Smtp-Alert-Type: recovery\r\nX-Smtp-Alert-Target: mx\r\n"
                         "X-Smtp-Alert-Status: OK\r\nX-Smtp-Alert-Notifier: mail\r\n\r\n"
                         "X-Smtp-Alert-Type: problem\r\n",
                         2s);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->type, "recovery"); // from the header, not the body
    EXPECT_EQ(a->notifier, "mail");
    EXPECT_EQ(a->channel, "email");
    EXPECT_FALSE(alert_from_email("Subject: hello\r\n\r\nbody\r\n", 0ms));
}

TEST(CapturedAlert, AlertmanagerWebhookNotification)
{
    const auto body = R"({"version":"4","receiver":"team-webhook","status":"firing","alerts":[
        {"status":"firing","labels":{"severity":"page","alertname":"SMTPDown","job":"smtp",
         "instance":"mx1:25"},"endsAt":"0001-01-01T00:00:00Z"},
        {"status":"resolved","labels":{"alertname":"SMTPSlow","instance":"mx2:25"}}]})";
    const auto got = alerts_from_webhook("team-webhook", body, 3s);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].type, "problem") << "endsAt is there even while it fires";
    EXPECT_EQ(got[0].notifier, "team-webhook");
    EXPECT_EQ(got[0].alertname, "SMTPDown");
    EXPECT_EQ(got[0].status, "page");
    EXPECT_EQ(got[0].target, "mx1:25");
    EXPECT_EQ(got[0].id, R"(alertname="SMTPDown", instance="mx1:25", job="smtp", severity="page")");
    ASSERT_EQ(got[0].labels.size(), 4u);
    EXPECT_EQ(got[0].labels[0].first, "alertname");
    EXPECT_EQ(got[1].type, "recovery");
    EXPECT_EQ(got[1].status, "OK");
}

TEST(CapturedAlert, ExecLine)
{
    auto start = *parse_rfc3339("2026-11-27T19:00:00.000Z");
    auto a =
        alert_from_exec_line("sms\t{\"type\":\"problem\",\"target\":\"mx\",\"status\":\"CRITICAL\","
                             "\"at\":\"2026-11-27T19:00:05.250Z\"}",
                             start);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->notifier, "sms");
    EXPECT_EQ(a->t, 5250ms);
    EXPECT_EQ(a->attempt, 0) << "the payload names no attempt";
    EXPECT_FALSE(alert_from_exec_line("no tab here", start));
}

TEST(CapturedAlert, Rfc3339)
{
    auto t = parse_rfc3339("2027-01-15T08:00:00.123Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count(),
              1'800'000'000'123);
    EXPECT_TRUE(parse_rfc3339("2027-01-15T08:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2027-01-15 08:00:00"));
    EXPECT_EQ(parse_rfc3339("2027-01-15T08:00:00.123456789Z"), t) << "Go's nanoseconds";
    EXPECT_EQ(parse_rfc3339("2027-01-15T09:00:00.123+01:00"), t);
    EXPECT_EQ(parse_rfc3339("2027-01-15T07:30:00.123-00:30"), t);
    EXPECT_EQ(parse_rfc3339("2027-01-15T08:00:00.1Z"), *t - std::chrono::milliseconds(23));
    EXPECT_FALSE(parse_rfc3339("2027-01-15T08:00:00.Z"));
    EXPECT_FALSE(parse_rfc3339("2027-01-15T08:00:00+0100"));
    EXPECT_FALSE(parse_rfc3339("2027-01-15T08:00:00Zjunk"));
}

} // namespace
