// The blocklist check (RFC 5782) step by step: what it asks, and how it tells a listing from a
// broken blocklist, for every answer each step can get; and how the verdicts judge a result.
#include "prober/dnsbl_check.hpp"
#include "prober/probe_result.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using prober::dnsbl_answer;
using prober::dnsbl_check;
using prober::dnsbl_result;
using ::testing::HasSubstr;
using kind = dnsbl_answer::kind;
using verdict = dnsbl_result::verdict;

const dns::ip_address server = dns::ipv4{192, 0, 2, 25};

dnsbl_answer a(std::vector<dns::ipv4> codes)
{
    return {kind::answered, std::move(codes), {}, {}};
}

dnsbl_answer txt(std::string reason)
{
    return {kind::answered, {}, {std::move(reason)}, {}};
}

dnsbl_answer failed(std::string why)
{
    return {kind::failed, {}, {}, std::move(why)};
}

// Feeds `answers` in turn, checking that each question is the one expected.
dnsbl_result run(const std::vector<std::pair<std::string, dnsbl_answer>>& steps)
{
    dnsbl_check check("zen.example.", server);
    for (const auto& [asked, answer] : steps) {
        const auto q = check.next();
        EXPECT_TRUE(q.has_value()) << "expected to ask " << asked;
        if (!q) {
            break;
        }
        EXPECT_EQ((q->txt ? "TXT " : "A ") + q->name, asked);
        check.on_answer(answer);
    }
    EXPECT_FALSE(check.next().has_value()) << "asked more than expected";
    return check.result();
}

const std::string target = "A 25.2.0.192.zen.example";
const std::string test_entry = "A 1.0.0.127.zen.example";
const std::string reason = "TXT 25.2.0.192.zen.example";

TEST(dnsbl_check, nxdomain_or_no_address_is_not_listed)
{
    for (auto answer : {dnsbl_answer{kind::nxdomain, {}, {}, {}},
                        dnsbl_answer{kind::no_data, {}, {}, {}}, a({})}) {
        const auto r = run({{target, answer}});
        EXPECT_EQ(r.outcome, verdict::not_listed);
        EXPECT_EQ(r.zone, "zen.example");
        EXPECT_EQ(r.query, "25.2.0.192.zen.example");
    }
}

TEST(dnsbl_check, a_listing_is_checked_against_the_test_entry_then_gets_its_reason)
{
    const auto r = run({{target, a({{127, 0, 0, 2}, {127, 0, 0, 4}})},
                        {test_entry, {kind::nxdomain, {}, {}, {}}},
                        {reason, txt("Listed: see https://zen.example/\x01")}});
    EXPECT_EQ(r.outcome, verdict::listed);
    EXPECT_EQ(r.codes, (std::vector<std::string>{"127.0.0.2", "127.0.0.4"}));
    EXPECT_EQ(r.reason, "Listed: see https://zen.example/\\x01"); // escaped
    // RFC 5782 §2.2: the TXT record is optional.
    const auto bare = run({{target, a({{127, 0, 0, 2}})},
                           {test_entry, {kind::no_data, {}, {}, {}}},
                           {reason, failed("SERVFAIL")}});
    EXPECT_EQ(bare.outcome, verdict::listed);
    EXPECT_EQ(bare.reason, "");
}

TEST(dnsbl_check, no_answer_is_an_error_of_the_blocklist)
{
    const auto r = run({{target, failed("server failure")}});
    EXPECT_EQ(r.outcome, verdict::dnsbl_error);
    EXPECT_THAT(r.error, HasSubstr("server failure"));
}

TEST(dnsbl_check, the_query_error_codes_are_never_a_listing)
{
    for (std::uint8_t code : {252, 253, 254, 255}) {
        const auto r = run({{target, a({{127, 0, 0, 2}, {127, 255, 255, code}})}});
        EXPECT_EQ(r.outcome, verdict::dnsbl_error) << int(code);
        EXPECT_THAT(r.error, HasSubstr("127.255.255." + std::to_string(code)));
    }
    EXPECT_THAT(run({{target, a({{127, 255, 255, 254}})}}).error, HasSubstr("public/open"));
}

