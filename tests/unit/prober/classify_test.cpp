// Classification helpers: blocklist texts, reply kinds, status mapping, escaping, the test
// message and its dot-stuffing, SASL encodings.
#include "prober/blocklist.hpp"
#include "prober/classify.hpp"
#include "prober/test_message.hpp"
#include "smtp/escape.hpp"

#include <gtest/gtest.h>

namespace prober {
namespace {

using smtp::failure_kind;

TEST(blocklist, recognises_real_rejection_texts)
{
    struct sample {
        const char* text;
        const char* name;
    };
    const sample samples[] = {
        {"5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
         "https://www.spamhaus.org/query/ip/192.0.2.1",
         "Spamhaus"},
        {"5.7.1 Rejected: 192.0.2.1 listed at dnsbl.sorbs.net", "SORBS"},
        {"5.7.1 Message rejected. Barracuda Reputation, see "
         "http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.1",
         "Barracuda"},
        {"5.7.1 Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.1", "SpamCop"},
        {"Client host rejected: blocked using b.example-rbl.net.", "b.example-rbl.net"},
        {"JunkMail rejected - 192.0.2.1 is listed on rbl.example.org", "rbl.example.org"},
        {"Your IP is listed in bl.example.net (127.0.0.2)", "bl.example.net"},
        {"Sender IP on our blacklist", "a DNS blocklist"},
    };
    for (const auto& s : samples) {
        auto found = find_blocklist(s.text);
        ASSERT_TRUE(found) << s.text;
        EXPECT_EQ(*found, s.name) << s.text;
    }
    for (const char* clean : {"5.1.1 <bob@example.test>: Recipient address rejected: User unknown",
                              "4.7.1 Greylisted, please try again later", "5.7.1 Relaying denied",
                              "Mailbox listed as inactive"}) {
        EXPECT_FALSE(find_blocklist(clean)) << clean;
    }
}

TEST(classify, reply_kinds)
{
    EXPECT_EQ(classify_reply({451, {"4.3.0 try later"}}), failure_kind::temp_failure);
    EXPECT_EQ(classify_reply({550, {"5.1.1 unknown user"}}), failure_kind::perm_failure);
    EXPECT_EQ(classify_reply({554, {"5.7.1 first line", "blocked using zen.spamhaus.org"}}),
              failure_kind::blocklisted);
    EXPECT_EQ(classify_reply({450, {"4.7.1 listed at bl.spamcop.net"}}), failure_kind::blocklisted);
    EXPECT_EQ(classify_reply({250, {"ok"}}), failure_kind::unexpected_reply);
    EXPECT_EQ(classify_reply({354, {"go"}}), failure_kind::unexpected_reply);
}

TEST(classify, status_mapping_follows_design_section_2)
{
    probe_options o;
    probe_failure f;
    f.kind = failure_kind::timeout;
    f.at = smtp::phase::banner;
    EXPECT_EQ(status_of(f, o, false), probe_status::critical);
    f.at = smtp::phase::quit;
    EXPECT_EQ(status_of(f, o, false), probe_status::warning);
    f.kind = failure_kind::temp_failure;
    f.at = smtp::phase::rcpt;
    EXPECT_EQ(status_of(f, o, false), probe_status::critical);
    o.temp_failure_warning = true;
    EXPECT_EQ(status_of(f, o, false), probe_status::warning);
    f.kind = failure_kind::perm_failure;
    EXPECT_EQ(status_of(f, o, false), probe_status::critical);
    f.kind = failure_kind::slow;
    EXPECT_EQ(status_of(f, o, false), probe_status::warning);
    EXPECT_EQ(status_of(f, o, true), probe_status::critical);
    f.kind = failure_kind::cert_expiring;
    EXPECT_EQ(status_of(f, o, false), probe_status::warning);
}

TEST(escape, bytes_are_readable_and_bounded)
{
    EXPECT_EQ(smtp::escape_bytes("220 ok\r\n"), "220 ok\\r\\n");
    EXPECT_EQ(smtp::escape_bytes(std::string("a\0b\x7f\xff\\\t", 7)), "a\\x00b\\x7f\\xff\\\\\\t");
    EXPECT_EQ(smtp::escape_bytes(std::string(10, 'x'), 4), "xxxx...(6 more)");
}

TEST(format, seconds)
{
    EXPECT_EQ(format_seconds(std::chrono::microseconds(3'000'999)), "3.000s");
    EXPECT_EQ(format_seconds(std::chrono::microseconds(12'345)), "0.012s");
}

TEST(test_message, dot_stuffing_per_rfc5321_4_5_2)
{
    EXPECT_EQ(dot_stuff("a\r\n.b\r\n.\r\n"), "a\r\n..b\r\n..\r\n.\r\n");
    EXPECT_EQ(dot_stuff(".start"), "..start\r\n.\r\n");
    EXPECT_EQ(dot_stuff("bare\nlf\n.x"), "bare\r\nlf\r\n..x\r\n.\r\n");
    EXPECT_EQ(dot_stuff(""), ".\r\n");
    EXPECT_EQ(dot_stuff("mid.dot\r\n"), "mid.dot\r\n.\r\n");
}

TEST(test_message, headers_and_unique_ids)
{
    auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    auto a = make_message_id(now, 1, "example.test");
    auto b = make_message_id(now, 2, "example.test");
    EXPECT_NE(a, b);
    EXPECT_EQ(a, "smtp-probe.1800000000000.0000000000000001@example.test");
    auto m = build_test_message({"p@example.test", {"r@example.test"}, a, now});
    EXPECT_NE(m.find("Message-ID: <" + a + ">\r\n"), std::string::npos);
    EXPECT_NE(m.find("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"), std::string::npos);
    EXPECT_NE(m.find("\r\n\r\n"), std::string::npos);
    for (std::size_t pos = 0; (pos = m.find('\n', pos)) != std::string::npos; ++pos) {
        ASSERT_GT(pos, 0u);
        EXPECT_EQ(m[pos - 1], '\r'); // CRLF only (RFC 5321 §2.3.8)
    }
}

} // namespace
} // namespace prober
