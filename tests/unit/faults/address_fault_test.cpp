// Faults chosen by the address: the local-part grammar, and the address_faults effect choosing
// the action at MAIL and RCPT.
#include "faults/address_fault.hpp"
#include "faults/engine.hpp"
#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using smtp::phase;

TEST(address_fault, decodes_every_token_and_their_combination)
{
    auto a = faults::decode_address_fault("fail-550");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->send, "550 5.0.0 Failure requested by the address\r\n");
    a = faults::decode_address_fault("Fail-450-4.7.1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->send, "450 4.7.1 Failure requested by the address\r\n");
    a = faults::decode_address_fault("delay-2s+fail-451");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->delay, 2s);
    EXPECT_EQ(a->send, "451 4.0.0 Failure requested by the address\r\n");
    EXPECT_EQ(faults::decode_address_fault("hang")->end, faults::ending::hang);
    EXPECT_EQ(faults::decode_address_fault("drop")->end, faults::ending::close_fin);
    EXPECT_EQ(faults::decode_address_fault("delay-250ms+reset")->end, faults::ending::close_rst);
}

TEST(address_fault, an_ordinary_or_malformed_local_part_asks_for_nothing)
{
    for (const char* local :
         {"alice", "", "fail", "fail-250", "fail-55", "fail-5500", "fail-550-4.1.1", "fail-550-5",
          "fail-550-5.1.x", "delay-5", "delay-25h", "delay-2s+alice", "hang+", "probe+fail-550",
          "fail-550.hang"}) {
        EXPECT_FALSE(faults::decode_address_fault(local)) << local;
    }
}

faults::action decide(const faults::engine& e, faults::decision_point at)
{
    faults::decision_rng rng(1, 1);
    return e.decide(faults::connection_context{}, at, e.loaded_at(), rng);
}

TEST(address_fault, the_effect_fires_only_for_an_encoded_address)
{
    const auto s = faults::load_scenario("name: t\nrules:\n"
                                         "  - id: by-address\n"
                                         "    when: {phase: [mail, rcpt]}\n"
                                         "    do: {address_faults: true}\n",
                                         "t.yaml");
    const faults::engine e(faults::compile_rules(s.rules), std::chrono::steady_clock::now());
    EXPECT_FALSE(decide(e, {phase::rcpt, "RCPT", "TO:<alice@example.com>"}).fired);
    auto a = decide(e, {phase::rcpt, "RCPT", "TO:<fail-552-5.2.2@example.com> NOTIFY=NEVER"});
    ASSERT_TRUE(a.fired);
    EXPECT_EQ(a.fired->rule_id, "by-address");
    EXPECT_EQ(a.send, "552 5.2.2 Failure requested by the address\r\n");
    a = decide(e, {phase::mail, "MAIL", "FROM:<delay-1s+hang@example.com>"});
    EXPECT_EQ(a.delay, 1s);
    EXPECT_EQ(a.end, faults::ending::hang);
    EXPECT_FALSE(decide(e, {phase::mail, "MAIL", "FROM:<>"}).fired);
    EXPECT_FALSE(decide(e, {phase::ehlo, "EHLO", "fail-550@example.com"}).fired);
}

TEST(address_fault, the_rule_must_be_at_mail_or_rcpt_and_alone)
{
    EXPECT_THROW(faults::load_rule("do: {address_faults: true}\n", "b"), faults::scenario_error);
    EXPECT_THROW(
        faults::load_rule("when: {phase: [rcpt, data]}\ndo: {address_faults: true}\n", "b"),
        faults::scenario_error);
    EXPECT_THROW(
        faults::load_rule("when: {phase: rcpt}\ndo: {address_faults: true, delay: 1s}\n", "b"),
        faults::scenario_error);
    EXPECT_NO_THROW(faults::load_rule("when: {phase: rcpt}\ndo: {address_faults: true}\n", "b"));
    EXPECT_NO_THROW(faults::load_rule(
        "when: {phase: rcpt}\ndo: {address_faults: true, expires: 1m, fail_first: 1}\n", "b"));
}

} // namespace