TEST(dnsbl_check, an_answer_outside_127_8_is_a_broken_zone)
{
    const auto r = run({{target, a({{91, 195, 240, 117}})}});
    EXPECT_EQ(r.outcome, verdict::dnsbl_error);
    EXPECT_THAT(r.error, HasSubstr("91.195.240.117, not a code in 127.0.0.0/8"));
}

TEST(dnsbl_check, a_zone_listing_its_test_entry_lists_everything)
{
    const auto r = run({{target, a({{127, 0, 0, 2}})}, {test_entry, a({{127, 0, 0, 2}})}});
    EXPECT_EQ(r.outcome, verdict::dnsbl_error);
    EXPECT_THAT(r.error, HasSubstr("test entry 127.0.0.1"));
    const auto unknown = run({{target, a({{127, 0, 0, 2}})}, {test_entry, failed("timeout")}});
    EXPECT_EQ(unknown.outcome, verdict::dnsbl_error);
    EXPECT_THAT(unknown.error, HasSubstr("cannot be trusted"));
}

TEST(dnsbl_check, the_test_entry_itself_is_not_asked_twice)
{
    dnsbl_check check("zen.example", dns::ipv4{127, 0, 0, 1});
    check.on_answer(a({{127, 0, 0, 2}}));
    ASSERT_TRUE(check.next().has_value());
    EXPECT_TRUE(check.next()->txt);
    check.on_answer(txt("loopback"));
    EXPECT_EQ(check.result().outcome, verdict::listed);
}

TEST(dnsbl_check, ipv6_addresses_are_nibbles)
{
    dns::ipv6 v6{};
    v6[15] = 1;
    dnsbl_check check("zen.example", v6);
    std::string expected = "1";
    for (int i = 0; i < 31; ++i) {
        expected += ".0";
    }
    EXPECT_EQ(check.next()->name, expected + ".zen.example");
}

TEST(dnsbl_check, a_bad_zone_name_is_an_error_at_once)
{
    dnsbl_check check("bad..zone", server);
    EXPECT_FALSE(check.next().has_value());
    EXPECT_EQ(check.result().outcome, verdict::dnsbl_error);
}

dnsbl_result verdict_of(verdict v, std::string zone)
{
    dnsbl_result r;
    r.zone = std::move(zone);
    r.outcome = v;
    r.codes = {"127.0.0.2"};
    r.reason = "spam";
    r.error = "no answer";
    return r;
}

TEST(judge_blocklists, listed_is_critical_broken_is_a_warning_and_never_a_listing)
{
    prober::probe_result ok;
    ok.status = prober::probe_status::ok;

    auto broken = ok;
    prober::judge_blocklists(broken, {verdict_of(verdict::not_listed, "a.example"),
                                      verdict_of(verdict::dnsbl_error, "b.example")});
    EXPECT_EQ(broken.status, prober::probe_status::warning);
    ASSERT_TRUE(broken.failure.has_value());
    EXPECT_EQ(broken.failure->kind, smtp::failure_kind::dns_error);
    EXPECT_EQ(broken.failure->at, smtp::phase::dns);
    EXPECT_THAT(broken.failure->message, HasSubstr("b.example is broken"));
    EXPECT_EQ(broken.dnsbl.size(), 2u);

    auto listed = ok;
    prober::judge_blocklists(listed, {verdict_of(verdict::dnsbl_error, "b.example"),
                                      verdict_of(verdict::listed, "c.example")});
    EXPECT_EQ(listed.status, prober::probe_status::critical);
    EXPECT_EQ(listed.failure->kind, smtp::failure_kind::blocklisted);
    EXPECT_EQ(listed.failure->message, "listed on c.example (127.0.0.2): spam");

    auto clean = ok;
    prober::judge_blocklists(clean, {verdict_of(verdict::not_listed, "a.example")});
    EXPECT_EQ(clean.status, prober::probe_status::ok);
    EXPECT_FALSE(clean.failure.has_value());

    // A failure of the session itself stays what is reported.
    prober::probe_result down;
    down.status = prober::probe_status::critical;
    down.failure = prober::probe_failure{};
    down.failure->kind = smtp::failure_kind::refused;
    prober::judge_blocklists(down, {verdict_of(verdict::listed, "c.example")});
    EXPECT_EQ(down.failure->kind, smtp::failure_kind::refused);
}

} // namespace
