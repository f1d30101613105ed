#include "dns/dnsbl_zone.hpp"

#include <algorithm>

namespace dns {

std::string reason_of(const dnsbl_error& e)
{
    if (!e.reason.empty()) {
        return e.reason;
    }
    switch (e.code) {
    case dnsbl_typing_error:
        return "Error: typing error in DNSBL name";
    case dnsbl_public_resolver:
        return "Error: query via public/open resolver";
    case dnsbl_excessive_queries:
        return "Error: excessive number of queries";
    default:
        return "Error: DNSBL query refused (127.255.255." + std::to_string(e.code) + ")";
    }
}

dnsbl_zone::dnsbl_zone(zone apex_data, std::uint32_t ttl)
    : apex_data_(std::move(apex_data))
    , ttl_(ttl)
{
    // RFC 5782 §5: a DNSxL lists 127.0.0.2 (and ::FFFF:7F00:2) so that clients can test it.
    const std::string test = "Test entry (RFC 5782 section 5)";
    list({ipv4{127, 0, 0, 2}, {ipv4{127, 0, 0, 2}}, test});
    list(
        {ipv6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2}, {ipv4{127, 0, 0, 2}}, test});
}

void dnsbl_zone::list(dnsbl_listing listing)
{
    unlist(listing.address);
    listings_.push_back(std::move(listing));
}

void dnsbl_zone::unlist(const ip_address& address)
{
    std::erase_if(listings_, [&](const dnsbl_listing& l) { return l.address == address; });
}

const dnsbl_listing* dnsbl_zone::find(const ip_address& address) const
{
    const auto it = std::find_if(listings_.begin(), listings_.end(),
                                 [&](const dnsbl_listing& l) { return l.address == address; });
    return it == listings_.end() ? nullptr : &*it;
}

} // namespace dns
