// The effects that decide whether their rule fires: greylist, rate_limit, fail_first (with
// memory per client or triplet, shown at GET /api/v1/rules, forgotten on replace/clear) and
// expires. Time is given to each decision: no clock, no sleep.
#include "faults/controller.hpp"
#include "faults/scenario_error.hpp"
#include "faults/scenario_json.hpp"
#include "faults/scenario_loader.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using smtp::phase;

const clock_type::time_point t0 = clock_type::time_point{} + 3000h;

faults::controller make(const std::string& rules)
{
    return faults::controller(faults::load_scenario("name: t\nrules:\n" + rules, "t.yaml"), 7, t0);
}

// One RCPT in a new session from `peer` with sender `from`, at `now`: true when the rule fired.
bool rcpt(faults::controller& c, const std::string& peer, std::string_view from,
          std::string_view to_argument, clock_type::time_point now)
{
    auto s = c.open_session(1, peer, now);
    return s->decide({phase::rcpt, "RCPT", to_argument, from}, now).fired.has_value();
}

bool connect(faults::controller& c, const std::string& peer, clock_type::time_point now)
{
    auto s = c.open_session(1, peer, now);
    return s->decide({phase::banner, "", ""}, now).fired.has_value();
}

const std::string greylist = "  - id: grey\n    when: {phase: rcpt}\n"
                             "    do:\n      reply: \"450 4.7.1 Greylisted\"\n"
                             "      greylist: {delay: 60s, window: 1h}\n";

TEST(greylist, defers_each_new_triplet_until_a_retry_after_the_delay)
{
    auto c = make(greylist);
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0)) << "first";
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 59s)) << "too soon";
    EXPECT_FALSE(rcpt(c, "192.0.2.1", "A@X.example", "TO:<B@y.example> NOTIFY=NEVER", t0 + 60s))
        << "a retry after the delay passes (case-folded, parameters ignored)";
    EXPECT_FALSE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 2h))
        << "and stays passed";
    // Any part of the triplet new: a first attempt again.
    EXPECT_TRUE(rcpt(c, "192.0.2.2", "a@x.example", "TO:<b@y.example>", t0 + 2h));
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "other@x.example", "TO:<b@y.example>", t0 + 2h));
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<c@y.example>", t0 + 2h));
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "", "TO:<b@y.example>", t0 + 2h)) << "the null sender";
}

TEST(greylist, a_retry_after_the_window_starts_over)
{
    auto c = make(greylist);
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0));
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 1h + 1ms));
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 1h + 59s));
    EXPECT_FALSE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 1h + 61s));
}

TEST(greylist, its_triplets_are_in_the_rule_listing_and_a_replace_forgets_them)
{
    auto c = make(greylist);
    rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 5s);
    rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 6s);
    const auto listed = boost::json::serialize(faults::to_json(c.rules().front()));
    EXPECT_NE(listed.find(R"("state":{"greylist":[{"client":"192.0.2.1","sender":"a@x.example",)"
                          R"("recipient":"b@y.example","first_attempt_ms":5000,"deferred":2,)"
                          R"("passed":false}]})"),
              std::string::npos)
        << listed;
    c.replace(c.current(), t0 + 10s);
    EXPECT_TRUE(c.rules().front().state.at("greylist").as_array().empty());
    EXPECT_TRUE(rcpt(c, "192.0.2.1", "a@x.example", "TO:<b@y.example>", t0 + 2min))
        << "forgotten: a first attempt again";
}

TEST(greylist, is_refused_outside_rcpt_and_without_a_reply)
{
    EXPECT_THROW(
        make("  - when: {phase: mail}\n    do: {reply: \"450 x\", greylist: {delay: 1s}}\n"),
        faults::scenario_error);
    EXPECT_THROW(make("  - when: {phase: rcpt}\n    do: {greylist: {delay: 1s}}\n"),
                 faults::scenario_error);
    EXPECT_THROW(make("  - when: {phase: rcpt}\n    do: {reply: \"450 x\", greylist: {}}\n"),
                 faults::scenario_error);
    EXPECT_THROW(make("  - when: {phase: rcpt}\n"
                      "    do: {reply: \"450 x\", greylist: {delay: 1h, window: 1s}}\n"),
                 faults::scenario_error);
}

