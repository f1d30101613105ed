// `do.deliver`: what it reads, what it refuses (with the position), and its JSON form.
#include "faults/scenario_json.hpp"
#include "faults/scenario_loader.hpp"

#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;
using destination = faults::delivery_fault::destination;

faults::delivery_fault delivery_of(const std::string& value)
{
    const auto s = faults::load_scenario(
        "name: d\nrules:\n  - when: {phase: data_end}\n    do: {deliver: " + value + "}\n",
        "d.yaml");
    const auto a = faults::compose(s.rules.at(0).effects);
    EXPECT_TRUE(a.delivery.has_value());
    return a.delivery.value_or(faults::delivery_fault{});
}

std::string error_of(const std::string& rule)
{
    try {
        faults::load_scenario("name: d\nrules:\n" + rule, "d.yaml");
    } catch (const faults::scenario_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "loaded: " << rule;
    return {};
}

TEST(deliver_effect, reads_every_way_a_message_reaches_the_mailbox)
{
    EXPECT_EQ(delivery_of("{to: nowhere}").to, destination::nowhere);
    EXPECT_EQ(delivery_of("{to: junk}").to, destination::junk);
    const auto late = delivery_of("{after: 90s}");
    EXPECT_EQ(late.to, destination::inbox);
    EXPECT_EQ(late.after, std::chrono::seconds(90));
    EXPECT_EQ(delivery_of("{copies: 2}").copies, 2u);
    const auto changed = delivery_of("{subject: \"[SPAM] hi\", body: \"rewritten\"}");
    EXPECT_EQ(changed.subject, "[SPAM] hi");
    EXPECT_EQ(changed.body, "rewritten");
}

TEST(deliver_effect, refuses_what_cannot_happen_with_its_position)
{
    const std::string head = "  - when: {phase: data_end}\n    do: {deliver: ";
    EXPECT_THAT(error_of(head + "{to: trash}}\n"), HasSubstr("d.yaml:4:"));
    EXPECT_THAT(error_of(head + "{to: trash}}\n"), HasSubstr("inbox, junk, nowhere"));
    EXPECT_THAT(error_of(head + "{copies: 0}}\n"), HasSubstr("to: nowhere"));
    EXPECT_THAT(error_of(head + "{copies: 11}}\n"), HasSubstr("copies"));
    EXPECT_THAT(error_of(head + "{to: nowhere, after: 1s}}\n"), HasSubstr("delivers nothing"));
    EXPECT_THAT(error_of(head + "{subject: \"a\\r\\nBcc: x\"}}\n"), HasSubstr("one line"));
    EXPECT_THAT(error_of(head + "{}}\n"), HasSubstr("deliver needs"));
    EXPECT_THAT(error_of(head + "{after: 25h}}\n"), HasSubstr("deliver.after"));
    EXPECT_THAT(error_of("  - when: {phase: rcpt}\n    do: {deliver: {to: junk}}\n"),
                HasSubstr("when.phase: data_end"));
    EXPECT_THAT(error_of(head + "{to: junk}, reply: \"451 4.3.0 later\"}\n"),
                HasSubstr("stay 2xx"));
}

TEST(deliver_effect, round_trips_through_json)
{
    const auto s = faults::load_scenario(
        "name: d\nrules:\n  - when: {phase: data_end}\n"
        "    do: {deliver: {to: junk, after: 2m, copies: 3, subject: s, body: b}}\n"
        "  - when: {phase: data_end}\n    do: {deliver: {to: inbox}}\n",
        "d.yaml");
    const auto text = boost::json::serialize(faults::to_json(s));
    EXPECT_THAT(text, HasSubstr(R"("deliver":{"to":"junk","after":"2m","copies":3)"));
    EXPECT_EQ(faults::scenario_from_body(text), s);
}

} // namespace
