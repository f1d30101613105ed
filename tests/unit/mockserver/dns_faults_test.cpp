// The fault engine's actions at phase dns, as the decisions the DNS responder carries out;
// the DNS server's wait after receive errors.
#include "faults/controller.hpp"
#include "faults/scenario_loader.hpp"
#include "mockserver/dns/dns_faults.hpp"
#include "mockserver/dns/dns_server.hpp"

#include <gtest/gtest.h>

namespace {

const std::vector<dns::ip_address> own{dns::ipv4{127, 0, 0, 1}, dns::ipv4{127, 0, 0, 3}};

dns::fault_decisions decisions_of(const std::string& effects)
{
    const auto s = faults::load_scenario(
        "name: d\nrules:\n  - when: {phase: dns}\n    do: " + effects + "\n", "d.yaml");
    return mock::to_fault_decisions(faults::compose(s.rules.at(0).effects), own);
}

TEST(dns_faults, no_rule_answers_from_the_data)
{
    EXPECT_EQ(mock::to_fault_decisions(faults::action{}, own), dns::fault_decisions{});
}

TEST(dns_faults, delay_and_hang_are_a_slow_answer_and_none)
{
    EXPECT_EQ(decisions_of("{delay: 1500ms}").delay, std::chrono::milliseconds(1500));
    EXPECT_TRUE(decisions_of("{hang: true}").no_answer);
}

TEST(dns_faults, each_dns_fault_becomes_its_decision)
{
    EXPECT_EQ(decisions_of("{dns: {rcode: servfail}}").rcode, dns::rcode::servfail);
    EXPECT_EQ(decisions_of("{dns: {rcode: refused}}").rcode, dns::rcode::refused);
    EXPECT_TRUE(decisions_of("{dns: {truncate: true}}").truncate_udp);
    EXPECT_EQ(decisions_of("{dns: {mx: nxdomain}}").mx, dns::mx_fault::nxdomain);
    EXPECT_EQ(decisions_of("{dns: {mx: a_only}}").mx, dns::mx_fault::a_only);
    EXPECT_EQ(decisions_of("{dns: {mx: null_mx}}").mx, dns::mx_fault::null_mx);
    EXPECT_EQ(decisions_of("{dns: {dnsbl_error: 254}}").dnsbl_error, (dns::dnsbl_error{254, ""}));
    EXPECT_EQ(decisions_of("{dns: {dnsbl_wildcard: 127.0.0.2}}").dnsbl_wildcard,
              (std::vector<dns::ipv4>{{127, 0, 0, 2}}));
}

TEST(dns_faults, a_listing_lists_every_address_of_the_mock)
{
    const auto d = decisions_of("{dns: {listed: {code: 127.0.0.4, reason: \"see it\"}}}");
    ASSERT_EQ(d.listed.size(), 2u);
    EXPECT_EQ(d.listed[0], (dns::dnsbl_listing{own[0], {dns::ipv4{127, 0, 0, 4}}, "see it"}));
    EXPECT_EQ(d.listed[1].address, own[1]);
}

TEST(dns_server, a_recurring_receive_error_is_waited_out_up_to_a_second)
{
    using std::chrono::milliseconds;
    EXPECT_EQ(mock::dns_receive_backoff(0), milliseconds(0));
    EXPECT_EQ(mock::dns_receive_backoff(1), milliseconds(0)); // one ICMP error: at once
    EXPECT_EQ(mock::dns_receive_backoff(2), milliseconds(10));
    EXPECT_EQ(mock::dns_receive_backoff(3), milliseconds(20));
    EXPECT_EQ(mock::dns_receive_backoff(8), milliseconds(640));
    EXPECT_EQ(mock::dns_receive_backoff(9), milliseconds(1000));
    EXPECT_EQ(mock::dns_receive_backoff(4'000'000'000u), milliseconds(1000));
}

} // namespace
