#pragma once

#include "faults/action.hpp"
#include "mockserver/event_hub.hpp"
#include "smtp/phase.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock {

/// One line of a session transcript.
struct transcript_entry {
    /// Milliseconds since the connection was accepted.
    double t_ms = 0;
    /// "S" (server sent), "C" (client sent) or "event".
    std::string dir;
    /// The line without CRLF, or a description of the event.
    std::string text;
};

/// How a session ended. Set when the connection has actually ended, never before.
enum class session_outcome {
    active,          ///< still connected
    quit,            ///< the client sent QUIT and got 221
    client_closed,   ///< the client closed or reset the connection (also during a hang)
    idle_timeout,    ///< the client sent (or read) nothing for --idle-timeout
    fault_closed,    ///< a fault closed or reset the connection
    refused,         ///< turned away with 421: more than --max-connections
    tls_failed,      ///< the TLS handshake failed or timed out
    server_stop,     ///< the server shut down
    error,           ///< an I/O error other than the peer closing
    command_timeout, ///< a command line took longer than --command-timeout to arrive
    too_many_errors, ///< 421 after too many bad commands
};

/// How many outcomes there are.
inline constexpr std::size_t session_outcome_count = 11;

/// Every outcome, in the order of the enum.
inline constexpr std::array<session_outcome, session_outcome_count> all_session_outcomes = {
    session_outcome::active,          session_outcome::quit,
    session_outcome::client_closed,   session_outcome::idle_timeout,
    session_outcome::fault_closed,    session_outcome::refused,
    session_outcome::tls_failed,      session_outcome::server_stop,
    session_outcome::error,           session_outcome::command_timeout,
    session_outcome::too_many_errors,
};

/// The contract name of an outcome, e.g. "client_closed".
std::string_view to_string(session_outcome o) noexcept;

/// Who ended the connection.
enum class session_closer {
    client, ///< the client closed or reset it
    server, ///< the server closed it (after QUIT, a timeout, a refusal, a failure, a stop)
    fault,  ///< a fault rule closed or reset it
};

/// The contract name, "client", "server" or "fault".
std::string_view to_string(session_closer c) noexcept;

/// Everything recorded about one SMTP session: who, when, the transcript, the fault rules that
/// fired and the messages accepted. Written by the session, read by the control API from other
/// threads, so every access takes the record's own lock.
///
/// With someone subscribed to the live events, the record also gathers the session's events as
/// they happen, and flush_events() publishes them at once: the session calls it before each wait
/// for I/O. The events are gathered and flushed on the session's own thread only.
class session_record {
public:
    /// Most transcript entries kept; later ones are counted, not stored.
    static constexpr std::size_t max_entries = 500;

    /// `events`, when given, receives the live events of the session (and must outlive it).
    session_record(std::uint64_t id, std::string peer, std::string local,
                   std::chrono::system_clock::time_point started_at,
                   std::chrono::steady_clock::time_point started_steady,
                   event_hub* events = nullptr);