TEST(rate_limit, refuses_a_client_over_max_per_window_and_lets_it_in_as_the_window_slides)
{
    auto c = make("  - id: limit\n    when: {phase: banner}\n"
                  "    do: {reply: \"421 4.7.0 too many\", close: fin, "
                  "rate_limit: {max: 2, per: 10s}}\n");
    EXPECT_FALSE(connect(c, "192.0.2.1", t0));
    EXPECT_FALSE(connect(c, "192.0.2.1", t0 + 4s));
    EXPECT_TRUE(connect(c, "192.0.2.1", t0 + 5s)) << "third within 10 s";
    EXPECT_FALSE(connect(c, "192.0.2.2", t0 + 5s)) << "per client";
    EXPECT_TRUE(connect(c, "192.0.2.1", t0 + 9999ms));
    EXPECT_FALSE(connect(c, "192.0.2.1", t0 + 10s)) << "the first left the window";
    EXPECT_TRUE(connect(c, "192.0.2.1", t0 + 11s)) << "refusals do not count, 4 s and 10 s do";
    EXPECT_FALSE(connect(c, "192.0.2.1", t0 + 14s));
    const auto state = c.rules().front().state.at("rate_limit").as_array();
    ASSERT_EQ(state.size(), 2u);
    EXPECT_EQ(boost::json::serialize(state[0]),
              R"({"client":"192.0.2.1","in_window":2,"limited":3})");
}

TEST(fail_first, fails_the_first_n_attempts_of_each_client_then_lets_it_through)
{
    auto c = make("  - id: ff\n    when: {phase: banner}\n"
                  "    do: {reply: \"421 4.3.2 not yet\", close: fin, fail_first: 2}\n");
    EXPECT_TRUE(connect(c, "192.0.2.1", t0));
    EXPECT_TRUE(connect(c, "::1", t0));
    EXPECT_TRUE(connect(c, "192.0.2.1", t0));
    EXPECT_FALSE(connect(c, "192.0.2.1", t0));
    EXPECT_FALSE(connect(c, "192.0.2.1", t0 + 1h));
    EXPECT_TRUE(connect(c, "::1", t0));
    EXPECT_FALSE(connect(c, "::1", t0));
    EXPECT_EQ(boost::json::serialize(c.rules().front().state.at("fail_first")),
              R"([{"client":"192.0.2.1","failed":2,"passed":2},)"
              R"({"client":"::1","failed":2,"passed":1}])");
    c.clear(t0);
    EXPECT_TRUE(c.rules().empty());
}

TEST(expires, a_rule_stops_firing_after_its_duration_counted_from_when_it_was_added)
{
    auto c = make("  - id: loaded\n    when: {phase: banner}\n"
                  "    do: {delay: 1s, expires: 30s}\n");
    EXPECT_TRUE(connect(c, "192.0.2.1", t0 + 29s));
    EXPECT_FALSE(connect(c, "192.0.2.1", t0 + 30s));
    c.remove_rule("loaded");
    c.add_rule(faults::load_rule("id: live\nwhen: {phase: banner}\n"
                                 "do: {reply: \"554 5.3.2 no\", expires: 30s}\n",
                                 "body"),
               t0 + 1h);
    EXPECT_TRUE(connect(c, "192.0.2.1", t0 + 1h + 29s)) << "counted from when it was added";
    EXPECT_FALSE(connect(c, "192.0.2.1", t0 + 1h + 30s));
    EXPECT_THROW(make("  - do: {expires: 30s}\n"), faults::scenario_error);
}

TEST(stateful_effects, read_back_as_written)
{
    const auto s = faults::load_scenario(
        "name: t\nrules:\n" + greylist +
            "  - when: {phase: banner}\n"
            "    do: {close: fin, rate_limit: {max: 3, per: 1m}, fail_first: 2, expires: 1h}\n",
        "t.yaml");
    EXPECT_EQ(faults::load_scenario(boost::json::serialize(faults::to_json(s)), "back.json"), s);
}

} // namespace
