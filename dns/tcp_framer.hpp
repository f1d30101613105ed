#pragma once

// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is preceded by its length
// as a two-octet field. Incremental and bounded: the framer holds at most one message
// (65535 octets), taking from the bytes given only what completes it. No I/O.
//
//   std::size_t used = 0;
//   while (used < n) {
//       used += framer.consume({buf + used, n - used});
//       if (framer.error()) close();
//       if (framer.has_message()) handle(framer.take());
//   }

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dns {

/// Cuts DNS messages from a TCP byte stream.
class tcp_framer {
public:
    /// Takes bytes up to the end of the current message (or none while one is waiting or
    /// after an error) and returns how many it took.
    std::size_t consume(std::span<const std::uint8_t> bytes);

    /// Whether a complete message waits to be taken.
    bool has_message() const noexcept
    {
        return !error_ && length_read_ == 2 && body_.size() == length_;
    }

    /// The waiting message; the framer then reads the next length.
    std::vector<std::uint8_t> take();

    /// Set once a frame announces fewer octets than a DNS header (errc::short_frame): the
    /// stream cannot be resynchronised, so the connection is to be closed.
    boost::system::error_code error() const noexcept { return error_; }

    /// Whether part of a message (or of its length) has arrived: a connection closing now
    /// closes mid-message, and an idle timer is not what applies.
    bool mid_message() const noexcept { return length_read_ > 0 && !has_message(); }

private:
    std::uint8_t length_octets_[2] = {};
    std::size_t length_read_ = 0;
    std::size_t length_ = 0;
    std::vector<std::uint8_t> body_;
    boost::system::error_code error_;
};

/// `message` preceded by its two-octet length, ready to write on a TCP stream. The message is
/// at most max_message_size octets (message_builder guarantees it).
std::vector<std::uint8_t> frame_for_tcp(std::span<const std::uint8_t> message);

} // namespace dns
