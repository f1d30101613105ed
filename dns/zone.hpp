#pragma once

// Authoritative zone data (RFC 1034 §4.2): an apex with its SOA, and the records at and below
// it. Names are matched ignoring case (RFC 4343 §3). No I/O.
//
//   dns::zone z(*name::parse("example.test"), soa);
//   z.add({*name::parse("example.test"), rr_type::mx, rr_class::in, 60,
//          mx_data{10, *name::parse("mx.example.test")}});

#include "dns/message.hpp"

#include <boost/system/error_code.hpp>
#include <map>
#include <string>
#include <vector>

namespace dns {

/// One zone of class IN.
class zone {
public:
    /// A zone at `apex` with `soa` as its SOA record, cached for `soa_ttl` seconds.
    zone(name apex, soa_data soa, std::uint32_t soa_ttl = 300);

    /// The apex.
    const name& apex() const noexcept { return soa_.owner; }

    /// The SOA record.
    const resource_record& soa() const noexcept { return soa_; }

    /// The TTL of negative answers: the smaller of the SOA's TTL and its MINIMUM (RFC 2308 §5).
    std::uint32_t negative_ttl() const noexcept;

    /// Adds a record; an identical one is not added twice (an RRset is a set, RFC 2181 §5).
    /// Fails with errc::outside_zone; errc::unsupported_record for a class other than IN, SOA
    /// (given at construction), CNAME, NS below the apex (a delegation), OPT and meta-types,
    /// or RDATA that is not of its type; errc::string_too_long or bad_rdata for a TXT record
    /// that cannot be written.
    boost::system::error_code add(resource_record rr);

    /// Removes the records owned by `owner` (the SOA stays).
    void remove(const name& owner);

    /// The records owned by `owner` of `type`, or of every type for rr_type::any.
    std::vector<resource_record> find(const name& owner, rr_type type) const;

    /// Whether `owner` exists in the zone: it owns records, or names below it do (an empty
    /// non-terminal, RFC 8020 §2).
    bool exists(const name& owner) const;

private:
    resource_record soa_;
    std::map<std::string, std::vector<resource_record>> nodes_; // by name::key()
};

} // namespace dns
