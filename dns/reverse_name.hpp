#pragma once

// Addresses written as names: reversed octets for IPv4 and reversed nibbles for IPv6, under
// in-addr.arpa and ip6.arpa for PTR records (RFC 1035 §3.5, RFC 3596 §2.5) or under a DNS
// blocklist zone (RFC 5782 §2.1, §2.4). No I/O.
//
//   reverse_name(ipv4{192, 0, 2, 99}, *name::parse("zen.example"))  // 99.2.0.192.zen.example
//   reverse_address(that, *name::parse("zen.example"))               // 192.0.2.99

#include "dns/name.hpp"
#include "dns/types.hpp"

#include <boost/system/result.hpp>
#include <optional>

namespace dns {

/// `address` as a name under `zone`: four decimal labels, least significant octet first, for
/// IPv4; 32 hexadecimal nibble labels, least significant first, for IPv6. Fails with
/// errc::name_too_long when `zone` is too long to take them.
boost::system::result<name> reverse_name(const ip_address& address, const name& zone);

/// The address that `qname` stands for under `zone`, when its labels below the zone are
/// exactly four decimal octets (0-255, no leading zero) or exactly 32 hexadecimal nibbles
/// (either case).
std::optional<ip_address> reverse_address(const name& qname, const name& zone);

/// The name of the PTR record of `address`, under in-addr.arpa or ip6.arpa.
name ptr_name(const ip_address& address);

} // namespace dns
