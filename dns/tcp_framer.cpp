#include "dns/tcp_framer.hpp"

#include "dns/error.hpp"
#include "dns/message.hpp"

#include <algorithm>

namespace dns {

std::size_t tcp_framer::consume(std::span<const std::uint8_t> bytes)
{
    std::size_t used = 0;
    while (used < bytes.size() && !error_ && !has_message()) {
        if (length_read_ < 2) {
            length_octets_[length_read_++] = bytes[used++];
            if (length_read_ == 2) {
                length_ = static_cast<std::size_t>(length_octets_[0] << 8 | length_octets_[1]);
                if (length_ < header_size) {
                    error_ = errc::short_frame;
                }
                body_.clear();
                body_.reserve(length_);
            }
            continue;
        }
        const std::size_t n = std::min(bytes.size() - used, length_ - body_.size());
        body_.insert(body_.end(), bytes.begin() + static_cast<std::ptrdiff_t>(used),
                     bytes.begin() + static_cast<std::ptrdiff_t>(used + n));
        used += n;
    }
    return used;
}

std::vector<std::uint8_t> tcp_framer::take()
{
    std::vector<std::uint8_t> out;
    if (!has_message()) {
        return out;
    }
    out.swap(body_);
    length_read_ = 0;
    length_ = 0;
    return out;
}

std::vector<std::uint8_t> frame_for_tcp(std::span<const std::uint8_t> message)
{
    std::vector<std::uint8_t> out;
    out.reserve(2 + message.size());
    out.push_back(static_cast<std::uint8_t>(message.size() >> 8 & 0xff));
    out.push_back(static_cast<std::uint8_t>(message.size() & 0xff));
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

} // namespace dns
