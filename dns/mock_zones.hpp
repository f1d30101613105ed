#pragma once

// The zone data of the mock's DNS: its own names and blocklists. No I/O.
//
//   mock_names n{*name::parse("mock.test"), {ipv4{127, 0, 0, 1}}, *name::parse("example.test")};
//   auto zones = make_zone_set(n);
//   // example.test MX 10 mock.test; mock.test A 127.0.0.1; 1.0.0.127.in-addr.arpa PTR mock.test

#include "dns/zone_set.hpp"

#include <boost/system/result.hpp>
#include <cstdint>
#include <vector>

namespace dns {

/// The names the mock answers for.
struct mock_names {
    name hostname;                     ///< the mock's host name: A/AAAA of `addresses`, PTR back
    std::vector<ip_address> addresses; ///< where the mock listens
    name mail_domain;                  ///< a mail domain: MX 10 `hostname`, TXT "v=spf1 mx -all"
    std::vector<name> blocklists;      ///< blocklist zones, listing their RFC 5782 §5 entries
    std::uint32_t ttl = 60;            ///< the TTL of every record, and of negative answers
};

/// The zones for `names`: the mail domain's zone (holding the host name when it is below it,
/// else a zone of its own), one reverse zone per address, and the blocklists; every zone has an
/// SOA naming `hostname` as its primary and an NS record for it. Fails with the error of the
/// first record that cannot be served (errc::name_too_long for an over-long hostmaster name).
boost::system::result<zone_set> make_zone_set(const mock_names& names);

} // namespace dns
