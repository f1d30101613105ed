#pragma once

// The server side of one POP3 session (RFC 1939, CAPA from RFC 2449) as a state machine with
// no I/O: fed bytes and times, it answers with the next action (write before a deadline, read
// until a deadline, close). The Asio driver (pop3_server.cpp) performs one action at a time.
// Replies go out in writes of at most about max_combined_write octets: a long RETR is produced
// a piece at a time, and pipelined commands wait until what is already due has been written.
//
//   pop3_session s(maildrops, {"localhost", 10min});
//   action a = s.start(now);         // write the greeting
//   a = s.on_written(now);           // read, with the autologout deadline
//   a = s.on_read("USER bob\r\n", now);

#include "faults/action.hpp"
#include "mockserver/imap/mailbox_faults.hpp"
#include "mockserver/pop3/maildrop.hpp"
#include "mockserver/transport_error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mock::pop3 {

/// Send these bytes before the deadline.
struct write_action {
    std::string bytes;                              ///< responses, or a piece of a long one
    std::chrono::steady_clock::time_point deadline; ///< the client must have taken them by then
};
/// Read more input; when nothing arrives by the deadline, call on_timeout().
struct read_action {
    std::chrono::steady_clock::time_point deadline; ///< the autologout time
};
/// Close the connection; the session is over.
struct close_action {
    bool reset = false; ///< abort with RST instead of a FIN (a fault's `close: rst`)
};

/// What the driver does next.
using action = std::variant<write_action, read_action, close_action>;

/// Settings shared by every POP3 session.
struct session_config {
    /// The name in the greeting.
    std::string hostname = "localhost";
    /// RFC 1939 §3: the autologout timer, at least 10 minutes.
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
};

/// The body of a multi-line response (RFC 1939 §3) produced a piece at a time, so that a large
/// message is never copied whole: lines starting with '.' get one more, a final CRLF is added
/// when missing, and ".CRLF" ends it. `content` must outlive the stream.
class multiline_stream {
public:
    explicit multiline_stream(std::string_view content) noexcept
        : content_(content)
    {
    }

    /// Appends the next piece to `out`, stopping once `out` holds at least `limit` octets
    /// (or the response is complete). Returns whether it is complete.
    bool append_to(std::string& out, std::size_t limit);

private:
    std::string_view content_;
    std::size_t pos_ = 0;
    bool line_start_ = true;
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

    /// `maildrops` must outlive the session; so must `faults` when given: it is asked at phase
    /// verify when the connection opens (no command) and before every command (its verb).
    pop3_session(maildrop_source& maildrops, session_config config,
                 faults::session_decider* faults = nullptr);

    /// The greeting (RFC 1939 §4).
    action start(std::chrono::steady_clock::time_point now);
    /// The previous write completed.
    action on_written(std::chrono::steady_clock::time_point now);
    /// Bytes arrived.
    action on_read(std::string_view bytes, std::chrono::steady_clock::time_point now);
    /// The deadline of the last read or write passed (autologout: close without UPDATE).
    action on_timeout(std::chrono::steady_clock::time_point now);
    /// The last read or write failed, e.g. the client closed the connection: close without
    /// entering UPDATE (RFC 1939 §6), whatever the error.
    action on_io_error(transport_error error);
    /// The server is stopping: close without entering UPDATE (RFC 1939 §6: deletions apply
    /// only after the client's QUIT).
    action on_shutdown();

    /// The current state.
    state current_state() const noexcept { return state_; }
    /// The user given with USER, once accepted.
    const std::string& user() const noexcept { return user_; }

private:
    action next(std::chrono::steady_clock::time_point now);
    action write(std::string bytes, std::chrono::steady_clock::time_point now);
    std::string handle(std::string_view line, std::chrono::steady_clock::time_point now);
    imap::mailbox_fault decide(std::string_view verb, std::string_view arg,
                               std::chrono::steady_clock::time_point now);
    std::string carry_out(const imap::mailbox_fault& f, std::string_view verb);
    std::string authorization_command(std::string_view verb, std::string_view arg);
    std::string transaction_command(std::string_view verb, std::string_view arg);
    std::string listing(bool uidl, std::string_view arg) const;
    std::string update();
    std::string capabilities() const;
    std::optional<std::size_t> message_number(std::string_view arg) const;
    std::string drop_listing() const;

    maildrop_source& maildrops_;
    session_config config_;
    faults::session_decider* faults_;
    bool hung_ = false;  ///< a fault hangs the session: input is read and discarded
    bool reset_ = false; ///< the close that ends the session is an RST
    state state_ = state::authorization;
    std::string input_;
    bool discarding_ = false;
    std::string user_;
    bool have_user_ = false;
    std::vector<maildrop_entry> messages_;
    std::vector<bool> deleted_;
    bool close_after_write_ = false;
    std::optional<multiline_stream> body_; ///< a RETR or TOP response still being produced
};

/// A message as sent after "+OK" in RETR (RFC 1939 §3): a final CRLF added when missing, and
/// every line starting with '.' stuffed with one more '.', then the ".CRLF" terminator.
std::string multiline_body(std::string_view content);

/// The size a message has in POP3 listings: its octets, plus a final CRLF when missing.
std::uint64_t wire_size(std::string_view content) noexcept;

/// The headers, the blank line and the first `lines` lines of the body (RFC 1939 §7, TOP): a
/// prefix of `content`.
std::string_view top_of(std::string_view content, std::uint64_t lines);

} // namespace mock::pop3
