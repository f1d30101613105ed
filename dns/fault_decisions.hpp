#pragma once

// The fault decisions for one DNS query, as data: what the responder does differently from
// its zone data. A fault engine decides them per query (it sees the question, the transport,
// the client and the time); the responder carries them out. No I/O.

#include "dns/dnsbl_zone.hpp"
#include "dns/types.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace dns {

/// What happens to the MX of a mail domain (a name that owns MX records).
enum class mx_fault {
    none,     ///< answered from the data
    nxdomain, ///< the domain does not exist: NXDOMAIN for every type of the name
    a_only,   ///< no MX (NODATA), but A and AAAA answered with the addresses of its mail
              ///< exchanger, so a sender falls back to the implicit MX (RFC 5321 §5.1)
    null_mx,  ///< one MX record "0 ." instead of its MX records: no mail (RFC 7505)
};

/// The decisions for one query; the default answers from the data.
struct fault_decisions {
    /// Send nothing, so the client times out.
    bool no_answer = false;
    /// Answer this much later (a slow server).
    std::chrono::milliseconds delay{0};
    /// Over UDP, answer with TC=1 and no records, so the client asks again over TCP
    /// (RFC 7766 §5); over TCP, answer normally.
    bool truncate_udp = false;
    /// Answer with this RCODE and no records, not authoritatively: SERVFAIL, REFUSED.
    std::optional<dns::rcode> rcode;
    /// The MX of mail domains.
    mx_fault mx = mx_fault::none;
    /// Addresses listed on every blocklist zone, on top of (and before) the zone's own.
    std::vector<dnsbl_listing> listed;
    /// Every blocklist zone answers this error code, and its TXT, for every name below its
    /// apex, listed or not.
    std::optional<dns::dnsbl_error> dnsbl_error;
    /// Every blocklist zone answers these A records, and no TXT, for every name below its
    /// apex, as a lapsed blocklist domain parked with a wildcard does (check_rbl#18) or a
    /// retired list that lists the whole Internet; empty: not. After dnsbl_error.
    std::vector<ipv4> dnsbl_wildcard;

    friend bool operator==(const fault_decisions&, const fault_decisions&) = default;
};

} // namespace dns
