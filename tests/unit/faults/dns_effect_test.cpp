// `do.dns` and rules at phase dns: what they read, what they refuse (with the position), their
// JSON form, and how the controller decides for one DNS query.
#include "faults/controller.hpp"
#include "faults/scenario_json.hpp"
#include "faults/scenario_loader.hpp"

#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using faults::dns_fault;
using ::testing::HasSubstr;
using ipv4 = dns_fault::ipv4;

faults::scenario load(const std::string& rules)
{
    return faults::load_scenario("name: d\nrules:\n" + rules, "d.yaml");
}

dns_fault dns_of(const std::string& value)
{
    const auto s = load("  - when: {phase: dns}\n    do: {dns: " + value + "}\n");
    const auto a = faults::compose(s.rules.at(0).effects);
    EXPECT_TRUE(a.dns.has_value());
    return a.dns.value_or(dns_fault{});
}

std::string error_of(const std::string& rules)
{
    try {
        load(rules);
    } catch (const faults::scenario_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "loaded: " << rules;
    return {};
}

TEST(dns_effect, reads_every_way_the_dns_server_can_answer)
{
    EXPECT_EQ(dns_of("{rcode: servfail}").rcode, "SERVFAIL");
    EXPECT_EQ(dns_of("{rcode: refused}").rcode, "REFUSED");
    EXPECT_TRUE(dns_of("{truncate: true}").truncate);
    EXPECT_EQ(dns_of("{mx: nxdomain}").mx, dns_fault::mx_answer::nxdomain);
    EXPECT_EQ(dns_of("{mx: a_only}").mx, dns_fault::mx_answer::a_only);
    EXPECT_EQ(dns_of("{mx: null_mx}").mx, dns_fault::mx_answer::null_mx);
    const auto listed = dns_of("{listed: {}}");
    EXPECT_EQ(listed.listed, (std::vector<ipv4>{{127, 0, 0, 2}}));
    EXPECT_EQ(listed.listed_reason, "");
    const auto reason = dns_of("{listed: {code: [127.0.0.2, 127.0.0.4], reason: \"spam\"}}");
    EXPECT_EQ(reason.listed, (std::vector<ipv4>{{127, 0, 0, 2}, {127, 0, 0, 4}}));
    EXPECT_EQ(reason.listed_reason, "spam");
    EXPECT_EQ(dns_of("{dnsbl_error: 254}").dnsbl_error, 254);
    EXPECT_EQ(dns_of("{dnsbl_wildcard: 192.0.2.80}").dnsbl_wildcard,
              (std::vector<ipv4>{{192, 0, 2, 80}}));
}

TEST(dns_effect, refuses_what_cannot_happen_with_its_position)
{
    const std::string head = "  - when: {phase: dns}\n    do: {dns: ";
    EXPECT_THAT(error_of(head + "{rcode: nxdomain}}\n"), HasSubstr("d.yaml:4:"));
    EXPECT_THAT(error_of(head + "{rcode: nxdomain}}\n"), HasSubstr("servfail, refused"));
    EXPECT_THAT(error_of(head + "{}}\n"), HasSubstr("dns needs"));
    EXPECT_THAT(error_of(head + "{truncate: false}}\n"), HasSubstr("asks for nothing"));
    EXPECT_THAT(error_of(head + "{listed: {code: 192.0.2.2}}}\n"), HasSubstr("127.0.0.0/8"));
    EXPECT_THAT(error_of(head + "{listed: {code: \"::1\"}}}\n"), HasSubstr("IPv4"));
    EXPECT_THAT(error_of(head + "{dnsbl_error: 256}}\n"), HasSubstr("dnsbl_error"));
    EXPECT_THAT(error_of(head + "{listed: {reason: " + std::string(256, 'x') + "}}}\n"),
                HasSubstr("255 octets"));
    EXPECT_THAT(error_of("  - when: {phase: mail}\n    do: {dns: {rcode: servfail}}\n"),
                HasSubstr("when.phase: dns"));
    EXPECT_THAT(error_of("  - when: {phase: [dns, mail]}\n    do: {hang: true}\n"),
                HasSubstr("a rule of its own"));
    EXPECT_THAT(error_of("  - when: {phase: dns}\n    do: {reply: \"550 no\"}\n"),
                HasSubstr("dns, delay, hang and expires"));
    EXPECT_THAT(error_of("  - when: {phase: dns, connections: 1}\n    do: {hang: true}\n"),
                HasSubstr("use times"));
}

TEST(dns_effect, round_trips_through_json)
{
    const auto s = load("  - when: {phase: dns, command: MX}\n"
                        "    do: {dns: {rcode: servfail, truncate: true, mx: a_only}}\n"
                        "  - when: {phase: dns}\n"
                        "    do: {dns: {listed: {code: [127.0.0.2, 127.0.0.3], reason: r}, "
                        "dnsbl_error: 252, dnsbl_wildcard: 127.0.0.2}, delay: 2s}\n");
    const auto text = boost::json::serialize(faults::to_json(s));
    EXPECT_THAT(text, HasSubstr(R"("dns":{"rcode":"servfail","truncate":true,"mx":"a_only"})"));
    EXPECT_THAT(text, HasSubstr(R"("listed":{"code":["127.0.0.2","127.0.0.3"],"reason":"r"})"));
    EXPECT_EQ(faults::scenario_from_body(text), s);
    const auto null_mx = load("  - when: {phase: dns}\n    do: {dns: {mx: null_mx}}\n");
    const auto null_text = boost::json::serialize(faults::to_json(null_mx));
    EXPECT_THAT(null_text, HasSubstr(R"("dns":{"mx":"null_mx"})"));
    EXPECT_EQ(faults::scenario_from_body(null_text), null_mx);
}

TEST(dns_effect, the_controller_decides_each_query_on_type_name_and_client)
{
    const auto now = std::chrono::steady_clock::now();
    faults::controller c(load("  - id: slow-mx\n"
                              "    when: {phase: dns, command: MX, argument: '^mock\\.test$'}\n"
                              "    do: {delay: 2s}\n"
                              "  - id: dead-zone\n"
                              "    when: {phase: dns, argument: 'dnsbl\\.mock\\.test$', times: 1}\n"
                              "    do: {hang: true}\n"
                              "  - id: every-smtp-phase\n"
                              "    do: {close: rst}\n"),
                         7, now);
    auto decide = [&](std::string_view type, std::string_view name) {
        faults::decision_point at;
        at.phase = smtp::phase::dns;
        at.command = type;
        at.argument = name;
        return c.decide_query(at, "127.0.0.1", now);
    };
    auto mx = decide("MX", "mock.test");
    EXPECT_EQ(mx.delay, std::chrono::seconds(2));
    ASSERT_TRUE(mx.fired.has_value());
    EXPECT_EQ(mx.fired->rule_id, "slow-mx");
    EXPECT_EQ(mx.fired->at, smtp::phase::dns);
    // A rule without a phase is about SMTP: it never touches a DNS answer.
    EXPECT_TRUE(decide("A", "mock.test").healthy());
    EXPECT_EQ(decide("A", "2.0.0.127.dnsbl.mock.test").end, faults::ending::hang);
    EXPECT_TRUE(decide("A", "2.0.0.127.dnsbl.mock.test").healthy()); // times: 1
    // Queries do not count as connections: the next SMTP connection is still the first.
    EXPECT_EQ(c.open_session(1, "127.0.0.1", now)->context().ordinal, 1u);
}

} // namespace
