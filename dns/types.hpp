#pragma once

// The numbers of the DNS wire protocol: record types, classes, RCODEs and opcodes, and the
// address types of A and AAAA records. No I/O.

#include <array>
#include <cstdint>
#include <string>
#include <variant>

namespace dns {

/// A record type (RFC 1035 §3.2.2, §3.2.3). Any 16-bit value may arrive; the named ones are
/// those the core parses, serves or refuses.
enum class rr_type : std::uint16_t {
    a = 1,       ///< IPv4 address (RFC 1035 §3.4.1)
    ns = 2,      ///< authoritative name server (RFC 1035 §3.3.11)
    cname = 5,   ///< canonical name (RFC 1035 §3.3.1)
    soa = 6,     ///< start of authority (RFC 1035 §3.3.13)
    ptr = 12,    ///< domain name pointer (RFC 1035 §3.3.12)
    mx = 15,     ///< mail exchange (RFC 1035 §3.3.9)
    txt = 16,    ///< text strings (RFC 1035 §3.3.14)
    aaaa = 28,   ///< IPv6 address (RFC 3596 §2.2)
    opt = 41,    ///< EDNS0 pseudo-record (RFC 6891 §6.1)
    tkey = 249,  ///< transaction key, a meta-type (RFC 2930)
    tsig = 250,  ///< transaction signature, a meta-type (RFC 8945)
    ixfr = 251,  ///< incremental zone transfer (RFC 1995)
    axfr = 252,  ///< zone transfer (RFC 5936)
    mailb = 253, ///< mailbox records, obsolete (RFC 1035 §3.2.3)
    maila = 254, ///< mail agent records, obsolete (RFC 1035 §3.2.3)
    any = 255,   ///< every type, "*" (RFC 1035 §3.2.3, RFC 8482)
};

/// A record class (RFC 1035 §3.2.4, §3.2.5).
enum class rr_class : std::uint16_t {
    in = 1,     ///< the Internet
    ch = 3,     ///< Chaos
    hs = 4,     ///< Hesiod
    none = 254, ///< NONE (RFC 2136 §1.3)
    any = 255,  ///< every class, "*"
};

/// A response code (RFC 1035 §4.1.1), extended to 12 bits by EDNS0 (RFC 6891 §6.1.3).
enum class rcode : std::uint16_t {
    noerror = 0,  ///< no error
    formerr = 1,  ///< the server could not interpret the query
    servfail = 2, ///< the server could not answer
    nxdomain = 3, ///< the name does not exist
    notimp = 4,   ///< the kind of query is not implemented
    refused = 5,  ///< the server refuses, for policy reasons
    badvers = 16, ///< unsupported EDNS version (RFC 6891 §9)
};

/// The kind of query (RFC 1035 §4.1.1).
enum class opcode : std::uint8_t {
    query = 0,  ///< a standard query
    iquery = 1, ///< an inverse query, obsolete (RFC 3425)
    status = 2, ///< a server status request
    notify = 4, ///< a zone change notification (RFC 1996)
    update = 5, ///< a dynamic update (RFC 2136)
};

/// The four octets of an IPv4 address, in network order (RFC 1035 §3.4.1).
using ipv4 = std::array<std::uint8_t, 4>;

/// The sixteen octets of an IPv6 address, in network order (RFC 3596 §2.2).
using ipv6 = std::array<std::uint8_t, 16>;

/// An IPv4 or IPv6 address.
using ip_address = std::variant<ipv4, ipv6>;

/// The mnemonic of a type ("A", "MX"), or "TYPE" and its number for others (RFC 3597 §5).
std::string to_string(rr_type t);

/// The mnemonic of a class ("IN"), or "CLASS" and its number (RFC 3597 §5).
std::string to_string(rr_class c);

/// The mnemonic of an RCODE ("NXDOMAIN"), or "RCODE" and its number.
std::string to_string(rcode r);

/// An address in its usual text form: dotted quad, or RFC 5952 for IPv6.
std::string to_string(const ip_address& a);

} // namespace dns
