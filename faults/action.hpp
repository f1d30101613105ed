#pragma once

#include "faults/client_network.hpp"
#include "smtp/phase.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faults {

/// How a fault ends what the server was doing.
enum class ending {
    proceed,   ///< carry on normally after what was sent
    hang,      ///< send nothing more and keep the connection open
    close_fin, ///< close the connection gracefully (FIN)
    close_rst, ///< abort the connection (RST)
};

/// What goes wrong in a TLS handshake.
struct tls_fault {
    /// How the server takes part in the handshake.
    enum class handshake_mode {
        normal, ///< complete the handshake
        fail,   ///< answer the ClientHello with a fatal alert
        hang,   ///< read the ClientHello and send nothing
    };
    /// The certificate the server presents.
    enum class certificate_kind {
        normal,          ///< the configured or generated certificate
        expired,         ///< notAfter in the past
        not_yet_valid,   ///< notBefore in the future
        self_signed,     ///< signed by itself, not by the mock's CA
        wrong_host,      ///< valid, but for another host name
        expires_in_days, ///< valid, with notAfter `days` from now
    };

    handshake_mode handshake = handshake_mode::normal;       ///< how the handshake goes
    certificate_kind certificate = certificate_kind::normal; ///< what certificate is shown
    int days = 0; ///< with certificate_kind::expires_in_days, days until notAfter

    friend bool operator==(const tls_fault&, const tls_fault&) = default;
};

/// How an accepted message reaches the mailboxes POP3 and IMAP read (the mail-loop failures).
/// The default value is a healthy delivery: one copy in INBOX at once, as received.
struct delivery_fault {
    /// Where the message lands.
    enum class destination {
        inbox,   ///< INBOX (POP3 shows INBOX only)
        junk,    ///< the Junk folder (IMAP); POP3 never shows it
        nowhere, ///< accepted with 250 but never delivered
    };
    destination to = destination::inbox; ///< where it lands
    std::chrono::milliseconds after{0};  ///< how long after acceptance it appears
    unsigned copies = 1;                 ///< how many copies land (2: delivered twice)
    std::optional<std::string> subject;  ///< a Subject that replaces the sent one
    std::optional<std::string> body;     ///< a body that replaces the sent one
    friend bool operator==(const delivery_fault&, const delivery_fault&) = default;
};

/// How the mock's DNS server answers one query (`do.dns`, at phase dns). The default value
/// answers from the zone data; a delay (`do.delay`) and no answer at all (`do.hang`) are the
/// action's generic instructions.
struct dns_fault {
    /// The MX of the mock's mail domain.
    enum class mx_answer {
        data,     ///< as the data says
        nxdomain, ///< the domain does not exist
        a_only,   ///< no MX, an A record instead (RFC 5321 §5.1 implicit MX)
        null_mx,  ///< the null MX "0 .": the domain accepts no mail (RFC 7505)
    };
    /// An answer code in 127.0.0.0/8 or another IPv4 address, network order.
    using ipv4 = std::array<std::uint8_t, 4>;

    /// Answer with this RCODE and no records: "SERVFAIL" or "REFUSED"; empty: the data's.
    std::string rcode;
    /// Over UDP, answer with TC=1 and no records, so the client asks again over TCP.
    bool truncate = false;
    /// The MX of the mail domain.
    mx_answer mx = mx_answer::data;
    /// The mock's SMTP addresses are listed on every blocklist zone with these codes...
    std::vector<ipv4> listed;
    /// ...and this TXT reason (none when empty).
    std::string listed_reason;
    /// Every blocklist zone answers 127.255.255.<code> (an error about the query, such as
    /// 254: "query through a public resolver") for every name; 0: not.
    std::uint8_t dnsbl_error = 0;
    /// Every blocklist zone answers these A records for every address (a lapsed zone parked
    /// with a wildcard, or a retired list that lists the whole Internet).
    std::vector<ipv4> dnsbl_wildcard;

    friend bool operator==(const dns_fault&, const dns_fault&) = default;
};

/// A rule that fired, as recorded in the session's transcript.
struct fired_rule {
    std::string rule_id; ///< the rule's id, as listed by GET /api/v1/rules
    smtp::phase at;      ///< the phase where it fired
};

