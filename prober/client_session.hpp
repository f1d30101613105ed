#pragma once

#include "prober/probe_options.hpp"
#include "prober/probe_result.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/line_framer.hpp"
#include "smtp/phase.hpp"
#include "smtp/reply.hpp"
#include "smtp/reply_parser.hpp"

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prober {

/// The clock of session deadlines. Time is always passed in, never read by the session.
using probe_clock = std::chrono::steady_clock;

/// What the driver must do next.
enum class action_kind {
    resolve,   ///< resolve the target's host name
    connect,   ///< connect to the resolved addresses in order
    write,     ///< write `bytes` completely
    read,      ///< read whatever arrives (at least one octet)
    start_tls, ///< run the TLS client handshake on the connection
    close,     ///< close the connection (and report `closed`)
    verify,    ///< fetch the test message from the round-trip mailbox
    done,      ///< stop: the result is final
};

/// One action, with the deadline by which it must complete (else report `timeout`).
struct session_action {
    /// An action; `deadline` and `bytes` where the kind needs them.
    session_action(action_kind k = action_kind::done, probe_clock::time_point d = {},
                   std::string_view b = {}) noexcept
        : kind(k)
        , deadline(d)
        , bytes(b)
    {
    }

    /// What to do.
    action_kind kind = action_kind::done;
    /// When to give up and report `timeout`; unset for close and done.
    probe_clock::time_point deadline{};
    /// For write: the octets to send. Valid until the next call on the session.
    std::string_view bytes;
};

/// What happened since the last action.
enum class event_kind {
    start,     ///< the first call
    resolved,  ///< resolve succeeded; `detail` lists the addresses
    connected, ///< connect succeeded; `detail` names the peer
    written,   ///< the write completed
    read,      ///< `bytes` arrived
    tls_done,  ///< the handshake completed; `tls` describes the session
    verified,  ///< the round-trip check finished; `verify` says how
    closed,    ///< the connection was closed
    timeout,   ///< the action's deadline passed
    eof,       ///< the peer closed the connection
    error,     ///< the action failed with `ec`; `detail` may explain it
    cancelled, ///< the action was cancelled from outside (shutdown): end now
};

/// A delivered test message as the mailbox served it, to compare with what was sent.
struct received_message {
    /// The unfolded Subject, white space around it removed; nothing when there is none.
    std::optional<std::string> subject;
    /// The body, lines ended with CRLF.
    std::string body;
    /// Whether `body` holds only the beginning of a longer body.
    bool body_truncated = false;
};

/// The outcome of a round-trip check.
struct verify_report {
    /// Whether the message with the probe's Message-ID was found.
    bool delivered = false;
    /// Time from the end of DATA until it was found.
    std::optional<std::chrono::milliseconds> latency;
    /// What happened, for the failure message, e.g. "not found after 12 polls".
    std::string detail;
    /// Why the mailbox could not be checked, if it could not.
    boost::system::error_code ec;
    /// The failure kind at phase verify when not delivered; not_delivered when unset.
    std::optional<smtp::failure_kind> kind;
    /// The mailbox dialogue, one line each ("C: ...", "S: ...", "event: ..."), passwords masked.
    std::vector<std::string> transcript;
    /// When delivered: how many copies of the message the mailbox held (0: not counted).
    unsigned copies = 0;
    /// When delivered: the first copy as it arrived, if the mailbox client read it.
    std::optional<received_message> message;
};

/// One event. Plain data; the pointers and views must outlive the call to next().
struct session_event {
    /// An event; the other members where the kind needs them.
    session_event(event_kind k = event_kind::start, std::string_view b = {},
                  boost::system::error_code e = {}, std::string d = {})
        : kind(k)
        , bytes(b)
        , ec(e)
        , detail(std::move(d))
    {
    }

    /// What happened.
    event_kind kind = event_kind::start;
    /// For read: the octets received.
    std::string_view bytes;
    /// For error: the error.
    boost::system::error_code ec;
    /// Extra text: addresses, the peer, a certificate verification message.
    std::string detail;
    /// For tls_done: the negotiated session.
    const tls_info* tls = nullptr;
    /// For verified: the outcome.
    const verify_report* verify = nullptr;
};

/// Inputs of a session that come from outside the protocol: time and randomness.
struct session_params {
    /// Wall-clock start, for started_at, the Date: header and the Message-ID.
    std::chrono::system_clock::time_point started_at{};
    /// A random number that makes the Message-ID unique.
    std::uint64_t nonce = 0;
    /// The HELO name to use when the options leave it empty.
    std::string default_helo = "localhost";
    /// The message to send instead of the probe's test message (RFC 5322 text, not yet
    /// dot-stuffed), e.g. an alert e-mail.
    std::optional<std::string> message;
    /// The Message-ID of `message`, without angle brackets; reported as the delivery's.
    std::string message_id;
    /// With --mx: the route found for the mail domain (options.host), its lookups taking
    /// `elapsed` before the session begins; the session connects to its address, or fails at
    /// dns as it says.
    std::optional<mx_outcome> mx;
};

/// The SMTP client session of the project, with no I/O: the probe's, and the
/// watch e-mail notifier's (which sends its alert as the message).
///
/// It is fed events and the current time and answers the next action. It frames and parses
/// replies, decides every step of the conversation (banner, EHLO/HELO, STARTTLS, AUTH, MAIL,
/// RCPT, DATA, QUIT, the round trip), enforces the per-phase deadlines and the hard total
/// deadline, and classifies the outcome into exactly one failure kind at one phase. I/O
/// errors, end of stream, timeouts and cancellation are events like any other: the driver
/// reports them and the session decides what they mean.
class client_session {
public:
    /// Prepares a session; the first call to next() must pass event_kind::start.
    client_session(probe_options options, session_params params);

    /// Consumes an event observed at `now` and answers the next action.
    session_action next(const session_event& ev, probe_clock::time_point now);

    /// The result so far; final once next() answered action_kind::done.
    const probe_result& result() const noexcept { return result_; }

    /// Moves the result out; call after done.
    probe_result take_result() { return std::move(result_); }

    /// The phase in progress.
    smtp::phase current_phase() const noexcept { return phase_; }

    /// The options in use.
    const probe_options& options() const noexcept { return options_; }

    /// The Message-ID of the message the session sends; empty when it sends none.
    const std::string& message_id() const noexcept { return message_id_; }

private:
    // The phases completed, one bit each: a set that never allocates.
    class phase_set {
    public:
        void insert(smtp::phase p) noexcept { bits_ |= bit(p); }
        bool count(smtp::phase p) const noexcept { return (bits_ & bit(p)) != 0; }

    private:
        static std::uint32_t bit(smtp::phase p) noexcept
        {
            return std::uint32_t{1} << static_cast<unsigned>(p);
        }
        std::uint32_t bits_ = 0;
    };

    // With --mx: records the route and points the session at its address.
    void take_route(const mx_outcome& route);

    enum class step {
        idle,
        resolve,
        connect,
        tls,
        banner,
        ehlo,
        helo,
        starttls,
        auth_plain,
        auth_login,
        auth_login_user,
        auth_login_pass,
        mail,
        rcpt,
        data,
        body,
        data_end,
        quit,
        closing,
        verifying,
        finished,
    };

    // Entering steps.
    session_action begin(probe_clock::time_point now);
    session_action begin_command(step s, smtp::phase p, std::string line,
                                 probe_clock::time_point now, std::string shown = {});
    session_action begin_read_step(step s, smtp::phase p, probe_clock::time_point now);
    session_action begin_tls(probe_clock::time_point now);
    session_action after_banner(probe_clock::time_point now);
    session_action after_greeting(probe_clock::time_point now);
    session_action after_tls(probe_clock::time_point now);
    session_action begin_auth(probe_clock::time_point now);
    session_action begin_mail(probe_clock::time_point now);
    session_action begin_quit(probe_clock::time_point now);
    session_action begin_close(probe_clock::time_point now);
    session_action finish(probe_clock::time_point now);

    // Events.
    session_action on_verify_event(const session_event& ev, probe_clock::time_point now);
    // The slow failure of a delivery over --max-delivery-time; sets `critical` when over CRIT.
    std::optional<probe_failure> late_delivery(bool& critical) const;
    session_action on_cancelled(probe_clock::time_point now);
    session_action on_connection_event(const session_event& ev, probe_clock::time_point now);
    session_action on_bytes(std::string_view bytes, probe_clock::time_point now);
    session_action await_reply(probe_clock::time_point now);
    session_action on_reply(const smtp::reply& r, probe_clock::time_point now);
    session_action on_banner(const smtp::reply& r, probe_clock::time_point now);
    session_action on_greeting_reply(const smtp::reply& r, probe_clock::time_point now);
    session_action on_auth_reply(const smtp::reply& r, probe_clock::time_point now);
    session_action on_transaction_reply(const smtp::reply& r, probe_clock::time_point now);
    session_action begin_body(probe_clock::time_point now);
    session_action on_timeout(probe_clock::time_point now);
    session_action on_stream_error(const session_event& ev, probe_clock::time_point now);

    // Failures.
    session_action fail(smtp::failure_kind kind, boost::system::error_code ec, std::string message,
                        probe_clock::time_point now, const smtp::reply* r = nullptr);
    session_action fail_reply(const smtp::reply& r, std::string_view expected,
                              probe_clock::time_point now);

    // Bookkeeping.
    void enter_phase(smtp::phase p, probe_clock::time_point now);
    void close_phase(probe_clock::time_point now);
    void note(transcript_dir dir, std::string text, probe_clock::time_point now);
    bool quit_point(smtp::phase completed);
    bool wants_send() const noexcept;
    void set_extensions(const smtp::reply& r);
    bool has_extension(std::string_view keyword) const;
    std::string extension_params(std::string_view keyword) const;
    probe_clock::time_point command_deadline(probe_clock::time_point now) const;
    void finalize(probe_clock::time_point now);

    probe_options options_;
    session_params params_;
    probe_result result_;
    std::optional<std::regex> banner_re_;

    smtp::line_framer framer_;
    smtp::reply_parser parser_;

    step step_ = step::idle;
    bool writing_ = false;
    smtp::phase phase_ = smtp::phase::dns;
    phase_set completed_;
    probe_clock::time_point start_{};
    probe_clock::time_point total_deadline_{};
    probe_clock::time_point deadline_{};
    probe_clock::time_point phase_start_{};
    probe_clock::time_point data_end_at_{};
    bool phase_open_ = false;
    bool tls_active_ = false;
    bool greeted_with_helo_ = false;
    bool message_sent_ = false;
    bool cancelled_ = false;
    bool critical_level_ = false;               // for slow and cert_expiring
    std::optional<probe_failure> soft_failure_; // cert_expiring, decided after the session
    std::size_t rcpt_index_ = 0;
    std::string out_;      // bytes of the pending write
    std::string received_; // raw bytes received in the current phase (bounded)
    std::string message_id_;
    std::string sent_message_;            // the message as written, before dot-stuffing
    std::vector<std::string> extensions_; // the EHLO keyword lines as received
    std::string helo_name_;
    std::string peer_;
};

} // namespace prober
