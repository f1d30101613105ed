#pragma once

// The data a responder serves: authoritative zones and blocklist zones. No I/O.

#include "dns/dnsbl_zone.hpp"
#include "dns/zone.hpp"

#include <vector>

namespace dns {

/// Zones and blocklists. A name belongs to the one with the deepest apex above it.
struct zone_set {
    std::vector<zone> zones;            ///< authoritative zones
    std::vector<dnsbl_zone> blocklists; ///< blocklist zones (RFC 5782)

    /// The zone that holds `owner`, if it belongs to an authoritative zone.
    const zone* zone_of(const name& owner) const;

    /// The blocklist that holds `owner`, if it belongs to one (its apex included).
    const dnsbl_zone* blocklist_of(const name& owner) const;

    /// The records of `owner` of `type` from the zone that holds it, e.g. the addresses of a
    /// mail exchanger.
    std::vector<resource_record> find(const name& owner, rr_type type) const;
};

} // namespace dns
