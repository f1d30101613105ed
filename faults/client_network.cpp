#include "faults/client_network.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>
#include <cstring>

namespace faults {
namespace {

constexpr int v4_mapped_offset = 96; // bits before the IPv4 part of ::ffff:a.b.c.d

bool is_v4_mapped(const std::array<std::uint8_t, 16>& b)
{
    for (int i = 0; i < 10; ++i) {
        if (b[static_cast<std::size_t>(i)] != 0) {
            return false;
        }
    }
    return b[10] == 0xff && b[11] == 0xff;
}

// Keeps the first `bits` bits of `b` and clears the rest.
std::array<std::uint8_t, 16> mask(std::array<std::uint8_t, 16> b, int bits)
{
    for (int i = 0; i < 16; ++i) {
        const int keep = bits - i * 8;
        auto& byte = b[static_cast<std::size_t>(i)];
        if (keep <= 0) {
            byte = 0;
        } else if (keep < 8) {
            byte = static_cast<std::uint8_t>(byte & (0xff << (8 - keep)));
        }
    }
    return b;
}

} // namespace

std::optional<ip_address> parse_ip_address(std::string_view text)
{
    // Tolerate the endpoint forms "[::1]:2525" and "127.0.0.1:2525" as well as bare addresses.
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        text = text.substr(1, close - 1);
    } else if (const auto colon = text.find(':');
               colon != std::string_view::npos &&
               text.find(':', colon + 1) == std::string_view::npos) {
        text = text.substr(0, colon);
    }
    const std::string s(text.substr(0, text.find('%')));
    ip_address out;
    in_addr v4{};
    if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        out.bytes[10] = 0xff;
        out.bytes[11] = 0xff;
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v4.s_addr);
        for (std::size_t i = 0; i < 4; ++i) {
            out.bytes[12 + i] = p[i];
        }
        out.v4 = true;
        return out;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        for (std::size_t i = 0; i < 16; ++i) {
            out.bytes[i] = v6.s6_addr[i];
        }
        out.v4 = is_v4_mapped(out.bytes);
        return out;
    }
    return std::nullopt;
}

bool client_network::contains(const ip_address& peer) const noexcept
{
    if (base.v4 && !peer.v4) {
        return false;
    }
    // The whole octets of the prefix, then the bits of the one it ends in (asked at every
    // decision of a session: no copy of the address).
    const int bits = base.v4 ? v4_mapped_offset + prefix_bits : prefix_bits;
    const auto whole = static_cast<std::size_t>(bits / 8);
    if (std::memcmp(peer.bytes.data(), base.bytes.data(), whole) != 0) {
        return false;
    }
    const int rest = bits % 8;
    if (rest == 0) {
        return true; // a whole number of octets (and a /128 ends past the last)
    }
    const auto differ = peer.bytes[whole] ^ base.bytes[whole];
    return (differ & (0xff << (8 - rest)) & 0xff) == 0;
}

std::string to_string(const ip_address& address)
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (address.v4) {
        ::inet_ntop(AF_INET, address.bytes.data() + 12, buf, sizeof buf);
    } else {
        ::inet_ntop(AF_INET6, address.bytes.data(), buf, sizeof buf);
    }
    return buf;
}

std::string client_network::to_string() const
{
    return faults::to_string(base) + "/" + std::to_string(prefix_bits);
}

std::optional<client_network> parse_client_network(std::string_view text)
{
    const auto slash = text.find('/');
    const auto address_text = text.substr(0, slash);
    // A block names an address, never an endpoint with a port.
    const auto colons = std::count(address_text.begin(), address_text.end(), ':');
    if (address_text.find('[') != std::string_view::npos || colons == 1) {
        return std::nullopt;
    }
    auto address = parse_ip_address(address_text);
    if (!address) {
        return std::nullopt;
    }
    // A block written as IPv4-mapped IPv6 is still an IPv6 block: its prefix counts 128 bits.
    const bool written_v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    address->v4 = written_v4;
    const int max_bits = written_v4 ? 32 : 128;
    int bits = max_bits;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
            bits < 0 || bits > max_bits) {
            return std::nullopt;
        }
    }
    client_network out;
    out.prefix_bits = bits;
    out.base = *address;
    out.base.bytes = mask(address->bytes, written_v4 ? v4_mapped_offset + bits : bits);
    return out;
}

} // namespace faults
