#pragma once

// DNS messages (RFC 1035 §4.1) as values: header, questions, resource records with typed
// RDATA, and the EDNS0 OPT pseudo-record (RFC 6891 §6.1). No I/O.
//
// Why our own codec rather than a library. The issue prefers a maintained DNS library from
// Debian; the candidate is NLnet Labs' ldns (libldns-dev 1.8.3; c-ares 1.18, already linked by
// io/, only parses answers to its own queries). We need a small subset: the header, one
// question, the OPT record, and the RDATA of A, AAAA, NS, CNAME, SOA, PTR, MX and TXT
// (RFC 3597 opaque bytes for the rest). Against ldns for that subset:
// - Fuzzing and sanitizers. The parse of hostile bytes is the part that must be proven robust,
//   and ci/fuzz proves code it instruments: libFuzzer coverage plus ASan/UBSan. Debian's
//   libldns3 is a prebuilt library without that instrumentation, so its parser would be
//   fuzzed blind and its out-of-bounds reads would go unseen by ASan.
// - Bounded answers. A responder must fit its answer into 512 octets or the EDNS0 payload
//   size and set TC when an RRset does not fit (RFC 1035 §4.2.1, RFC 2181 §9); ldns_pkt2wire
//   serialises a whole packet, so we would serialise, measure and strip records around it.
// - Memory management. ldns hands out malloc'ed ldns_pkt/ldns_rr/ldns_rdf objects whose
//   ownership moves on push (ldns_pkt_push_rr) and comes back on free vs deep_free; each
//   would need an RAII wrapper, more code than the subset itself.
// - One dependency less in every build, and one DNS message implementation shared by the
//   mock's responder and the test responder.
// So: message_parser.hpp (bounded, strict about compression pointers, errors with offsets),
// message_builder.hpp (name compression, size limit with rollback), tcp_framer.hpp.

#include "dns/name.hpp"
#include "dns/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dns {

/// The size of the fixed header (RFC 1035 §4.1.1).
inline constexpr std::size_t header_size = 12;

/// The largest message: the two-octet length of TCP framing (RFC 1035 §4.2.2).
inline constexpr std::size_t max_message_size = 65535;

/// The largest UDP message without EDNS0 (RFC 1035 §4.2.1).
inline constexpr std::size_t classic_udp_size = 512;

/// The header flags and codes (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD and CD). Counts are
/// not held: they follow from the sections.
struct header {
    std::uint16_t id = 0;                    ///< matches an answer to its query
    bool qr = false;                         ///< a response
    dns::opcode opcode = dns::opcode::query; ///< kind of query
    bool aa = false;                         ///< authoritative answer
    bool tc = false;                         ///< truncated: ask again over TCP
    bool rd = false;                         ///< recursion desired
    bool ra = false;                         ///< recursion available
    bool z = false;                          ///< the reserved bit
    bool ad = false;                         ///< authentic data
    bool cd = false;                         ///< checking disabled
    std::uint8_t rcode = 0; ///< the low four bits of the RCODE; EDNS0 holds the rest

    friend bool operator==(const header&, const header&) = default;
};

/// One question (RFC 1035 §4.1.2).
struct question {
    name qname;                     ///< as asked, case kept (RFC 4343 §4)
    rr_type qtype = rr_type::a;     ///< QTYPE
    rr_class qclass = rr_class::in; ///< QCLASS

    friend bool operator==(const question&, const question&) = default;
};

/// RDATA of A (RFC 1035 §3.4.1).
struct a_data {
    ipv4 address{}; ///< the address
    friend bool operator==(const a_data&, const a_data&) = default;
};

/// RDATA of AAAA (RFC 3596 §2.2).
struct aaaa_data {
    ipv6 address{}; ///< the address
    friend bool operator==(const aaaa_data&, const aaaa_data&) = default;
};

/// RDATA of NS (RFC 1035 §3.3.11).
struct ns_data {
    name host; ///< the name server
    friend bool operator==(const ns_data&, const ns_data&) = default;
};

/// RDATA of CNAME (RFC 1035 §3.3.1).
struct cname_data {
    name target; ///< the canonical name
    friend bool operator==(const cname_data&, const cname_data&) = default;
};

/// RDATA of PTR (RFC 1035 §3.3.12).
struct ptr_data {
    name target; ///< the name pointed to
    friend bool operator==(const ptr_data&, const ptr_data&) = default;
};

