// Verdicts on captured notifications, with made-up times: no mock, no waiting.
#include "harness/alerts/alert_verdict.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace harness::alerts;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

timeline tl()
{
    timeline t;
    t.name = "t";
    for (const char* id : {"warmup", "blip", "outage", "after"}) {
        timeline_step s;
        s.id = id;
        t.steps.push_back(s);
    }
    return t;
}

// warmup 0-2s, blip 2-3.5s, outage 10-40s, after 40-46s.
step_times times()
{
    return {{0ms, 2000ms, 10000ms, 40000ms}, {2000ms, 3500ms, 40000ms, 46000ms}};
}

captured_alert cap(const char* notifier, const char* type, std::chrono::milliseconds t,
                   const char* id = "mx/1")
{
    captured_alert a;
    a.channel = "webhook";
    a.notifier = notifier;
    a.type = type;
    a.target = "mx";
    a.status = std::string(type) == "recovery" ? "OK" : "CRITICAL";
    a.kind = "timeout";
    a.phase = "banner";
    a.id = id;
    a.t = t;
    return a;
}

alert_expectation fires()
{
    alert_expectation e;
    e.name = "pages";
    e.step = "outage";
    e.status = "CRITICAL";
    e.failure_kind = "timeout";
    e.phase = "banner";
    e.within = {3s, 12s};
    e.resolves_within = time_window{0s, 6s};
    e.notifiers = {"hook", "sms"};
    return e;
}

expectation_result judge(const alert_expectation& e, const std::vector<captured_alert>& c)
{
    alert_expectations ex;
    ex.items.push_back(e);
    auto r = evaluate(ex, tl(), times(), c);
    EXPECT_EQ(r.size(), 1u);
    return r.at(0);
}

TEST(AlertsVerdict, FiresAndResolvesInTime)
{
    auto r = judge(fires(), {cap("hook", "problem", 15500ms), cap("sms", "problem", 15600ms),
                             cap("hook", "recovery", 41700ms), cap("sms", "recovery", 41800ms)});
    EXPECT_TRUE(r.passed) << r.failure;
    EXPECT_EQ(r.fired_after, 5500ms);
    EXPECT_EQ(r.resolved_after, 1700ms);
    EXPECT_EQ(r.observed, "problem after 5.5s via hook, sms; recovery 1.7s after the end");
}

TEST(AlertsVerdict, ALateOrMissingNotifierFails)
{
    auto late = judge(fires(), {cap("hook", "problem", 15500ms), cap("sms", "problem", 23000ms),
                                cap("hook", "recovery", 41700ms), cap("sms", "recovery", 41800ms)});
    EXPECT_FALSE(late.passed);
    EXPECT_THAT(late.failure, HasSubstr("sms: problem after 13.0s, expected within [3.0s, 12.0s]"));

    auto missing =
        judge(fires(), {cap("hook", "problem", 15500ms), cap("hook", "recovery", 41700ms)});
    EXPECT_FALSE(missing.passed);
    EXPECT_THAT(missing.failure, HasSubstr("sms: no problem notification"));
}

TEST(AlertsVerdict, TooEarlyMeansTheRetriesDidNotWork)
{
    auto r = judge(fires(), {cap("hook", "problem", 10500ms), cap("sms", "problem", 10500ms)});
    EXPECT_FALSE(r.passed);
    EXPECT_THAT(r.failure, HasSubstr("problem after 0.5s"));
}

TEST(AlertsVerdict, RecoveryMustMatchTheAlertAndWindow)
{
    auto e = fires();
    e.notifiers = {"hook"};
    auto none = judge(e, {cap("hook", "problem", 15500ms)});
    EXPECT_FALSE(none.passed);
    EXPECT_THAT(none.failure, HasSubstr("no recovery"));

    auto other = judge(
        e, {cap("hook", "problem", 15500ms, "mx/1"), cap("hook", "recovery", 41000ms, "mx/2")});
    EXPECT_FALSE(other.passed) << "a recovery of another alert does not count";

    auto slow = judge(e, {cap("hook", "problem", 15500ms), cap("hook", "recovery", 47000ms)});
    EXPECT_FALSE(slow.passed);
    EXPECT_THAT(slow.failure, HasSubstr("recovery 7.0s after the step ended"));
}

TEST(AlertsVerdict, WrongKindDoesNotCount)
{
    auto e = fires();
    e.failure_kind = "refused";
    auto r = judge(e, {cap("hook", "problem", 15500ms), cap("sms", "problem", 15600ms)});
    EXPECT_FALSE(r.passed);
}

TEST(AlertsVerdict, QuietStep)
{
    alert_expectation q;
    q.name = "quiet";
    q.step = "blip";
    q.kind = expectation_kind::quiet;
    q.quiet_after = 6s;
    // A problem of the later outage is not the blip's.
    EXPECT_TRUE(judge(q, {cap("hook", "problem", 15500ms)}).passed);
    auto noisy = judge(q, {cap("hook", "problem", 8000ms)});
    EXPECT_FALSE(noisy.passed);
    EXPECT_THAT(noisy.failure, HasSubstr("got one 6.0s after the step started (hook)"));
}

TEST(AlertsVerdict, Flapping)
{
    alert_expectation f;
    f.name = "flaps";
    f.step = "outage";
    f.kind = expectation_kind::flapping;
    f.within = {0s, 10s};
    EXPECT_FALSE(judge(f, {cap("hook", "problem", 12000ms)}).passed);
    EXPECT_TRUE(judge(f, {cap("hook", "flapping_start", 15000ms)}).passed);
    EXPECT_FALSE(judge(f, {cap("hook", "flapping_start", 25000ms)}).passed);
}

TEST(AlertsVerdict, StepThatDidNotRun)
{
    alert_expectations ex;
    ex.items.push_back(fires());
    step_times partial{{0ms, 2000ms}, {2000ms, 3500ms}};
    auto r = evaluate(ex, tl(), partial, {});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].passed);
}

} // namespace
