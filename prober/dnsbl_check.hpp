#pragma once

// Whether an address is on a DNS blocklist, told apart from a blocklist that is broken: a
// state machine per zone, with no I/O. It says which DNS question to ask next; the driver asks
// it (through io/dns_resolver) and feeds the outcome back.
//
//   dnsbl_check check("zen.example", address);
//   while (auto q = check.next())
//       check.on_answer(ask(*q));              // A or TXT of q->name, before a deadline
//   check.result();                            // listed, not listed, or dnsbl_error
//
// RFC 5782: an address is looked up as its reversed octets (nibbles for IPv6) under the zone;
// A records in 127.0.0.0/8 mean listed (§2.1), with the reason in TXT (§2.2); NXDOMAIN means not
// listed. What is not one of these is an error of the blocklist, never a listing:
// - no answer (SERVFAIL, REFUSED, timeout, unreachable);
// - 127.255.255.0/24, which Spamhaus and others answer about the query rather than the address
//   (252: typing error in the zone name, 254: query through a public or open resolver, 255:
//   excessive queries); check_rbl PR #45 took 127.255.255.254 for a listing;
// - an address outside 127.0.0.0/8, which a lapsed blocklist domain parked with a wildcard
//   answers for every name (check_rbl#18);
// - a listing when the zone also lists its RFC 5782 §5 test entry 127.0.0.1, which must never be
//   listed: the zone answers every query (a retired list listing the whole Internet). Not asked
//   when the address is 127.0.0.1 itself (a server on loopback): the question would be the same.

#include "dns/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace prober {

/// The outcome of one DNS lookup, as the check needs it.
struct dnsbl_answer {
    /// How the lookup ended.
    enum class kind {
        answered, ///< records of the type asked for
        nxdomain, ///< the name does not exist
        no_data,  ///< the name exists without records of the type
        failed,   ///< no usable answer: SERVFAIL, REFUSED, timeout, ...
    };
    kind outcome = kind::failed;  ///< how it ended
    std::vector<dns::ipv4> a;     ///< the A records, when A was asked
    std::vector<std::string> txt; ///< the TXT records, when TXT was asked
    std::string error;            ///< for `failed`: what went wrong, e.g. "SERVFAIL"
};

/// What one blocklist says about the address.
struct dnsbl_result {
    /// The verdict.
    enum class verdict {
        not_listed,  ///< NXDOMAIN (or no A record)
        listed,      ///< A records in 127.0.0.0/8 from a zone that passes its test
        dnsbl_error, ///< the blocklist is broken or refused the query: nothing is known
    };
    std::string zone;                       ///< the zone, e.g. "zen.spamhaus.org"
    std::string query;                      ///< the name looked up, e.g. "2.0.0.127.zen..."
    verdict outcome = verdict::dnsbl_error; ///< the verdict
    std::vector<std::string> codes;         ///< the A records answered, e.g. "127.0.0.2"
    std::string reason;                     ///< listed: the TXT reason (may be empty)
    std::string error;                      ///< dnsbl_error: what is wrong, for a person
};

/// The contract name of a verdict: "not_listed", "listed", "dnsbl_error".
std::string_view to_string(dnsbl_result::verdict v) noexcept;

/// One zone's check of one address.
class dnsbl_check {
public:
    /// The DNS question to ask.
    struct question {
        std::string name; ///< the name, without the final dot
        bool txt = false; ///< TXT when true, else A
    };

    /// Checks `address` on `zone` (a domain name; a final dot is ignored). An invalid zone name
    /// makes the check end at once with dnsbl_error.
    dnsbl_check(std::string zone, const dns::ip_address& address);

    /// The next question, or nothing when the verdict is in.
    std::optional<question> next() const;

    /// The outcome of the question next() gave.
    void on_answer(const dnsbl_answer& answer);

    /// The verdict so far (final once next() gives nothing).
    const dnsbl_result& result() const noexcept { return result_; }

private:
    enum class step { address, test_entry, reason, done };

    void fail(std::string why);
    void on_address(const dnsbl_answer& answer);

    step step_ = step::address;
    std::string test_entry_;
    bool is_test_entry_ = false;
    dnsbl_result result_;
};

struct probe_result;

/// Adds the verdicts of the blocklists to `r` and judges them, unless `r` already has a worse
/// status: a listing is CRITICAL, kind blocklisted at phase dns, naming the zone, its codes and
/// reason; a broken blocklist, when nothing else failed, WARNING, kind dns_error at phase dns.
/// A broken blocklist is never a listing.
void judge_blocklists(probe_result& r, std::vector<dnsbl_result> verdicts);

} // namespace prober