/// RDATA of MX (RFC 1035 §3.3.9).
struct mx_data {
    std::uint16_t preference = 0; ///< lower is preferred (RFC 5321 §5.1)
    name exchange;                ///< the mail exchanger
    friend bool operator==(const mx_data&, const mx_data&) = default;
};

/// RDATA of TXT (RFC 1035 §3.3.14): one or more character-strings of up to 255 octets.
struct txt_data {
    std::vector<std::string> strings; ///< the character-strings
    friend bool operator==(const txt_data&, const txt_data&) = default;
};

/// RDATA of SOA (RFC 1035 §3.3.13).
struct soa_data {
    name mname;                   ///< the primary name server
    name rname;                   ///< the mailbox of the person responsible, as a name
    std::uint32_t serial = 1;     ///< version of the zone
    std::uint32_t refresh = 3600; ///< seconds between refreshes of secondaries
    std::uint32_t retry = 600;    ///< seconds before a failed refresh is retried
    std::uint32_t expire = 86400; ///< seconds after which secondaries stop answering
    std::uint32_t minimum = 60;   ///< the TTL of negative answers (RFC 2308 §4)
    friend bool operator==(const soa_data&, const soa_data&) = default;
};

/// RDATA kept as octets: types the core does not interpret (RFC 3597 §3), and A/AAAA of
/// classes other than IN, whose format is class-specific (RFC 1035 §3.4).
struct opaque_data {
    std::vector<std::uint8_t> octets; ///< the RDATA
    friend bool operator==(const opaque_data&, const opaque_data&) = default;
};

/// The RDATA of a record.
using rdata = std::variant<a_data, aaaa_data, ns_data, cname_data, ptr_data, mx_data, txt_data,
                           soa_data, opaque_data>;

/// A resource record (RFC 1035 §4.1.3).
struct resource_record {
    name owner;                    ///< the owner name
    rr_type type = rr_type::a;     ///< TYPE; agrees with `data` unless `data` is opaque
    rr_class klass = rr_class::in; ///< CLASS
    std::uint32_t ttl = 0;         ///< seconds it may be cached
    rdata data;                    ///< RDATA

    friend bool operator==(const resource_record&, const resource_record&) = default;
};

/// One EDNS0 option (RFC 6891 §6.1.2), e.g. a COOKIE (RFC 7873) or padding (RFC 7830).
struct edns_option {
    std::uint16_t code = 0;         ///< OPTION-CODE
    std::vector<std::uint8_t> data; ///< OPTION-DATA
    friend bool operator==(const edns_option&, const edns_option&) = default;
};

/// The OPT pseudo-record (RFC 6891 §6.1.2, §6.1.3).
struct edns {
    std::uint16_t udp_payload_size = 1232; ///< the largest UDP payload the sender can take
    std::uint8_t extended_rcode = 0;       ///< the upper eight bits of a 12-bit RCODE
    std::uint8_t version = 0;              ///< EDNS version; only 0 is defined
    bool dnssec_ok = false;                ///< DO (RFC 3225 §3)
    std::uint16_t z = 0;                   ///< the other 15 flag bits, zero when sent
    std::vector<edns_option> options;      ///< the options, in order

    friend bool operator==(const edns&, const edns&) = default;
};

/// A whole message.
struct message {
    dns::header header;                      ///< ID, flags and RCODE
    std::vector<question> questions;         ///< the question section
    std::vector<resource_record> answers;    ///< the answer section
    std::vector<resource_record> authority;  ///< the authority section
    std::vector<resource_record> additional; ///< the additional section, OPT excluded
    std::optional<edns> opt;                 ///< the OPT record, when present

    /// The full RCODE: header bits plus the OPT's extended bits (RFC 6891 §6.1.3).
    dns::rcode rcode() const noexcept
    {
        const unsigned upper = opt ? opt->extended_rcode : 0u;
        return static_cast<dns::rcode>(upper << 4 | header.rcode);
    }

    friend bool operator==(const message&, const message&) = default;
};

/// A TXT RDATA holding `text`, cut into character-strings of at most 255 octets
/// (RFC 1035 §3.3.14; RFC 7208 §3.3 joins them back).
txt_data txt_of(std::string_view text);

/// A record in one line of master-file form, for logs and test messages:
/// "mail.test. 60 IN MX 10 mx.mail.test.".
std::string to_string(const resource_record& rr);

} // namespace dns
