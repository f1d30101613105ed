#pragma once

// DNS blocklist zones (RFC 5782): an address is looked up as its reversed octets (IPv4) or
// nibbles (IPv6) under the zone; a listed address has A records with return codes in
// 127.0.0.0/8 (127.0.0.2 by default) and a TXT record with the reason, an unlisted one is
// NXDOMAIN (RFC 5782 §2.1-§2.4). No I/O.

#include "dns/types.hpp"
#include "dns/zone.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dns {

/// One listed address (RFC 5782 §2.1, §2.2).
struct dnsbl_listing {
    ip_address address;                          ///< the listed address
    std::vector<ipv4> codes{ipv4{127, 0, 0, 2}}; ///< the A records answered
    std::string reason;                          ///< the TXT record; none when empty

    friend bool operator==(const dnsbl_listing&, const dnsbl_listing&) = default;
};

/// An answer about the query rather than the address, in 127.255.255.0/24, as Spamhaus
/// answers its public mirrors' abusers; a client must never take it for a listing.
struct dnsbl_error {
    std::uint8_t code = 254; ///< the last octet: 127.255.255.<code>
    std::string reason;      ///< the TXT record; a default text for the code when empty

    friend bool operator==(const dnsbl_error&, const dnsbl_error&) = default;
};

/// 127.255.255.252: a typing error in the DNSBL name.
inline constexpr std::uint8_t dnsbl_typing_error = 252;
/// 127.255.255.254: a query through a public or open resolver.
inline constexpr std::uint8_t dnsbl_public_resolver = 254;
/// 127.255.255.255: an excessive number of queries.
inline constexpr std::uint8_t dnsbl_excessive_queries = 255;

/// The TXT text answered with `e`: its reason, or a description of its code.
std::string reason_of(const dnsbl_error& e);

/// A blocklist zone.
class dnsbl_zone {
public:
    /// A blocklist whose apex data (SOA, NS, anything else at the apex) is `apex_data`; its
    /// answers are cached for `ttl` seconds. It lists the test entries of RFC 5782 §5:
    /// 127.0.0.2 and ::ffff:127.0.0.2 listed, 127.0.0.1 and ::ffff:127.0.0.1 not.
    explicit dnsbl_zone(zone apex_data, std::uint32_t ttl = 300);

    /// The apex.
    const name& apex() const noexcept { return apex_data_.apex(); }

    /// The records at the apex.
    const zone& apex_data() const noexcept { return apex_data_; }

    /// The records at the apex, to add NS or TXT records.
    zone& apex_data() noexcept { return apex_data_; }

    /// The TTL of its answers.
    std::uint32_t ttl() const noexcept { return ttl_; }

    /// Lists an address, replacing its previous listing.
    void list(dnsbl_listing listing);

    /// Takes an address off the list.
    void unlist(const ip_address& address);

    /// The listing of `address`, if any.
    const dnsbl_listing* find(const ip_address& address) const;

    /// Every listing.
    const std::vector<dnsbl_listing>& listings() const noexcept { return listings_; }

private:
    zone apex_data_;
    std::uint32_t ttl_;
    std::vector<dnsbl_listing> listings_;
};

} // namespace dns
