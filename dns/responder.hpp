#pragma once

// The DNS responder: bytes of a query in, the bytes to send (or nothing) and when, out. An
// authoritative-only server for the zones of a zone_set; the message codec is our own (see
// dns/message.hpp for why). No I/O: a driver receives, calls the responder, and carries out
// the action.
//
//   dns::responder r(std::move(zones));
//   auto decoded = r.decode({bytes, dns::transport::udp, client, now});
//   if (auto* q = std::get_if<dns::query>(&decoded))
//       action = r.answer(*q, faults_for(*q));       // the fault engine decides per query
//   else
//       action = std::get<dns::reply_action>(decoded); // malformed, a response, ...
//
// A driver serving it (the mock's, mockserver/dns/dns_server):
// - UDP: receive each datagram whole (a 65535-octet buffer, so nothing is cut short), call
//   respond(), and send the bytes back to the sender at `action.at`; a delayed answer waits on
//   its own timer so other queries are not held up; `ignore` sends nothing.
// - TCP (RFC 7766): feed what arrives to a tcp_framer; each message is answered like a
//   datagram, and its bytes (already length-prefixed) are written in the order they become
//   due; the connection is closed on a framing error, at EOF, or after an idle timeout.

#include "dns/fault_decisions.hpp"
#include "dns/lookup.hpp"
#include "dns/message.hpp"
#include "dns/zone_set.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace dns {

/// How a message travels.
enum class transport {
    udp, ///< datagrams of at most 512 octets, or the EDNS0 payload size (RFC 1035 §4.2.1)
    tcp, ///< length-prefixed messages of up to 65535 octets (RFC 1035 §4.2.2, RFC 7766)
};

/// One received message and what the driver knows about it.
struct received {
    std::span<const std::uint8_t> bytes;            ///< the message (unframed for TCP)
    dns::transport transport = dns::transport::udp; ///< how it came
    std::optional<ip_address> client;               ///< the sender, when known
    std::chrono::steady_clock::time_point now{};    ///< when it came
};

/// A well-formed query to answer: what a fault engine matches on.
struct query {
    dns::header header;                             ///< the query's header
    dns::question question;                         ///< its one question, case as asked
    std::optional<dns::edns> edns;                  ///< its OPT record
    dns::transport transport = dns::transport::udp; ///< how it came
    std::optional<ip_address> client;               ///< the sender, when known
    std::chrono::steady_clock::time_point now{};    ///< when it came
};

/// What the driver does about one received message.
struct reply_action {
    /// Whether to send.
    enum class kind {
        send,   ///< send `bytes` at `at`
        ignore, ///< send nothing
    };
    kind what = kind::ignore; ///< send or not
    /// The answer; over TCP already preceded by its two-octet length.
    std::vector<std::uint8_t> bytes;
    /// When to send: the query's time, plus a fault's delay.
    std::chrono::steady_clock::time_point at{};
    /// What happened, for the log: "NXDOMAIN", "FORMERR: compression pointer not to a prior
    /// name (a loop) at offset 27", "ignored: a response (QR=1)".
    std::string note;
};

/// How the responder behaves.
struct responder_settings {
    /// The largest UDP payload it sends, and accepts with EDNS0, advertised in its OPT record
    /// (RFC 6891 §6.2.3). 1232 octets keep IPv6 answers unfragmented (DNS Flag Day 2020).
    std::uint16_t udp_payload_size = 1232;
};

/// Chooses the fault decisions for a query.
using fault_source = std::function<fault_decisions(const query&)>;

/// The responder.
class responder {
public:
    /// Serves `zones`.
    explicit responder(zone_set zones, responder_settings settings = {});

    /// The data served, to change between queries.
    zone_set& zones() noexcept { return zones_; }
    /// The data served.
    const zone_set& zones() const noexcept { return zones_; }

    /// The query in `in`, or what to do when it is not one to answer from the data:
    /// nothing for fewer than 12 octets or a response (QR=1, RFC 1035 §4.1.1: answering it
    /// could loop); FORMERR for a malformed message (with the error and its offset in the
    /// note), QDCOUNT other than 1 (RFC 9619), or a UDP query larger than 512 octets, or than
    /// the payload size with EDNS0 (RFC 1035 §4.2.1, RFC 6891 §6.2.5); NOTIMP for opcodes other
    /// than QUERY; BADVERS for EDNS versions other than 0 (RFC 6891 §6.1.3).
    std::variant<query, reply_action> decode(const received& in) const;

    /// The answer to `q` with `faults` applied: see lookup() for the data, fault_decisions for
    /// the rest. The answer fits 512 octets over UDP, or the EDNS0 payload size (at least 512,
    /// at most ours); the first RRset of the answer or authority section that does not fit
    /// sets TC and ends the message, additional records that do not fit are left out
    /// (RFC 2181 §9). With EDNS0 the answer carries our OPT, echoing DO (RFC 3225 §3).
    reply_action answer(const query& q, const fault_decisions& faults = {}) const;

    /// decode(), then answer() with the decisions of `faults` (none when empty).
    reply_action respond(const received& in, const fault_source& faults = {}) const;

private:
    zone_set zones_;
    responder_settings settings_;
};

} // namespace dns
