#pragma once

// The server side of one POP3 session (RFC 1939, CAPA from RFC 2449) as a state machine with
// no I/O: fed bytes and times, it answers with the next action (write, read until a deadline,
// close). The Asio driver (pop3_server.cpp) performs one action at a time.
//
//   pop3_session s(maildrops, {"localhost", 10min});
//   action a = s.start(now);         // write the greeting
//   a = s.on_written(now);           // read, with the autologout deadline
//   a = s.on_read("USER bob\r\n", now);

#include "mockserver/pop3/maildrop.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mock::pop3 {

/// Send these bytes.
struct write_action {
    std::string bytes; ///< one or more complete responses
};
/// Read more input; when nothing arrives by the deadline, call on_timeout().
struct read_action {
    std::chrono::steady_clock::time_point deadline; ///< the autologout time
};
/// Close the connection; the session is over.
struct close_action {};

/// What the driver does next.
using action = std::variant<write_action, read_action, close_action>;

/// Settings shared by every POP3 session.
struct session_config {
    /// The name in the greeting.
    std::string hostname = "localhost";
    /// RFC 1939 §3: the autologout timer, at least 10 minutes.
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
};

/// One POP3 session.
class pop3_session {
public:
    /// RFC 2449 §4: a command line is at most 255 octets with its CRLF; longer lines are
    /// answered -ERR and discarded. We tolerate up to this many before cutting.
    static constexpr std::size_t max_line = 1024;

    /// The RFC 1939 §3 states.
    enum class state {
        authorization, ///< before USER/PASS succeeded
        transaction,   ///< the maildrop is open
        update,        ///< QUIT was given in TRANSACTION: deletions applied
        closed,        ///< the session is over
    };

    /// `maildrops` must outlive the session.
    pop3_session(maildrop_source& maildrops, session_config config);

    /// The greeting (RFC 1939 §4).
    action start(std::chrono::steady_clock::time_point now);
    /// The previous write completed.
    action on_written(std::chrono::steady_clock::time_point now);
    /// Bytes arrived.
    action on_read(std::string_view bytes, std::chrono::steady_clock::time_point now);
    /// The read deadline passed (autologout: close without entering UPDATE).
    action on_timeout(std::chrono::steady_clock::time_point now);
    /// The client closed the connection (no UPDATE, RFC 1939 §6).
    action on_peer_closed();

    /// The current state.
    state current_state() const noexcept { return state_; }
    /// The user given with USER, once accepted.
    const std::string& user() const noexcept { return user_; }

private:
    action next(std::chrono::steady_clock::time_point now);
    std::string handle(std::string_view line);
    std::string authorization_command(std::string_view verb, std::string_view arg);
    std::string transaction_command(std::string_view verb, std::string_view arg);
    std::string capabilities() const;
    std::optional<std::size_t> message_number(std::string_view arg) const;
    std::string drop_listing() const;

    maildrop_source& maildrops_;
    session_config config_;
    state state_ = state::authorization;
    std::string input_;
    bool discarding_ = false;
    std::string user_;
    bool have_user_ = false;
    std::vector<maildrop_entry> messages_;
    std::vector<bool> deleted_;
    bool close_after_write_ = false;
};

/// A message as sent after "+OK" in RETR (RFC 1939 §3): a final CRLF added when missing, and
/// every line starting with '.' stuffed with one more '.', then the ".CRLF" terminator.
std::string multiline_body(std::string_view content);

/// The size a message has in POP3 listings: its octets, plus a final CRLF when missing.
std::uint64_t wire_size(std::string_view content) noexcept;

/// The headers, the blank line and the first `lines` lines of the body (RFC 1939 §7, TOP).
std::string top_of(std::string_view content, std::uint64_t lines);

} // namespace mock::pop3
