#pragma once

#include "smtp/phase.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faults {

/// How a fault ends what the server was doing (DESIGN.md §4, `do`).
enum class ending {
    proceed,   ///< carry on normally after what was sent
    hang,      ///< send nothing more and keep the connection open
    close_fin, ///< close the connection gracefully (FIN)
    close_rst, ///< abort the connection (RST)
};

/// What goes wrong in a TLS handshake (DESIGN.md §4, `do.tls`).
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

    handshake_mode handshake = handshake_mode::normal; ///< how the handshake goes
    certificate_kind certificate = certificate_kind::normal; ///< what certificate is shown
    int days = 0; ///< with certificate_kind::expires_in_days, days until notAfter

    friend bool operator==(const tls_fault&, const tls_fault&) = default;
};

/// A rule that fired, as recorded in the session's transcript.
struct fired_rule {
    std::string rule_id; ///< the rule's id, as listed by GET /api/v1/rules
    smtp::phase at;      ///< the phase where it fired
};

/// What the server does at one decision point. The default value is healthy behaviour.
/// Effects apply in this order (DESIGN.md §4): delay, send (reply or raw), trickle, ending.
struct action {
    /// Wait this long before sending anything.
    std::chrono::milliseconds delay{0};
    /// Bytes sent instead of the normal reply: a reply in wire form, or raw bytes verbatim.
    /// When empty, the normal reply is sent unless the ending is hang or close.
    std::optional<std::string> send;
    /// Send at this many bytes per second instead of all at once.
    std::optional<double> trickle_bytes_per_second;
    /// What happens after the send.
    ending end = ending::proceed;
    /// For the body phase: the ending applies after this many octets of message content.
    std::uint64_t after_bytes = 0;
    /// For the tls phase: how the handshake goes wrong.
    std::optional<tls_fault> tls;
    /// The rule that decided this action, if one did.
    std::optional<fired_rule> fired;

    /// True when no rule fired: the server behaves normally.
    bool healthy() const noexcept { return !fired.has_value(); }
};

/// Where in a session a decision is asked for.
struct decision_point {
    smtp::phase phase = smtp::phase::connect; ///< the phase being entered
    std::string_view command;                 ///< the verb as sent (upper-case); empty if none
    std::string_view argument;                ///< the command's argument; empty if none
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
