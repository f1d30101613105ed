// The live controller: ordinals, snapshots per session, replace, clear, add and remove rules,
// listener state, fire counts.
#include "faults/controller.hpp"
#include "faults/scenario_loader.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using smtp::phase;

const clock_type::time_point t0 = clock_type::time_point{} + 2000h;

faults::scenario scenario(const std::string& text)
{
    return faults::load_scenario(text, "test.yaml");
}

const faults::decision_point banner{phase::banner, "", ""};

TEST(controller, assigns_connection_ordinals_and_restarts_them_on_replace)
{
    faults::controller c(scenario("name: t\nrules:\n  - when: {connections: 2}\n"
                                  "    do: {close: rst}\n"),
                         9, t0);
    EXPECT_EQ(c.seed(), 9u);
    auto s1 = c.open_session(1, "127.0.0.1", t0);
    auto s2 = c.open_session(2, "127.0.0.1", t0);
    auto s3 = c.open_session(3, "127.0.0.1", t0);
    EXPECT_EQ(s1->context().ordinal, 1u);
    EXPECT_EQ(s2->context().ordinal, 2u);
    EXPECT_EQ(s3->context().ordinal, 3u);
    EXPECT_EQ(s2->context().session_id, 2u);
    EXPECT_FALSE(s1->decide({phase::connect, "", ""}, t0).fired);
    EXPECT_TRUE(s2->decide({phase::connect, "", ""}, t0).fired);

    c.replace(c.current(), t0 + 1s);
    auto s4 = c.open_session(4, "127.0.0.1", t0 + 1s);
    auto s5 = c.open_session(5, "127.0.0.1", t0 + 1s);
    EXPECT_EQ(s4->context().ordinal, 1u);
    EXPECT_EQ(s5->context().ordinal, 2u);
    EXPECT_TRUE(s5->decide({phase::connect, "", ""}, t0 + 1s).fired);
}

TEST(controller, replace_keeps_sessions_in_flight_on_their_snapshot)
{
    faults::controller c(scenario("name: hang\nrules:\n  - when: {phase: [banner, quit]}\n"
                                  "    do: {hang: true}\n"),
                         1, t0);
    auto old_session = c.open_session(1, "127.0.0.1", t0);
    EXPECT_EQ(old_session->decide(banner, t0).end, faults::ending::hang);

    c.replace(scenario("name: healthy\nrules: []\n"), t0 + 1s);
    EXPECT_EQ(c.current().name, "healthy");
    // The session that started under "hang" still hangs at QUIT; a new one is healthy.
    EXPECT_EQ(old_session->decide({phase::quit, "QUIT", ""}, t0 + 2s).end, faults::ending::hang);
    auto new_session = c.open_session(2, "127.0.0.1", t0 + 2s);
    EXPECT_TRUE(new_session->decide(banner, t0 + 2s).healthy());
    EXPECT_TRUE(new_session->decide({phase::quit, "QUIT", ""}, t0 + 2s).healthy());
}

TEST(controller, replace_restarts_the_time_base)
{
    faults::controller c(scenario("name: later\nrules:\n  - when: {phase: banner, after: 10s}\n"
                                  "    do: {hang: true}\n"),
                         1, t0);
    EXPECT_TRUE(c.open_session(1, "::1", t0 + 9s)->decide(banner, t0 + 9s).healthy());
    EXPECT_FALSE(c.open_session(2, "::1", t0 + 10s)->decide(banner, t0 + 10s).healthy());
    c.replace(c.current(), t0 + 60s);
    EXPECT_TRUE(c.open_session(3, "::1", t0 + 65s)->decide(banner, t0 + 65s).healthy());
    EXPECT_FALSE(c.open_session(4, "::1", t0 + 70s)->decide(banner, t0 + 70s).healthy());
}

