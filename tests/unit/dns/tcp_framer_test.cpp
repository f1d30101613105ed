// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): messages cut from a stream split at
// every octet, several in one read, and frames too short to be a message.
#include "dns/error.hpp"
#include "dns/tcp_framer.hpp"

#include <gtest/gtest.h>
#include <numeric>
#include <vector>

namespace {

using bytes = std::vector<std::uint8_t>;

bytes message_of(std::size_t size, std::uint8_t fill)
{
    return bytes(size, fill);
}

// Feeds `stream` in chunks of `chunk` octets and returns the messages cut from it.
std::vector<bytes> cut(const bytes& stream, std::size_t chunk, dns::tcp_framer& framer)
{
    std::vector<bytes> out;
    for (std::size_t at = 0; at < stream.size() && !framer.error();) {
        const std::size_t n = std::min(chunk, stream.size() - at);
        std::size_t used = 0;
        while (used < n && !framer.error()) {
            used += framer.consume(std::span(stream.data() + at + used, n - used));
            if (framer.has_message()) {
                out.push_back(framer.take());
            }
        }
        at += n;
    }
    return out;
}

TEST(dns_tcp_framer, cuts_messages_from_a_stream_split_anywhere)
{
    const bytes first = message_of(12, 0xaa);
    const bytes second = message_of(300, 0xbb);
    bytes stream = dns::frame_for_tcp(first);
    const auto framed = dns::frame_for_tcp(second);
    stream.insert(stream.end(), framed.begin(), framed.end());
    ASSERT_EQ(stream[2 + 12], 0x01);
    ASSERT_EQ(stream[2 + 12 + 1], 0x2c);
    for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
        dns::tcp_framer framer;
        const auto messages = cut(stream, chunk, framer);
        ASSERT_EQ(messages.size(), 2u) << chunk;
        EXPECT_EQ(messages[0], first);
        EXPECT_EQ(messages[1], second);
        EXPECT_FALSE(framer.mid_message());
        EXPECT_FALSE(framer.error());
    }
}

TEST(dns_tcp_framer, takes_no_more_than_the_current_message)
{
    bytes stream = dns::frame_for_tcp(message_of(12, 1));
    stream.push_back(0); // the first octet of the next length
    dns::tcp_framer framer;
    EXPECT_EQ(framer.consume(stream), 14u);
    EXPECT_TRUE(framer.has_message());
    // While a message waits, nothing more is taken.
    EXPECT_EQ(framer.consume(std::span(stream).subspan(14)), 0u);
    EXPECT_EQ(framer.take().size(), 12u);
    EXPECT_EQ(framer.consume(std::span(stream).subspan(14)), 1u);
    EXPECT_TRUE(framer.mid_message());
}

TEST(dns_tcp_framer, holds_the_largest_message)
{
    bytes big(65535);
    std::iota(big.begin(), big.end(), 0);
    const auto stream = dns::frame_for_tcp(big);
    ASSERT_EQ(stream[0], 0xff);
    ASSERT_EQ(stream[1], 0xff);
    dns::tcp_framer framer;
    const auto messages = cut(stream, 4096, framer);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], big);
}

TEST(dns_tcp_framer, a_frame_shorter_than_a_header_ends_the_stream)
{
    for (std::uint8_t len : {0, 1, 11}) {
        dns::tcp_framer framer;
        const bytes stream = {0, len, 1, 2, 3};
        EXPECT_EQ(framer.consume(stream), 2u) << int(len);
        EXPECT_EQ(framer.error(), dns::errc::short_frame);
        EXPECT_FALSE(framer.has_message());
        EXPECT_EQ(framer.consume(stream), 0u);
    }
}

} // namespace
