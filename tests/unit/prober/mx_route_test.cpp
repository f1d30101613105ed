// The route of --mx step by step (RFC 5321 §5.1, RFC 7505): what it asks, in which order, and
// what it concludes for every answer each step can get.
#include "prober/mx_route.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using prober::mx_answer;
using prober::mx_host;
using prober::mx_outcome;
using prober::mx_route;
using smtp::failure_kind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using kind = mx_answer::kind;
using namespace std::chrono_literals;

mx_answer mx(std::vector<mx_host> records)
{
    return {kind::answered, std::move(records), {}, {}};
}

mx_answer addresses(std::vector<std::string> found)
{
    return {kind::answered, {}, std::move(found), {}};
}

mx_answer negative(kind k, std::string error = {})
{
    return {k, {}, {}, std::move(error)};
}

// Feeds the answers in turn, checking that each question is the one expected ("MX name" or
// "A name"), and that nothing more is asked.
mx_outcome run(const std::string& domain,
               const std::vector<std::pair<std::string, mx_answer>>& steps)
{
    mx_route route(domain);
    auto at = 0us;
    for (const auto& [asked, answer] : steps) {
        const auto q = route.next();
        EXPECT_TRUE(q.has_value()) << "expected to ask " << asked;
        if (!q) {
            break;
        }
        EXPECT_EQ((q->mx ? "MX " : "A ") + q->name, asked);
        at += 1000us;
        route.on_answer(answer, at);
    }
    EXPECT_FALSE(route.next().has_value()) << "asked more than expected";
    return route.result();
}

TEST(mx_route, most_preferred_mx_host_with_its_first_address)
{
    const auto r =
        run("example.test.",
            {{"MX example.test", mx({{20, "mx2.example.test"}, {10, "mx1.example.test."}})},
             {"A mx1.example.test", addresses({"192.0.2.1", "::1"})}});
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.domain, "example.test");
    EXPECT_EQ(r.host, "mx1.example.test");
    EXPECT_EQ(r.preference, 10);
    EXPECT_EQ(r.address, "192.0.2.1");
    EXPECT_THAT(r.addresses, ElementsAre("192.0.2.1", "::1"));
    EXPECT_FALSE(r.implicit);
    EXPECT_THAT(r.exchanges,
                ElementsAre(mx_host{10, "mx1.example.test"}, mx_host{20, "mx2.example.test"}));
    EXPECT_EQ(r.elapsed, 2000us);
    ASSERT_EQ(r.notes.size(), 2u);
    EXPECT_EQ(r.notes[0].second,
              "MX example.test: MX 20 mx2.example.test, MX 10 mx1.example.test.");
    EXPECT_EQ(r.notes[1].second, "mx1.example.test: 192.0.2.1, ::1");
    EXPECT_EQ(prober::describe_route(r), "example.test: MX 10 mx1.example.test, 192.0.2.1");
}

TEST(mx_route, equal_preferences_are_tried_by_name_and_duplicates_once)
{
    const auto r =
        run("example.test",
            {{"MX example.test",
              mx({{10, "b.example.test"}, {10, "a.example.test"}, {10, "a.example.test"}})},
             {"A a.example.test", negative(kind::nxdomain)},
             {"A b.example.test", addresses({"192.0.2.2"})}});
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.host, "b.example.test");
    EXPECT_EQ(r.exchanges.size(), 2u);
}

TEST(mx_route, no_mx_falls_back_to_the_domain_itself)
{
    // RFC 5321 §5.1: no MX records, so the domain is its own mail exchanger (implicit MX).
    const auto r = run("example.test", {{"MX example.test", negative(kind::no_data)},
                                        {"A example.test", addresses({"192.0.2.3"})}});
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_TRUE(r.implicit);
    EXPECT_EQ(r.host, "example.test");
    EXPECT_EQ(r.preference, 0);
    EXPECT_EQ(r.address, "192.0.2.3");
    EXPECT_THAT(prober::describe_route(r), HasSubstr("no MX, the domain itself"));
    // An answer without records says the same.
    EXPECT_TRUE(run("example.test",
                    {{"MX example.test", mx({})}, {"A example.test", addresses({"192.0.2.3"})}})
                    .implicit);
}