TEST(controller, add_and_remove_rules_live)
{
    faults::controller c(faults::healthy_scenario(), 1, t0);
    auto before = c.open_session(1, "127.0.0.1", t0);

    const auto id = c.add_rule(faults::load_rule("when: {phase: mail}\n"
                                                 "do: {reply: \"452 4.3.1 full\"}\n",
                                                 "body"),
                               t0);
    EXPECT_EQ(id, "r1");
    const auto named = c.add_rule(faults::load_rule("id: slow\nwhen: {phase: banner}\n"
                                                    "do: {delay: 2s}\n",
                                                    "body"),
                                  t0);
    EXPECT_EQ(named, "slow");
    ASSERT_EQ(c.rules().size(), 2u);
    EXPECT_EQ(c.rules()[0].definition.id, "r1");
    EXPECT_EQ(c.current().rules.size(), 2u);

    // The session opened before the rule existed does not see it; a new one does.
    EXPECT_TRUE(before->decide({phase::mail, "MAIL", ""}, t0).healthy());
    auto after = c.open_session(2, "127.0.0.1", t0);
    EXPECT_EQ(after->decide({phase::mail, "MAIL", ""}, t0).send, "452 4.3.1 full\r\n");
    EXPECT_EQ(after->decide(banner, t0).delay, 2s);
    EXPECT_EQ(c.rules()[0].fired, 1u);
    EXPECT_EQ(c.rules()[1].fired, 1u);

    EXPECT_TRUE(c.remove_rule("r1"));
    EXPECT_FALSE(c.remove_rule("r1"));
    EXPECT_FALSE(c.remove_rule("nope"));
    ASSERT_EQ(c.rules().size(), 1u);
    EXPECT_EQ(c.rules()[0].definition.id, "slow");
    // Fire counts of the rules that stay are kept.
    EXPECT_EQ(c.rules()[0].fired, 1u);
    auto later = c.open_session(3, "127.0.0.1", t0);
    EXPECT_TRUE(later->decide({phase::mail, "MAIL", ""}, t0).healthy());
    // Ordinals continue across add/remove (only replace restarts them).
    EXPECT_EQ(later->context().ordinal, 3u);
    // A removed id is free again for a new rule.
    EXPECT_EQ(c.add_rule(faults::load_rule("do: {hang: true}\n", "body"), t0), "r1");
}

TEST(controller, a_rule_added_live_counts_connection_ordinals_from_when_it_was_added)
{
    faults::controller c(faults::healthy_scenario(), 1, t0);
    auto first = c.open_session(1, "127.0.0.1", t0);
    auto second = c.open_session(2, "127.0.0.1", t0);
    c.add_rule(
        faults::load_rule("when: {connections: 1, phase: banner}\ndo: {close: rst}\n", "body"), t0);
    c.add_rule(faults::load_rule("id: even\nwhen: {connections: every 2, phase: mail}\n"
                                 "do: {reply: \"451 later\"}\n",
                                 "body"),
               t0);
    auto next = c.open_session(3, "127.0.0.1", t0);
    auto after = c.open_session(4, "127.0.0.1", t0);
    EXPECT_EQ(next->context().ordinal, 3u);      // the session's ordinal goes on...
    EXPECT_TRUE(next->decide(banner, t0).fired); // ...the rule's starts at 1
    EXPECT_FALSE(after->decide(banner, t0).fired);
    EXPECT_TRUE(next->decide({phase::mail, "MAIL", ""}, t0).healthy());
    EXPECT_EQ(after->decide({phase::mail, "MAIL", ""}, t0).send, "451 later\r\n");
    // A scenario loaded with the rule counts from its own load, as before.
    c.replace(c.current(), t0);
    EXPECT_TRUE(c.open_session(5, "127.0.0.1", t0)->decide(banner, t0).fired);
}

TEST(controller, add_rule_rejects_invalid_and_duplicate_rules)
{
    faults::controller c(faults::healthy_scenario(), 1, t0);
    c.add_rule(faults::load_rule("id: x\ndo: {hang: true}\n", "body"), t0);
    try {
        c.add_rule(faults::load_rule("id: x\ndo: {close: rst}\n", "body"), t0);
        FAIL() << "added a duplicate id";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.key_path, "id");
    }
    faults::rule bad = faults::load_rule("do: {hang: true}\n", "body");
    bad.when.probability = 2.0;
    try {
        c.add_rule(bad, t0);
        FAIL() << "added an invalid rule";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.key_path, "when.probability");
    }
    EXPECT_EQ(c.rules().size(), 1u);
}

