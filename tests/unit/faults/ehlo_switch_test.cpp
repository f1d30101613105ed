// Faults chosen by the EHLO or HELO name: the grammar of the name's leading switches, and the
// ehlo_switches effect choosing the action (and the extensions withheld) at EHLO and HELO.
#include "faults/ehlo_switch.hpp"
#include "faults/engine.hpp"
#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using smtp::phase;
using strings = std::vector<std::string>;

TEST(ehlo_switch, extension_switches_withhold_their_extension)
{
    auto a = faults::decode_ehlo_switch("nostarttls.client.example");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->withhold, strings{"STARTTLS"});
    EXPECT_FALSE(a->send);
    a = faults::decode_ehlo_switch("NoAuth+NoStartTLS.client.example");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->withhold, (strings{"AUTH", "STARTTLS"}));
    a = faults::decode_ehlo_switch("nostarttls"); // a bare name, no domain
    ASSERT_TRUE(a);
    EXPECT_EQ(a->withhold, strings{"STARTTLS"});
}

TEST(ehlo_switch, fault_tokens_keep_the_dots_of_codes_and_durations)
{
    auto a = faults::decode_ehlo_switch("fail-554-5.7.1.client.example");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->send, "554 5.7.1 Failure requested by the EHLO name\r\n");
    a = faults::decode_ehlo_switch("delay-1.5s+nostarttls.example");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->delay, 1500ms);
    EXPECT_EQ(a->withhold, strings{"STARTTLS"});
    EXPECT_EQ(faults::decode_ehlo_switch("drop.example")->end, faults::ending::close_fin);
    EXPECT_EQ(faults::decode_ehlo_switch("hang.example")->end, faults::ending::hang);
}

TEST(ehlo_switch, an_ordinary_or_malformed_name_asks_for_nothing)
{
    for (const char* name :
         {"mail.example.org", "client.example", "", ".", "[127.0.0.1]", "nostarttls-please.example",
          "fail-250.example", "nostarttls+x.org", "delay-25h.example", "localhost"}) {
        EXPECT_FALSE(faults::decode_ehlo_switch(name)) << name;
    }
}

faults::action decide(const faults::engine& e, faults::decision_point at)
{
    faults::decision_rng rng(1, 1);
    return e.decide(faults::connection_context{}, at, e.loaded_at(), rng);
}

TEST(ehlo_switch, the_effect_fires_only_for_a_switching_name)
{
    const auto s = faults::load_scenario("name: t\nrules:\n"
                                         "  - id: by-name\n"
                                         "    when: {phase: [ehlo, helo]}\n"
                                         "    do: {ehlo_switches: true}\n",
                                         "t.yaml");
    const faults::engine e(faults::compile_rules(s.rules), std::chrono::steady_clock::now());
    EXPECT_FALSE(decide(e, {phase::ehlo, "EHLO", "client.example"}).fired);
    auto a = decide(e, {phase::ehlo, "EHLO", "nostarttls.client.example"});
    ASSERT_TRUE(a.fired);
    EXPECT_EQ(a.fired->rule_id, "by-name");
    EXPECT_EQ(a.withhold, strings{"STARTTLS"});
    EXPECT_FALSE(a.send);
    a = decide(e, {phase::helo, "HELO", "fail-421-4.3.2.client.example"});
    EXPECT_EQ(a.send, "421 4.3.2 Failure requested by the EHLO name\r\n");
    EXPECT_FALSE(decide(e, {phase::mail, "MAIL", "FROM:<nostarttls@example.com>"}).fired);
}

TEST(ehlo_switch, the_rule_must_be_at_ehlo_or_helo_and_alone)
{
    EXPECT_THROW(faults::load_rule("do: {ehlo_switches: true}\n", "b"), faults::scenario_error);
    EXPECT_THROW(faults::load_rule("when: {phase: [ehlo, mail]}\ndo: {ehlo_switches: true}\n", "b"),
                 faults::scenario_error);
    EXPECT_THROW(
        faults::load_rule("when: {phase: ehlo}\ndo: {ehlo_switches: true, reply: 250 ok}\n", "b"),
        faults::scenario_error);
    EXPECT_NO_THROW(
        faults::load_rule("when: {phase: [ehlo, helo]}\ndo: {ehlo_switches: true}\n", "b"));
    EXPECT_FALSE(
        faults::load_rule("when: {phase: ehlo}\ndo: {ehlo_switches: false, reply: 250 ok}\n", "b")
            .effects.has("ehlo_switches"));
}

} // namespace