TEST(mx_route, no_mx_and_no_address_is_a_dns_error)
{
    const auto r = run("example.test", {{"MX example.test", negative(kind::no_data)},
                                        {"A example.test", negative(kind::no_data)}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.failure, failure_kind::dns_error);
    EXPECT_THAT(r.message, HasSubstr("has no MX and no address"));
    EXPECT_EQ(r.received, "no records");
}

TEST(mx_route, nxdomain_for_the_domain)
{
    const auto r = run("gone.test", {{"MX gone.test", negative(kind::nxdomain)}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.failure, failure_kind::dns_error);
    EXPECT_EQ(r.message, "mail domain gone.test does not exist (NXDOMAIN)");
    EXPECT_EQ(r.received, "NXDOMAIN");
    EXPECT_TRUE(r.host.empty());
}

TEST(mx_route, servfail_or_refused_on_the_mx_query_is_a_dns_error_naming_it)
{
    for (const std::string error :
         {"DNS server failure (SERVFAIL)", "DNS query refused (REFUSED)"}) {
        const auto r = run("example.test", {{"MX example.test", negative(kind::failed, error)}});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(*r.failure, failure_kind::dns_error);
        EXPECT_EQ(r.message, "MX lookup of example.test failed: " + error);
        EXPECT_EQ(r.received, error);
    }
}

TEST(mx_route, no_answer_to_the_mx_query_is_a_timeout)
{
    const auto r =
        run("example.test",
            {{"MX example.test", negative(kind::timeout, "no answer from the DNS server")}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.failure, failure_kind::timeout);
    EXPECT_EQ(r.message, "no answer to the MX lookup of example.test");
}

TEST(mx_route, null_mx_means_the_domain_accepts_no_mail)
{
    // RFC 7505: "MX 0 ." (the root as exchange); a sender must not try any host.
    for (const std::string root : {"", "."}) {
        const auto r = run("example.test", {{"MX example.test", mx({{0, root}})}});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(*r.failure, failure_kind::dns_error);
        EXPECT_THAT(r.message, HasSubstr("accepts no mail (null MX, RFC 7505)"));
        EXPECT_EQ(r.received, "MX 0 .");
    }
}

TEST(mx_route, hosts_without_address_are_skipped_then_fail_naming_each)
{
    const auto r =
        run("example.test",
            {{"MX example.test", mx({{10, "mx1.example.test"}, {20, "mx2.example.test"}})},
             {"A mx1.example.test", negative(kind::nxdomain)},
             {"A mx2.example.test", negative(kind::failed, "DNS server failure (SERVFAIL)")}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.failure, failure_kind::dns_error);
    EXPECT_EQ(r.message, "no MX host of example.test has an address: mx1.example.test (NXDOMAIN), "
                         "mx2.example.test (DNS server failure (SERVFAIL))");
}

TEST(mx_route, only_timeouts_for_the_hosts_is_a_timeout)
{
    const auto r = run("example.test", {{"MX example.test", mx({{10, "mx1.example.test"}})},
                                        {"A mx1.example.test", negative(kind::timeout, "late")}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(*r.failure, failure_kind::timeout);
}

TEST(mx_route, not_a_domain_ends_at_once)
{
    for (const std::string bad : {"192.0.2.1", "::1", "", "a..b"}) {
        const auto r = run(bad, {});
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(*r.failure, failure_kind::dns_error);
        EXPECT_THAT(r.message, HasSubstr("is not a mail domain")) << bad;
    }
}

TEST(mx_route, answers_after_the_end_change_nothing)
{
    mx_route route("gone.test");
    route.on_answer(negative(kind::nxdomain), 5us);
    const auto before = route.result().message;
    route.on_answer(addresses({"192.0.2.1"}), 10us);
    EXPECT_EQ(route.result().message, before);
    EXPECT_TRUE(route.result().address.empty());
}

} // namespace
