// The alerting state machine, driven with an injected clock: no sockets, no sleeping.
#include "watch/target_monitor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>

namespace {

using namespace watch;
using prober::probe_status;
using namespace std::chrono_literals;

check_outcome ok()
{
    return check_outcome{};
}

check_outcome critical(smtp::failure_kind k = smtp::failure_kind::timeout,
                       smtp::phase p = smtp::phase::banner)
{
    check_outcome o;
    o.status = prober::probe_status::critical;
    o.kind = k;
    o.phase = p;
    o.message = "no reply within 1.000s, received nothing";
    return o;
}

check_outcome warning()
{
    check_outcome o;
    o.status = prober::probe_status::warning;
    o.kind = smtp::failure_kind::slow;
    o.phase = smtp::phase::quit;
    return o;
}

check_settings settings(int attempts = 3)
{
    check_settings s;
    s.interval = 60s;
    s.retry_interval = 10s;
    s.max_check_attempts = attempts;
    s.flap.enabled = false;
    return s;
}

// A fake clock: each check happens one step later.
struct fake_clock {
    wall_clock::time_point now = wall_clock::time_point(std::chrono::hours(500'000));
    wall_clock::time_point tick(std::chrono::milliseconds step = 10s)
    {
        now += step;
        return now;
    }
};

TEST(TargetMonitor, StaysQuietWhileOk)
{
    target_monitor m("mx", settings());
    fake_clock c;
    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(m.on_check(ok(), c.tick()).empty());
    }
    EXPECT_EQ(m.state().status, prober::probe_status::ok);
    EXPECT_EQ(m.state().type, state_type::hard);
    EXPECT_EQ(m.state().checks, 5u);
}

TEST(TargetMonitor, BlipShorterThanRetriesRaisesNothing)
{
    target_monitor m("mx", settings(3));
    fake_clock c;
    EXPECT_TRUE(m.on_check(critical(), c.tick()).empty());
    EXPECT_EQ(m.state().type, state_type::soft);
    EXPECT_EQ(m.state().attempt, 1);
    EXPECT_EQ(m.next_delay(), 10s); // the retry interval while unconfirmed
    EXPECT_TRUE(m.on_check(critical(), c.tick()).empty());
    EXPECT_EQ(m.state().attempt, 2);
    EXPECT_TRUE(m.on_check(ok(), c.tick()).empty());
    EXPECT_EQ(m.state().status, prober::probe_status::ok);
    EXPECT_EQ(m.state().type, state_type::hard);
    EXPECT_FALSE(m.state().problem_open);
    EXPECT_EQ(m.next_delay(), 60s);
}

TEST(TargetMonitor, HardProblemAfterMaxAttemptsThenRecovery)
{
    target_monitor m("mx", settings(3));
    fake_clock c;
    auto first = c.tick();
    EXPECT_TRUE(m.on_check(critical(), first).empty());
    EXPECT_TRUE(m.on_check(critical(), c.tick()).empty());
    auto events = m.on_check(critical(), c.tick());
    ASSERT_EQ(events.size(), 1u);
    const auto& p = events[0];
    EXPECT_EQ(p.type, notification_type::problem);
    EXPECT_EQ(p.status, prober::probe_status::critical);
    EXPECT_EQ(p.kind, smtp::failure_kind::timeout);
    EXPECT_EQ(p.phase, smtp::phase::banner);
    EXPECT_EQ(p.attempt, 3);
    EXPECT_EQ(p.number, 1);
    EXPECT_EQ(p.since, first);
    EXPECT_EQ(p.id, event_id("mx", event_subject::problem, first));
    EXPECT_EQ(m.state().type, state_type::hard);
    EXPECT_EQ(m.next_delay(), 60s);

    // Still down: no repeat without a re-notification interval.
    EXPECT_TRUE(m.on_check(critical(), c.tick(60s)).empty());
    EXPECT_TRUE(m.on_check(critical(), c.tick(60s)).empty());

    auto rec = m.on_check(ok(), c.tick(60s));
    ASSERT_EQ(rec.size(), 1u);
    EXPECT_EQ(rec[0].type, notification_type::recovery);
    EXPECT_EQ(rec[0].status, prober::probe_status::ok);
    EXPECT_EQ(rec[0].problem_status, prober::probe_status::critical);
    EXPECT_EQ(rec[0].id, p.id); // the recovery names the problem it ends
    EXPECT_FALSE(m.state().problem_open);
    EXPECT_TRUE(m.on_check(ok(), c.tick()).empty());
}

TEST(TargetMonitor, EventIdsNameTheTargetAndWhenTheProblemOrTheFlappingBegan)
{
    const wall_clock::time_point at{std::chrono::milliseconds(1800000000123)};
    EXPECT_EQ(event_id("mx1", event_subject::problem, at), "mx1/1800000000123");
    EXPECT_EQ(event_id("mx1", event_subject::flapping, at), "mx1/flapping/1800000000123");
}

TEST(TargetMonitor, OneAttemptAlertsAtOnce)
{
    target_monitor m("mx", settings(1));
    fake_clock c;
    auto events = m.on_check(critical(), c.tick());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, notification_type::problem);
}

TEST(TargetMonitor, HardStatusChangeIsNotifiedAgain)
{
    target_monitor m("mx", settings(2));
    fake_clock c;
    m.on_check(warning(), c.tick());
    auto w = m.on_check(warning(), c.tick());
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].status, prober::probe_status::warning);
    auto cr = m.on_check(critical(), c.tick());
    ASSERT_EQ(cr.size(), 1u);
    EXPECT_EQ(cr[0].type, notification_type::problem);
    EXPECT_EQ(cr[0].status, prober::probe_status::critical);
    EXPECT_EQ(cr[0].since, w[0].since); // the same problem, worse
}