    /// Adds a transcript entry at monotonic time `now`.
    void add(std::string_view dir, std::string_view text, std::chrono::steady_clock::time_point now);
    /// Adds a transcript entry whose text is `bytes` as smtp::escape_bytes() shows them (a
    /// command or reply line), escaped straight into the record.
    void add_escaped(std::string_view dir, std::string_view bytes,
                     std::chrono::steady_clock::time_point now);
    /// Records a fault rule that fired; `effect` says in words what it does (for live events).
    void add_fired(const faults::fired_rule& rule, std::string_view effect = {},
                   std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    /// Notes the phase the session is in (for live events; only a change is published). Called
    /// by the session's own thread only.
    void note_phase(smtp::phase phase, std::chrono::steady_clock::time_point now);
    /// Records the id of a message accepted in this session.
    void add_message(std::string id);
    /// Records TLS as established, with the negotiated protocol version and cipher.
    void set_tls(std::string version, std::string cipher);
    /// Records a successful authentication.
    void set_auth(std::string user);
    /// Marks the session ended at monotonic time `now`, unless it already was. `ended_at` is
    /// `started_at` plus the monotonic time since the accept.
    void finish(session_outcome outcome, session_closer closed_by,
                std::chrono::steady_clock::time_point now);

    /// Gathers a live event of this session, `{"type", "session", "t_ms" (when `since_start`
    /// is given), fields...}`, when someone listens, for the next flush_events().
    void note_event(std::string_view type, std::optional<std::chrono::nanoseconds> since_start,
                    std::initializer_list<event_field> fields);
    /// Publishes the live events gathered since the last call, in one hand-off; nothing to do
    /// when there are none (as always with nobody subscribed).
    void flush_events()
    {
        if (!pending_.empty()) {
            publish_pending();
        }
    }

    /// A consistent copy, for reading.
    struct snapshot {
        std::uint64_t id = 0;                        ///< session id, counting from 1
        std::string peer;                            ///< client address:port
        std::string local;                           ///< listener address:port
        std::chrono::system_clock::time_point started_at; ///< when accepted
        std::optional<std::chrono::system_clock::time_point> ended_at; ///< when it ended
        session_outcome outcome = session_outcome::active; ///< how it ended
        std::optional<session_closer> closed_by;           ///< who ended it, once ended
        std::vector<transcript_entry> transcript;    ///< what was said, in order
        std::size_t dropped_entries = 0;             ///< entries beyond max_entries
        std::vector<faults::fired_rule> fired;       ///< fault rules that fired
        std::vector<std::string> messages;           ///< ids of accepted messages
        std::optional<std::string> tls_version;      ///< e.g. "TLSv1.3", once TLS is up
        std::optional<std::string> tls_cipher;       ///< the negotiated cipher
        std::optional<std::string> auth_user;        ///< the authenticated user
    };
    snapshot read() const;

    /// The session id.
    std::uint64_t id() const noexcept { return id_; }
    /// The client's address:port (fixed when the record is made).
    const std::string& peer() const noexcept { return data_.peer; }
    /// How the session ended, or active.
    session_outcome outcome() const;
    /// Whether TLS is established (for message metadata).
    bool tls() const;
    /// The authenticated user, if any.
    std::optional<std::string> auth_user() const;

private:
    // Gathers a live event of this session at monotonic time `now` when someone listens.
    void note_event(std::string_view type, std::chrono::steady_clock::time_point now,
                    std::initializer_list<event_field> fields);
    void publish_pending();

    // A transcript entry as kept: its direction and then its text are a range of text_, one
    // buffer for the whole transcript rather than two strings an entry; read() makes the
    // transcript_entry of each.
    struct kept_entry {
        double t_ms = 0;
        std::uint32_t at = 0;        // where the direction starts in text_
        std::uint32_t dir_size = 0;  // then the text
        std::uint32_t text_size = 0;
    };

    // Starts an entry of direction `dir` in text_ (the caller holds the lock and appends the
    // text); false when the transcript is full and the entry is only counted.
    bool start_entry(std::string_view dir, std::chrono::steady_clock::time_point now);
    // Ends the entry start_entry() began, once its text is in text_.
    void end_entry() noexcept;

    // What a session with TLS or AUTH adds to its record: not inline, as most sessions (every
    // held one) have neither.
    struct seldom_fields {
        std::optional<std::string> tls_version;
        std::optional<std::string> tls_cipher;
        std::optional<std::string> auth_user;
    };
    // The fields of a snapshot that every session has, but the id and the transcript.
    struct kept_fields {
        std::string peer;
        std::string local;
        std::chrono::system_clock::time_point started_at;
        std::optional<std::chrono::system_clock::time_point> ended_at;
        session_outcome outcome = session_outcome::active;
        std::optional<session_closer> closed_by;
        std::size_t dropped_entries = 0;
        std::vector<faults::fired_rule> fired;
        std::vector<std::string> messages;
    };

    const std::uint64_t id_;
    const std::chrono::steady_clock::time_point started_steady_;
    event_hub* const events_;
    std::optional<smtp::phase> phase_;
    event_batch pending_; // live events not yet published (the session's thread only)
    std::string escaped_; // a line escaped for its live event only (the session's thread only)
    mutable std::mutex mutex_;
    kept_fields data_;
    std::unique_ptr<seldom_fields> seldom_; // made when TLS or AUTH is first recorded
    std::vector<kept_entry> entries_; // the transcript
    std::string text_;                // the directions and texts of the entries, one after another
};

} // namespace mock