/// What becomes of the command a rule answers (`do.command`).
enum class command_disposition {
    /// The default: the command takes effect when the normal reply is sent, or when what the
    /// rule sends instead starts with the same digit (see command_takes_effect).
    by_reply,
    apply, ///< the command takes effect whatever is sent (e.g. a message stored, then a hang)
    skip,  ///< the command does not take effect, even when the normal reply is sent
};

/// How to send slowly: `slice_bytes` at a time, one slice every `interval`.
struct pace {
    double bytes_per_second = 0;          ///< the rate asked for
    std::size_t slice_bytes = 1;          ///< octets per write, at least 1
    std::chrono::nanoseconds interval{0}; ///< time from one slice to the next

    /// The pace for `bytes_per_second`, clamped to 1 B/s .. 1 GB/s: slices of about 50 ms,
    /// at least one octet, so that a slow rate never sleeps more than a second per write and
    /// a fast one does not write byte by byte.
    static pace at(double bytes_per_second);

    friend bool operator==(const pace&, const pace&) = default;
};

/// What the server does at one decision point: generic instructions, never a fault's name.
/// The default value is healthy behaviour. The server carries them out in this order: delay,
/// send (with its pace), the command's effect, then the ending.
struct action {
    /// Wait this long before sending anything.
    std::chrono::milliseconds delay{0};
    /// Bytes sent instead of the normal reply: a reply in wire form, or raw bytes verbatim.
    /// When empty, the normal reply is sent unless the ending is hang or close.
    std::optional<std::string> send;
    /// Send slowly at this pace instead of all at once.
    std::optional<pace> trickle;
    /// What happens after the send.
    ending end = ending::proceed;
    /// For the body phase: the ending applies after this many octets of message content.
    std::uint64_t after_bytes = 0;
    /// For the tls phase: how the handshake goes wrong.
    std::optional<tls_fault> tls;
    /// Whether the command answered takes effect.
    command_disposition command = command_disposition::by_reply;
    /// For the data_end phase: how the stored message reaches the mailboxes.
    std::optional<delivery_fault> delivery;
    /// For the ehlo and helo phases: extension keywords (e.g. "STARTTLS", "AUTH") left out of
    /// the EHLO reply; the session then refuses those commands as not offered (502).
    std::vector<std::string> withhold;
    /// For the dns phase: how the mock's DNS server answers.
    std::optional<dns_fault> dns;
    /// The rule that decided this action, if one did.
    std::optional<fired_rule> fired;

    /// True when no rule fired: the server behaves normally.
    bool healthy() const noexcept { return !fired.has_value(); }
};

/// Whether the command answered at this point takes effect (records the sender, stores the
/// message, starts TLS, ...), given the normal reply's wire form. With `do.command` unset: it
/// does when the normal reply is sent, or when the rule sends something in its place that
/// starts with the same digit (a different 2xx text still accepts the command); a hang or a
/// close with nothing sent skips it.
bool command_takes_effect(const action& a, std::string_view normal_reply) noexcept;

/// The fixed facts about one connection that rules can match on.
struct connection_context {
    std::uint64_t session_id = 0;   ///< the server's session id (for the record only)
    std::uint64_t ordinal = 1;      ///< 1 for the first connection since the scenario was loaded
    std::optional<ip_address> peer; ///< the client's address; none when unknown
};

/// Where in a session a decision is asked for.
struct decision_point {
    smtp::phase phase = smtp::phase::connect; ///< the phase being entered
    std::string_view command;                 ///< the verb as sent (upper-case); empty if none
    std::string_view argument;                ///< the command's argument; empty if none
    /// The reverse-path of the transaction in progress (MAIL FROM), without angle brackets;
    /// empty before MAIL and for the null sender "<>".
    std::string_view sender{};
};

/// Decides, for one session, what happens at each decision point. The server session state
/// machine asks; it never looks at fault names. Implemented by the fault engine; tests may
/// script it.
class session_decider {
public:
    virtual ~session_decider() = default;

    /// The action for this point, at monotonic time `now`.
    virtual action decide(const decision_point& at, std::chrono::steady_clock::time_point now) = 0;
};

} // namespace faults