TEST(TargetMonitor, RenotifiesAnOpenProblem)
{
    auto s = settings(1);
    s.renotify_interval = 5min;
    target_monitor m("mx", s);
    fake_clock c;
    ASSERT_EQ(m.on_check(critical(), c.tick(60s)).size(), 1u);
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(m.on_check(critical(), c.tick(60s)).empty()) << i;
    }
    auto again = m.on_check(critical(), c.tick(60s)); // 5 minutes after the first
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].type, notification_type::problem);
    EXPECT_EQ(again[0].number, 2);
    EXPECT_TRUE(m.on_check(critical(), c.tick(60s)).empty());
}

TEST(TargetMonitor, RecoveryCanBeTurnedOff)
{
    auto s = settings(1);
    s.notify_recovery = false;
    target_monitor m("mx", s);
    fake_clock c;
    ASSERT_EQ(m.on_check(critical(), c.tick()).size(), 1u);
    EXPECT_TRUE(m.on_check(ok(), c.tick()).empty());
    EXPECT_FALSE(m.state().problem_open);
}

TEST(TargetMonitor, FlappingIsFlaggedAndHoldsBackProblems)
{
    auto s = settings(1);
    s.flap.enabled = true;
    s.flap.window = 6;
    s.flap.high = 50;
    s.flap.low = 25;
    target_monitor m("mx", s);
    fake_clock c;
    std::vector<alert_event> all;
    for (int i = 0; i < 8; ++i) {
        auto ev = m.on_check(i % 2 == 0 ? critical() : ok(), c.tick());
        all.insert(all.end(), ev.begin(), ev.end());
    }
    // Problems and recoveries alternate until the window is full, then flapping is flagged and
    // nothing else is sent.
    auto start = std::find_if(all.begin(), all.end(), [](const alert_event& e) {
        return e.type == notification_type::flapping_start;
    });
    ASSERT_NE(start, all.end());
    EXPECT_TRUE(m.state().flapping);
    EXPECT_EQ(std::distance(start, all.end()), 1) << "nothing after flapping started";
    EXPECT_GE(start->flap_percent, 50.0);

    // It settles down (OK): flapping stops once the percentage falls below low, and the open
    // problem (the last one notified before flapping) is recovered.
    std::vector<alert_event> later;
    for (int i = 0; i < 8 && m.state().flapping; ++i) {
        auto ev = m.on_check(ok(), c.tick());
        later.insert(later.end(), ev.begin(), ev.end());
    }
    EXPECT_FALSE(m.state().flapping);
    ASSERT_FALSE(later.empty());
    EXPECT_EQ(later[0].type, notification_type::flapping_stop);
    // Before flapping: problem, recovery, problem, recovery, problem; the last recovery was
    // held back, so the end of flapping sends it.
    std::vector<notification_type> before;
    for (auto it = all.begin(); it != start; ++it) {
        before.push_back(it->type);
    }
    EXPECT_EQ(before, (std::vector<notification_type>{
                          notification_type::problem, notification_type::recovery,
                          notification_type::problem, notification_type::recovery,
                          notification_type::problem}));
    ASSERT_EQ(later.size(), 2u);
    EXPECT_EQ(later[1].type, notification_type::recovery);
    EXPECT_FALSE(m.state().problem_open);
}

