#include "watch/route.hpp"

#include <gtest/gtest.h>

namespace {

using namespace watch;
using prober::probe_status;

alert_event event(notification_type type, prober::probe_status status, std::string target = "mx1",
                  smtp::failure_kind kind = smtp::failure_kind::timeout,
                  smtp::phase phase = smtp::phase::banner)
{
    alert_event e;
    e.type = type;
    e.status = status;
    e.problem_status = type == notification_type::recovery ? prober::probe_status::critical : status;
    e.target = std::move(target);
    e.kind = kind;
    e.phase = phase;
    return e;
}

std::vector<notifier_config> notifiers(std::initializer_list<const char*> names)
{
    std::vector<notifier_config> out;
    for (auto n : names) {
        notifier_config c;
        c.name = n;
        out.push_back(c);
    }
    return out;
}

TEST(Route, NoRoutesSendsEverywhere)
{
    auto all = notifiers({"hook", "mail"});
    auto got = select_notifiers({}, all, event(notification_type::problem, prober::probe_status::critical));
    EXPECT_EQ(got, (std::vector<std::string>{"hook", "mail"}));
}

TEST(Route, FirstMatchWinsUnlessContinue)
{
    auto all = notifiers({"sms", "mail", "hook"});
    route_config crit;
    crit.status = {prober::probe_status::critical};
    crit.notifiers = {"sms"};
    route_config everything;
    everything.notifiers = {"hook"};
    auto e = event(notification_type::problem, prober::probe_status::critical);

    EXPECT_EQ(select_notifiers({crit, everything}, all, e), (std::vector<std::string>{"sms"}));
    crit.continue_matching = true;
    EXPECT_EQ(select_notifiers({crit, everything}, all, e),
              (std::vector<std::string>{"sms", "hook"}));
    auto w = event(notification_type::problem, prober::probe_status::warning);
    EXPECT_EQ(select_notifiers({crit, everything}, all, w), (std::vector<std::string>{"hook"}));
}

TEST(Route, RecoveryFollowsTheProblemStatus)
{
    route_config crit;
    crit.status = {prober::probe_status::critical};
    crit.notifiers = {"sms"};
    auto rec = event(notification_type::recovery, prober::probe_status::ok);
    EXPECT_TRUE(route_matches(crit, rec));
}

TEST(Route, KindPhaseTargetAndType)
{
    route_config r;
    r.kind = {smtp::failure_kind::blocklisted};
    r.notifiers = {"mail"};
    EXPECT_FALSE(route_matches(r, event(notification_type::problem, prober::probe_status::critical)));
    EXPECT_TRUE(route_matches(r, event(notification_type::problem, prober::probe_status::critical, "mx1",
                                       smtp::failure_kind::blocklisted, smtp::phase::mail)));

    route_config p;
    p.phase = {smtp::phase::banner, smtp::phase::connect};
    EXPECT_TRUE(route_matches(p, event(notification_type::problem, prober::probe_status::critical)));
    EXPECT_FALSE(route_matches(p, event(notification_type::problem, prober::probe_status::critical, "mx1",
                                        smtp::failure_kind::timeout, smtp::phase::ehlo)));

    route_config t;
    t.target = {"mx*.example.net", "relay?"};
    EXPECT_TRUE(route_matches(
        t, event(notification_type::problem, prober::probe_status::critical, "mx2.example.net")));
    EXPECT_TRUE(
        route_matches(t, event(notification_type::problem, prober::probe_status::critical, "relay7")));
    EXPECT_FALSE(
        route_matches(t, event(notification_type::problem, prober::probe_status::critical, "relay17")));

    route_config flap;
    flap.types = {notification_type::flapping_start, notification_type::flapping_stop};
    EXPECT_FALSE(route_matches(flap, event(notification_type::problem, prober::probe_status::critical)));
    EXPECT_TRUE(
        route_matches(flap, event(notification_type::flapping_start, prober::probe_status::critical)));
}

TEST(Route, UnknownKindDoesNotMatchAKindCondition)
{
    route_config r;
    r.kind = {smtp::failure_kind::timeout};
    auto e = event(notification_type::problem, prober::probe_status::unknown);
    e.kind.reset();
    EXPECT_FALSE(route_matches(r, e));
}

} // namespace