TEST(controller, times_hold_across_snapshots)
{
    faults::controller c(scenario("name: once\nrules:\n  - when: {phase: banner, times: 1}\n"
                                  "    do: {hang: true}\n"),
                         1, t0);
    auto first = c.open_session(1, "127.0.0.1", t0);
    c.add_rule(faults::load_rule("when: {phase: quit}\ndo: {close: rst}\n", "body"), t0);
    auto second = c.open_session(2, "127.0.0.1", t0);
    EXPECT_FALSE(first->decide(banner, t0).healthy());
    // The rule is shared by both snapshots: its single firing is used up.
    EXPECT_TRUE(second->decide(banner, t0).healthy());
    EXPECT_EQ(c.rules()[0].fired, 1u);
}

TEST(controller, listener_state_and_clear)
{
    faults::controller c(scenario("name: refused\nlistener: closed\nrules:\n"
                                  "  - do: {hang: true}\n"),
                         1, t0);
    EXPECT_EQ(c.listener(), faults::listener_state::closed);
    c.set_listener(faults::listener_state::blackhole);
    EXPECT_EQ(c.listener(), faults::listener_state::blackhole);
    EXPECT_EQ(c.current().listener, faults::listener_state::blackhole);
    EXPECT_EQ(c.current().rules.size(), 1u);
    c.clear(t0);
    EXPECT_EQ(c.listener(), faults::listener_state::open);
    EXPECT_TRUE(c.rules().empty());
    EXPECT_EQ(c.current().name, "healthy");
    EXPECT_TRUE(c.open_session(1, "127.0.0.1", t0)->decide(banner, t0).healthy());
}

TEST(controller, faults_fired_counts_across_scenarios)
{
    faults::controller c(scenario("name: a\nrules:\n  - when: {phase: banner}\n"
                                  "    do: {delay: 1ms}\n"),
                         1, t0);
    c.open_session(1, "127.0.0.1", t0)->decide(banner, t0);
    c.open_session(2, "127.0.0.1", t0)->decide(banner, t0);
    EXPECT_EQ(c.faults_fired(), 2u);
    c.replace(c.current(), t0);
    EXPECT_EQ(c.rules()[0].fired, 0u); // a new load counts afresh
    c.open_session(3, "127.0.0.1", t0)->decide(banner, t0);
    EXPECT_EQ(c.faults_fired(), 3u);
}

TEST(controller, replace_with_an_invalid_scenario_changes_nothing)
{
    faults::controller c(scenario("name: a\nrules: []\n"), 1, t0);
    auto s = scenario("name: b\nrules: []\n");
    s.rules.push_back(faults::rule{}); // no effect: invalid
    EXPECT_THROW(c.replace(s, t0), faults::scenario_error);
    EXPECT_EQ(c.current().name, "a");
}

TEST(controller, concurrent_sessions_and_swaps)
{
    faults::controller c(scenario("name: a\nrules:\n  - when: {phase: banner, times: 500}\n"
                                  "    do: {delay: 1ms}\n"),
                         5, t0);
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> decisions{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 3; ++t) {
        workers.emplace_back([&, t] {
            for (std::uint64_t i = 0; i < 3000; ++i) {
                auto s = c.open_session(i * 3 + static_cast<std::uint64_t>(t), "127.0.0.1", t0);
                s->decide(banner, t0);
                decisions.fetch_add(1);
            }
        });
    }
    std::thread swapper([&] {
        for (int i = 0; i < 200 && !stop; ++i) {
            c.add_rule(faults::load_rule("when: {phase: quit}\ndo: {close: fin}\n", "b"), t0);
            c.remove_rule("r2");
            c.set_listener(i % 2 ? faults::listener_state::open : faults::listener_state::closed);
        }
    });
    for (auto& w : workers) {
        w.join();
    }
    stop = true;
    swapper.join();
    EXPECT_EQ(decisions.load(), 9000u);
    // The rule was never replaced, only others added and removed: its limit held exactly.
    EXPECT_EQ(c.rules()[0].fired, 500u);
    EXPECT_EQ(c.faults_fired(), 500u);
}

} // namespace
