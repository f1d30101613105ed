#pragma once

// Where mail for a domain goes, as a sending MTA finds it (--mx): a state machine with no I/O.
// It says which DNS question to ask next; the driver asks it (through io/dns_resolver) and feeds
// the outcome back.
//
//   mx_route route("example.org");
//   while (auto q = route.next())
//       route.on_answer(ask(*q), elapsed);     // MX of the domain, then addresses of a host
//   route.result();                            // the host and address to probe, or why none
//
// RFC 5321 §5.1: the MX records of the domain, lowest preference first (equal preferences by
// name, so that a probe is reproducible where a sender would pick at random); a domain without
// MX records (NOERROR, no data) is its own mail exchanger (the implicit MX) with its A/AAAA
// records; an MX host whose address lookup fails is skipped for the next one. RFC 7505: a null MX
// ("MX 0 .") says the domain accepts no mail. NXDOMAIN, SERVFAIL, REFUSED, no answer, a null MX,
// and MX hosts none of which has an address are failures at phase dns: dns_error, or timeout
// when the DNS server never answered.

#include "smtp/failure_kind.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace prober {

/// One MX record (RFC 1035 §3.3.9).
struct mx_host {
    std::uint16_t preference = 0; ///< lower is preferred
    std::string exchange;         ///< the host name, without the final dot; empty: the root (".")

    /// Member-wise equality.
    friend bool operator==(const mx_host&, const mx_host&) = default;
};

/// The outcome of one DNS lookup, as the route needs it.
struct mx_answer {
    /// How the lookup ended.
    enum class kind {
        answered, ///< records of the type asked for
        nxdomain, ///< the name does not exist
        no_data,  ///< the name exists without records of the type
        failed,   ///< an error answer or none usable: SERVFAIL, REFUSED, unreachable, ...
        timeout,  ///< no answer before the deadline
    };
    kind outcome = kind::failed;        ///< how it ended
    std::vector<mx_host> mx;            ///< the MX records, when MX was asked
    std::vector<std::string> addresses; ///< the addresses ("192.0.2.1", "::1"), when asked
    std::string error;                  ///< for failed and timeout: what happened, for a person
};

/// Where the probe goes, or why it goes nowhere.
struct mx_outcome {
    std::string domain;                 ///< the mail domain, without the final dot
    std::vector<mx_host> exchanges;     ///< the MX records in the order they are tried
    bool implicit = false;              ///< no MX: the domain is its own mail exchanger
    std::string host;                   ///< the host chosen (an MX exchange, or the domain)
    std::uint16_t preference = 0;       ///< its preference (0 for the implicit MX)
    std::string address;                ///< the address to connect to (the first of the host's)
    std::vector<std::string> addresses; ///< every address of the host
    /// Failed: the kind (dns_error, or timeout) and a sentence; the probe goes nowhere.
    std::optional<smtp::failure_kind> failure;
    std::string message;  ///< for a failure: what went wrong, e.g. "no MX for a.test: NXDOMAIN"
    std::string received; ///< for a failure: what the DNS said, e.g. "NXDOMAIN", "MX 0 ."
    /// What each lookup gave, for the transcript: time since the first question, and a line.
    std::vector<std::pair<std::chrono::microseconds, std::string>> notes;
    std::chrono::microseconds elapsed{0}; ///< time from the first question to the last answer

    /// Whether a host and address were found.
    bool ok() const noexcept { return !failure; }
};

/// One domain's route.
class mx_route {
public:
    /// The DNS question to ask.
    struct question {
        bool mx = true;   ///< MX of `name` when true, else its addresses (A and AAAA)
        std::string name; ///< the name, without the final dot
    };

    /// Routes mail for `domain` (a final dot is ignored). A name that is not a domain (an
    /// address literal, or malformed) ends the route at once with dns_error.
    explicit mx_route(std::string domain);

    /// The next question, or nothing when the route is decided.
    std::optional<question> next() const;

    /// The outcome of the question next() gave, `at` after the first question was asked.
    void on_answer(const mx_answer& answer, std::chrono::microseconds at);

    /// The route so far (final once next() gives nothing).
    const mx_outcome& result() const noexcept { return result_; }

private:
    void on_mx(const mx_answer& answer, std::chrono::microseconds at);
    void on_address(const mx_answer& answer, std::chrono::microseconds at);
    void fail(smtp::failure_kind kind, std::string message, std::string received);

    bool asking_mx_ = true;
    bool done_ = false;
    std::size_t host_index_ = 0;       // the exchange whose address is asked
    std::vector<std::string> skipped_; // "mx1.a.test (NXDOMAIN)", for the failure
    bool only_timeouts_ = true;        // every address lookup so far timed out
    mx_outcome result_;
};

/// Whether `name` (a final dot allowed) is a domain name that can have MX records: not an
/// address literal, not malformed.
bool is_mail_domain(std::string name);

/// A found route in a line: "example.org: MX 10 mx1.example.org, 192.0.2.1", or with no MX
/// "example.org: no MX, the domain itself (RFC 5321 5.1), 192.0.2.1".
std::string describe_route(const mx_outcome& route);

/// What an answer says, in a few words for a person: "NXDOMAIN", "no records", the error.
std::string describe(const mx_answer& answer);

} // namespace prober
