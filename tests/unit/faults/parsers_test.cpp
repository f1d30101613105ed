// The small parsers under the scenario format: connection ranges, CIDR blocks and reply
// rendering.
#include "faults/client_network.hpp"
#include "faults/connection_range.hpp"
#include "faults/reply_text.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

TEST(connection_range, single_bounded_open_and_every)
{
    const auto one = faults::parse_connection_range("3");
    ASSERT_TRUE(one);
    EXPECT_FALSE(one->contains(2));
    EXPECT_TRUE(one->contains(3));
    EXPECT_FALSE(one->contains(4));

    const auto bounded = faults::parse_connection_range("2-5");
    ASSERT_TRUE(bounded);
    EXPECT_FALSE(bounded->contains(1));
    EXPECT_TRUE(bounded->contains(2));
    EXPECT_TRUE(bounded->contains(5));
    EXPECT_FALSE(bounded->contains(6));

    const auto open = faults::parse_connection_range("3-");
    ASSERT_TRUE(open);
    EXPECT_FALSE(open->contains(2));
    EXPECT_TRUE(open->contains(3));
    EXPECT_TRUE(open->contains(1'000'000));

    const auto every = faults::parse_connection_range("every 2");
    ASSERT_TRUE(every);
    EXPECT_FALSE(every->contains(1));
    EXPECT_TRUE(every->contains(2));
    EXPECT_FALSE(every->contains(3));
    EXPECT_TRUE(every->contains(4));

    const auto from = faults::parse_connection_range("every 3 from 2");
    ASSERT_TRUE(from);
    EXPECT_FALSE(from->contains(1));
    EXPECT_TRUE(from->contains(2));
    EXPECT_FALSE(from->contains(3));
    EXPECT_TRUE(from->contains(5));
    EXPECT_TRUE(from->contains(8));
}

TEST(connection_range, round_trips_and_rejects_bad_ranges)
{
    for (const char* text : {"3", "2-5", "3-", "every 2", "every 3 from 2"}) {
        const auto r = faults::parse_connection_range(text);
        ASSERT_TRUE(r) << text;
        EXPECT_EQ(r->to_string(), text);
    }
    for (const char* text :
         {"0", "5-2", "-3", "every 0", "every", "a", "1-b", "every 2 from 0", "", "1.5"}) {
        EXPECT_FALSE(faults::parse_connection_range(text)) << text;
    }
}

TEST(client_network, ipv4_and_ipv6_blocks)
{
    const auto loopback = faults::parse_client_network("127.0.0.0/8");
    ASSERT_TRUE(loopback);
    EXPECT_TRUE(loopback->contains(*faults::parse_ip_address("127.0.0.1")));
    EXPECT_TRUE(loopback->contains(*faults::parse_ip_address("127.255.0.9")));
    EXPECT_FALSE(loopback->contains(*faults::parse_ip_address("128.0.0.1")));
    EXPECT_FALSE(loopback->contains(*faults::parse_ip_address("::1")));
    // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2).
    EXPECT_TRUE(loopback->contains(*faults::parse_ip_address("::ffff:127.0.0.1")));

    const auto v6 = faults::parse_client_network("::1/128");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->contains(*faults::parse_ip_address("::1")));
    EXPECT_FALSE(v6->contains(*faults::parse_ip_address("::2")));
    EXPECT_FALSE(v6->contains(*faults::parse_ip_address("127.0.0.1")));

    const auto doc = faults::parse_client_network("2001:db8::/33");
    ASSERT_TRUE(doc);
    EXPECT_TRUE(doc->contains(*faults::parse_ip_address("2001:db8:7fff::1")));
    EXPECT_FALSE(doc->contains(*faults::parse_ip_address("2001:db8:8000::1")));

    const auto host = faults::parse_client_network("192.0.2.7");
    ASSERT_TRUE(host);
    EXPECT_EQ(host->prefix_bits, 32);
    EXPECT_TRUE(host->contains(*faults::parse_ip_address("192.0.2.7")));
    EXPECT_FALSE(host->contains(*faults::parse_ip_address("192.0.2.8")));

    const auto odd = faults::parse_client_network("198.51.100.7/12");
    ASSERT_TRUE(odd);
    EXPECT_EQ(odd->to_string(), "198.48.0.0/12");
    EXPECT_TRUE(odd->contains(*faults::parse_ip_address("198.63.255.255")));
    EXPECT_FALSE(odd->contains(*faults::parse_ip_address("198.64.0.0")));

    const auto all = faults::parse_client_network("0.0.0.0/0");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->contains(*faults::parse_ip_address("203.0.113.1")));
}

TEST(client_network, peer_addresses_in_endpoint_form)
{
    EXPECT_EQ(faults::parse_ip_address("127.0.0.1:2525"), faults::parse_ip_address("127.0.0.1"));
    EXPECT_EQ(faults::parse_ip_address("[::1]:2525"), faults::parse_ip_address("::1"));
    EXPECT_EQ(faults::parse_ip_address("[fe80::1%lo]:25"), faults::parse_ip_address("fe80::1"));
    EXPECT_FALSE(faults::parse_ip_address("[::1"));
    EXPECT_FALSE(faults::parse_ip_address("example.com"));
}

TEST(client_network, rejects_bad_blocks)
{
    for (const char* text :
         {"203.0.113.0/33", "::/129", "203.0.113/24", "300.0.0.1", "203.0.113.1/", "203.0.113.1/x", "localhost",
          "", "::1/-1", "127.0.0.1:25/8", "[::1]/128"}) {
        EXPECT_FALSE(faults::parse_client_network(text)) << text;
    }
}

TEST(reply_text, one_line_gets_crlf)
{
    const auto r = faults::render_reply({"421 4.3.2 Service shutting down"});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.wire, "421 4.3.2 Service shutting down\r\n");
}

TEST(reply_text, lines_become_a_multi_line_reply)
{
    const auto r = faults::render_reply({"250 mock.example", "250-PIPELINING", "250 SIZE 1000"});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.wire, "250-mock.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n");
    EXPECT_EQ(faults::render_reply({"250"}).wire, "250\r\n");
}

TEST(reply_text, the_hostname_placeholder_becomes_the_servers_name)
{
    EXPECT_EQ(faults::expand_hostname("421 4.3.2 {hostname} Service not available\r\n", "mx.test"),
              "421 4.3.2 mx.test Service not available\r\n");
    EXPECT_EQ(faults::expand_hostname("250-{hostname}\r\n250 {hostname}{hostname}\r\n", "h"),
              "250-h\r\n250 hh\r\n");
    EXPECT_EQ(faults::expand_hostname("220 {host} {hostname", "h"), "220 {host} {hostname");
    EXPECT_EQ(faults::expand_hostname("", "h"), "");
}

TEST(reply_text, rejects_what_is_not_a_reply)
{
    EXPECT_FALSE(faults::render_reply({"hello"}).ok());
    EXPECT_FALSE(faults::render_reply({"25 ok"}).ok());
    EXPECT_FALSE(faults::render_reply({"650 ok"}).ok()); // RFC 5321 §4.2: first digit 2-5
    EXPECT_FALSE(faults::render_reply({"2500 ok"}).ok());
    EXPECT_FALSE(faults::render_reply({}).ok());
    EXPECT_FALSE(faults::render_reply({"250 a\r\n250 b"}).ok());
    EXPECT_FALSE(faults::render_reply({"250 " + std::string(600, 'x')}).ok());
    const auto mixed = faults::render_reply({"250-a", "251 b"});
    EXPECT_FALSE(mixed.ok());
    EXPECT_EQ(mixed.bad_line, 1u);
}

} // namespace