TEST(TargetMonitor, FlappingStopNotifiesAProblemThatStayed)
{
    auto s = settings(1);
    s.flap.enabled = true;
    s.flap.window = 6;
    s.flap.high = 50;
    s.flap.low = 25;
    target_monitor m("mx", s);
    fake_clock c;
    // ok, crit, ok, crit, ok, crit: 100% change, flapping from the sixth check.
    for (int i = 0; i < 6; ++i) {
        m.on_check(i % 2 == 1 ? critical() : ok(), c.tick());
    }
    ASSERT_TRUE(m.state().flapping);
    std::vector<alert_event> later;
    for (int i = 0; i < 8 && m.state().flapping; ++i) {
        auto ev = m.on_check(critical(), c.tick());
        later.insert(later.end(), ev.begin(), ev.end());
    }
    ASSERT_FALSE(m.state().flapping);
    // The problem notification held back while flapping goes out when it stops.
    ASSERT_EQ(later.size(), 2u);
    EXPECT_EQ(later[0].type, notification_type::flapping_stop);
    EXPECT_EQ(later[1].type, notification_type::problem);
    EXPECT_TRUE(m.state().problem_open);
    EXPECT_EQ(m.state().notified_status, prober::probe_status::critical);
}

TEST(TargetMonitor, FlappingDescribesItsWindowNotAnEarlierBlip)
{
    auto s = settings(3);
    s.flap.enabled = true;
    s.flap.window = 6;
    s.flap.high = 50;
    s.flap.low = 25;
    target_monitor m("mx", s);
    fake_clock c;
    // A CRITICAL blip that never became hard, then calm until it has left the window.
    m.on_check(critical(), c.tick());
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(m.on_check(ok(), c.tick()).empty());
    }
    // WARNING blips every other check: flapping, without any problem ever confirmed.
    std::optional<alert_event> start;
    probe_status fed = probe_status::ok;
    for (int i = 0; i < 12 && !start; ++i) {
        fed = i % 2 == 0 ? probe_status::warning : probe_status::ok;
        for (auto& e : m.on_check(fed == probe_status::ok ? ok() : warning(), c.tick())) {
            ASSERT_EQ(e.type, notification_type::flapping_start);
            start = e;
        }
    }
    ASSERT_TRUE(start);
    EXPECT_EQ(start->status, fed) << "the status of the check that raised it";
    EXPECT_EQ(start->problem_status, probe_status::warning) << "the worst status in the window";
    EXPECT_FALSE(start->kind) << "no failure of an earlier problem";
    EXPECT_FALSE(start->phase);
    EXPECT_EQ(start->code, 0);
    EXPECT_EQ(start->since, c.now);
    EXPECT_EQ(start->id, event_id("mx", event_subject::flapping, c.now));
    EXPECT_THAT(start->message,
                ::testing::MatchesRegex("[0-9] OK, [0-9] WARNING in the last 6 checks"));

    std::optional<alert_event> stop;
    for (int i = 0; i < 12 && !stop; ++i) {
        for (auto& e : m.on_check(ok(), c.tick())) {
            ASSERT_EQ(e.type, notification_type::flapping_stop);
            stop = e;
        }
    }
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->status, probe_status::ok);
    EXPECT_EQ(stop->id, start->id);
    EXPECT_EQ(stop->since, start->since);
    EXPECT_EQ(stop->problem_status, start->problem_status) << "the same labels as its start";
    EXPECT_FALSE(stop->kind);
}

TEST(TargetMonitor, RecoveryNamesTheFailureThatWasNotified)
{
    target_monitor m("mx", settings(1));
    fake_clock c;
    ASSERT_EQ(
        m.on_check(critical(smtp::failure_kind::perm_failure, smtp::phase::ehlo), c.tick()).size(),
        1u);
    // Still CRITICAL, another failure: no new notification...
    EXPECT_TRUE(m.on_check(critical(), c.tick()).empty());
    // ...and the recovery ends the problem that was notified.
    auto rec = m.on_check(ok(), c.tick());
    ASSERT_EQ(rec.size(), 1u);
    EXPECT_EQ(rec[0].kind, smtp::failure_kind::perm_failure);
    EXPECT_EQ(rec[0].phase, smtp::phase::ehlo);
}

TEST(TargetMonitor, RestoredOpenProblemIsNotResentAndRecovers)
{
    target_monitor before("mx", settings(2));
    fake_clock c;
    before.on_check(critical(), c.tick());
    ASSERT_EQ(before.on_check(critical(), c.tick()).size(), 1u);

    // A restart: a new monitor from the saved state.
    target_monitor after("mx", settings(2), before.state());
    EXPECT_TRUE(after.on_check(critical(), c.tick()).empty());
    auto rec = after.on_check(ok(), c.tick());
    ASSERT_EQ(rec.size(), 1u);
    EXPECT_EQ(rec[0].type, notification_type::recovery);
}

TEST(TargetMonitor, SummaryNamesKindAndPhase)
{
    target_monitor m("mx1", settings(1));
    fake_clock c;
    auto ev = m.on_check(critical(), c.tick());
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].summary(),
              "PROBLEM mx1 CRITICAL: timeout at banner: no reply within 1.000s, received nothing");
}

} // namespace
