#pragma once

// The scenario model as plain structs: what a scenario file says, after
// validation. Loading is in scenario_loader.hpp, JSON in scenario_json.hpp, decisions in
// engine.hpp.
//
//   struct scenario { name, summary, description, listener, probe, expect, rules };
//   struct rule     { id, when (rule_when), effects (effect_list: the `do` map, effect.hpp) };

#include "faults/action.hpp"
#include "faults/client_network.hpp"
#include "faults/connection_range.hpp"
#include "faults/effect.hpp"
#include "faults/pattern.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faults {

/// Whether the mock accepts TCP connections at all.
enum class listener_state {
    open,      ///< accept connections normally
    closed,    ///< refuse connections: the client's connect() fails with ECONNREFUSED
    blackhole, ///< never complete the handshake: the client's connect() times out
};

/// The contract name of a listener state, e.g. "blackhole".
std::string_view to_string(listener_state s) noexcept;

/// The listener state with this contract name, if any.
std::optional<listener_state> parse_listener_state(std::string_view name) noexcept;

/// What the built-in probe must do, and with which settings, to reach the fault (`probe`).
struct probe_hints {
    bool send = false;     ///< send a message (MAIL, RCPT, DATA): --send
    bool starttls = false; ///< upgrade with STARTTLS: --starttls
    bool tls = false;      ///< implicit TLS from the first byte: --tls
    bool auth = false;     ///< authenticate: --auth
    bool insecure = false; ///< do not verify the certificate (it is still read): --insecure
    /// The name to greet with (EHLO/HELO), e.g. one that asks for a fault through
    /// `do: {ehlo_switches: true}`: --helo; empty: the harness's own name.
    std::string helo;
    std::optional<smtp::phase> quit_after;             ///< stop after this phase: --quit-after
    std::optional<std::chrono::milliseconds> warning;  ///< slow threshold for WARNING: -w
    std::optional<std::chrono::milliseconds> critical; ///< slow threshold for CRITICAL: -c
    std::optional<std::chrono::milliseconds> timeout;  ///< total hard deadline: -t
    std::optional<std::chrono::milliseconds> connect_timeout; ///< --connect-timeout
    std::optional<std::chrono::milliseconds> command_timeout; ///< --command-timeout
    std::optional<int> cert_days_warning;                     ///< --cert-days WARN
    std::optional<int> cert_days_critical;                    ///< --cert-days WARN,CRIT
    /// Fetch the sent message back from the mock's mailbox over "pop3" or "imap" (empty:
    /// no round trip): --verify, with the mock serving that protocol.
    std::string verify;
    std::optional<std::chrono::milliseconds> verify_timeout;    ///< --verify-timeout
    std::optional<std::chrono::milliseconds> max_delivery_time; ///< --max-delivery-time WARN
    /// Look the mock's address up on its DNS blocklist dnsbl.mock.test, asking the mock's DNS
    /// server: --dnsbl and --dns-server, with the mock serving --dns.
    bool dnsbl = false;
    /// Probe the mock's mail domain (mock.test) rather than its address: --mx, asking the
    /// mock's DNS server (--dns-server), with the mock serving --dns.
    bool mx = false;

    friend bool operator==(const probe_hints&, const probe_hints&) = default;
};

/// What the built-in probe should report against this scenario (`expect`).
struct expectation {
    /// Accepted Nagios statuses: any of OK, WARNING, CRITICAL.
    std::vector<std::string> status;
    /// The failure kind, when the status is not OK.
    std::optional<smtp::failure_kind> kind;
    /// The phase of the failure, when the status is not OK.
    std::optional<smtp::phase> phase;

    friend bool operator==(const expectation&, const expectation&) = default;
};

/// The conditions of a rule (`when`); every condition given must hold.
struct rule_when {
    /// Decision points where the rule applies; empty means every phase.
    std::vector<smtp::phase> phases;
    /// RE2 pattern that must match the whole verb, case-insensitively.
    std::optional<pattern> command;
    /// RE2 pattern searched for in the command argument, case-insensitively.
    std::optional<pattern> argument;
    /// Connection ordinals where the rule applies; empty means every connection.
    std::vector<connection_range> connections;
    /// Chance that the rule fires when everything else matches, 0 to 1.
    double probability = 1.0;
    /// Applies only from this long after the scenario was loaded.
    std::optional<std::chrono::milliseconds> after;
    /// Applies only until this long after the scenario was loaded.
    std::optional<std::chrono::milliseconds> until;
    /// Fires at most this many times in total, across all sessions.
    std::optional<std::uint64_t> times;
    /// Peers the rule applies to; empty means every peer.
    std::vector<client_network> client;

    /// True when `p` is one of the phases (false when the rule applies at every phase).
    bool has_phase(smtp::phase p) const noexcept;
    /// True when the rule applies at `p` and nowhere else.
    bool only_phase(smtp::phase p) const noexcept;

    friend bool operator==(const rule_when&, const rule_when&) = default;
};

/// One fault rule: when the conditions hold, do the effects.
struct rule {
    std::string id;      ///< unique in its scenario; generated (r1, r2, ...) when not given
    rule_when when;      ///< the `when` map
    effect_list effects; ///< the `do` map

    friend bool operator==(const rule&, const rule&) = default;
};

/// A whole scenario file.
struct scenario {
    std::string name;        ///< short kebab-case name, e.g. "banner-missing"
    std::string summary;     ///< one sentence
    std::string description; ///< what it simulates, causes, what the RFC says, what to report
    listener_state listener = listener_state::open; ///< connection-level state of SMTP
    /// Connection-level state of the mailbox services (POP3 and IMAP): open or closed, never
    /// blackhole; SMTP keeps `listener`.
    listener_state mailbox_listener = listener_state::open;
    probe_hints probe;                 ///< what the built-in probe must do
    std::optional<expectation> expect; ///< what the built-in probe should report
    std::vector<rule> rules;           ///< in order; the first match fires

    friend bool operator==(const scenario&, const scenario&) = default;
};

/// The healthy scenario: listener open, no rules.
scenario healthy_scenario();

} // namespace faults
