// Addresses as names: PTR names (RFC 1035 §3.5, RFC 3596 §2.5) and DNSBL names (RFC 5782
// §2.1, §2.4), both ways.
#include "dns/reverse_name.hpp"

#include <gtest/gtest.h>

namespace {

using namespace dns;

name n(std::string_view text)
{
    return *name::parse(text);
}

const ipv6 documentation{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0xab};

TEST(dns_reverse_name, writes_ipv4_octets_and_ipv6_nibbles_reversed)
{
    EXPECT_EQ(reverse_name(ipv4{192, 0, 2, 99}, n("zen.example"))->to_string(),
              "99.2.0.192.zen.example");
    EXPECT_EQ(reverse_name(documentation, n("bl.example"))->to_string(),
              "b.a.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example");
    EXPECT_EQ(ptr_name(ipv4{127, 0, 0, 1}).to_string(), "1.0.0.127.in-addr.arpa");
    EXPECT_EQ(ptr_name(documentation).to_string(),
              "b.a.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

TEST(dns_reverse_name, reads_the_address_back)
{
    const auto zone = n("Zen.Example");
    EXPECT_EQ(reverse_address(n("99.2.0.192.zen.example"), zone), ip_address(ipv4{192, 0, 2, 99}));
    const auto v6 = *reverse_name(documentation, zone);
    EXPECT_EQ(reverse_address(v6, zone), ip_address(documentation));
    // Upper-case nibbles are the same address.
    EXPECT_EQ(reverse_address(n("B.A.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2."
                                "zen.example"),
                              zone),
              ip_address(documentation));
}

TEST(dns_reverse_name, refuses_names_that_are_no_address)
{
    const auto zone = n("zen.example");
    for (const char* text :
         {"zen.example", "2.0.127.zen.example", "1.2.0.0.127.zen.example",
          "256.0.0.127.zen.example", "02.0.0.127.zen.example", "a.0.0.127.zen.example",
          "2.0.0.127.other.example", "-1.0.0.127.zen.example"}) {
        EXPECT_FALSE(reverse_address(n(text), zone)) << text;
    }
    auto nibbles = reverse_name(documentation, zone)->to_string();
    nibbles[0] = 'g';
    EXPECT_FALSE(reverse_address(n(nibbles), zone));
    EXPECT_FALSE(reverse_address(n("ab." + nibbles.substr(2)), zone));
}

TEST(dns_reverse_name, fails_when_the_zone_leaves_no_room)
{
    const std::string l63(63, 'x');
    const auto zone = n(l63 + "." + l63 + "." + l63 + "." + std::string(55, 'y'));
    EXPECT_FALSE(reverse_name(documentation, zone));
    EXPECT_FALSE(reverse_name(ipv4{127, 0, 0, 2}, zone));
}

} // namespace
