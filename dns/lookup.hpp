#pragma once

// Answering one question from zone data, as an authoritative-only server does (RFC 1034
// §4.3.2 without recursion), with the fault decisions applied. No I/O.

#include "dns/fault_decisions.hpp"
#include "dns/message.hpp"
#include "dns/zone_set.hpp"

#include <vector>

namespace dns {

/// The answer to one question, before it is written into a message.
struct resolution {
    dns::rcode rcode = dns::rcode::noerror;  ///< the RCODE
    bool authoritative = false;              ///< AA: answered from a zone of ours
    std::vector<resource_record> answers;    ///< the answer section
    std::vector<resource_record> authority;  ///< the SOA of a negative answer (RFC 2308 §3)
    std::vector<resource_record> additional; ///< addresses of MX and NS targets we hold
};

/// The answer to `q` from `zones`:
/// - classes other than IN (and ANY) and names outside every zone: REFUSED, not
///   authoritative; AXFR/IXFR: REFUSED; MAILA/MAILB: NOTIMP; OPT, TSIG, TKEY or type 0 asked
///   as a question: FORMERR;
/// - records of the type (every type for ANY, RFC 8482 §4.3): NOERROR, authoritative, with the
///   addresses of MX and NS targets in the additional section (RFC 1035 §3.3.9);
/// - a name that exists without records of the type (an empty non-terminal included): NODATA,
///   i.e. NOERROR with the SOA in the authority section (RFC 2308 §2.2, §3);
/// - a name that does not exist: NXDOMAIN with the SOA (RFC 2308 §2.1, §3);
/// - below a blocklist's apex (RFC 5782): A and TXT of a listed address, NODATA for its other
///   types and for the names above listed ones, NXDOMAIN otherwise.
/// `faults.mx`, `faults.listed` and `faults.dnsbl_error` change the data as documented there;
/// the other decisions are transport matters of the responder.
resolution lookup(const zone_set& zones, const question& q, const fault_decisions& faults = {});

} // namespace dns
