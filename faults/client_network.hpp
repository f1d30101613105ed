#pragma once

// Peer addresses and CIDR blocks for the `when.client` condition.
//
//   std::optional<ip_address> parse_ip_address(std::string_view text);   // "127.0.0.1", "::1"
//   std::optional<client_network> parse_client_network(std::string_view text); // "203.0.113.0/24"
//   bool client_network::contains(const ip_address&) const;

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faults {

/// An IPv4 or IPv6 address. IPv4 addresses are held as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2),
/// so a peer seen as `::ffff:127.0.0.1` on a dual-stack socket matches `127.0.0.0/8`.
struct ip_address {
    std::array<std::uint8_t, 16> bytes{}; ///< network order
    bool v4 = false;                      ///< written as IPv4 (or IPv4-mapped)

    friend bool operator==(const ip_address&, const ip_address&) = default;
};

/// Parses a textual IPv4 or IPv6 address; an IPv6 zone ("fe80::1%eth0") is ignored, and so is
/// a port in endpoint form ("127.0.0.1:2525", "[::1]:2525").
std::optional<ip_address> parse_ip_address(std::string_view text);

/// The address as text: "127.0.0.1" (IPv4 and IPv4-mapped), "::1".
std::string to_string(const ip_address& address);

/// A CIDR block such as `127.0.0.0/8` or `::1/128`; a bare address is a single host.
struct client_network {
    ip_address base;     ///< the address with the host bits cleared
    int prefix_bits = 0; ///< the prefix length as written: 0-32 for IPv4, 0-128 for IPv6

    /// True when `peer` lies inside this block. IPv4 blocks match IPv4-mapped IPv6 peers.
    bool contains(const ip_address& peer) const noexcept;

    /// The block as written in a scenario, e.g. "203.0.113.0/24".
    std::string to_string() const;

    friend bool operator==(const client_network&, const client_network&) = default;
};

/// Parses a CIDR block; returns nothing when the address or prefix length is invalid.
std::optional<client_network> parse_client_network(std::string_view text);

} // namespace faults
