#pragma once

// The server side of one IMAP4rev1 session (RFC 3501) as a state machine with no I/O: fed
// bytes, I/O results and times, it answers with the next action (write, read until a
// deadline, run the TLS handshake, close). A driver performs one action at a time and makes no
// protocol decisions.
//
//   imap_session s(mailboxes, config);
//   action a = s.start(now);                // write the greeting
//   a = s.on_written(now);                  // read, with the autologout deadline
//   a = s.on_read("a1 LOGIN bob pw\r\n", now);
//
// Besides RFC 3501 it speaks LITERAL+ (RFC 7888), SASL-IR (RFC 4959), IDLE (RFC 2177),
// UIDPLUS (RFC 4315), MOVE (RFC 6851), UNSELECT (RFC 3691), CHILDREN (RFC 3348) and
// SPECIAL-USE (RFC 6154). Output is bounded: a response is handed out in chunks of at most
// session_config::max_write octets, produced one message at a time, and the next command is
// read only when the previous one's response is out.

#include "faults/action.hpp"
#include "mockserver/imap/command_reader.hpp"
#include "mockserver/imap/fetch_items.hpp"
#include "mockserver/imap/mailbox.hpp"
#include "mockserver/imap/mailbox_faults.hpp"
#include "mockserver/imap/response_queue.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mock::imap {

class arg_reader;

/// Send these bytes; when they are not all sent by the deadline, call on_timeout().
struct write_action {
    std::string bytes;                              ///< at most session_config::max_write
    std::chrono::steady_clock::time_point deadline; ///< when the write gives up
};
/// Read more input; when nothing arrives by the deadline, call on_timeout().
struct read_action {
    std::chrono::steady_clock::time_point deadline; ///< autologout, or an earlier wake-up
};
/// Run the server side of a TLS handshake (STARTTLS, or implicit TLS before the greeting),
/// then call on_tls_done(); when it is not over by the deadline, call on_timeout().
struct tls_action {
    std::chrono::steady_clock::time_point deadline; ///< when the handshake gives up
};
/// Close the connection; the session is over.
struct close_action {
    bool reset = false; ///< abort with RST instead of a FIN (a fault's `close: rst`)
};

/// What the driver does next.
using action = std::variant<write_action, read_action, tls_action, close_action>;

/// Settings shared by every IMAP session.
struct session_config {
    /// The name in the greeting and in BYE.
    std::string hostname = "localhost";
    /// RFC 3501 §5.4: the autologout timer, at least 30 minutes.
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(30)};
    /// How long one write may take (a client that stops reading is dropped).
    std::chrono::milliseconds write_timeout{std::chrono::minutes(5)};
    /// How long the TLS handshake may take.
    std::chrono::milliseconds handshake_timeout{std::chrono::seconds(30)};
    /// During IDLE the folder is read again this often, for news the driver was not told of.
    std::chrono::milliseconds idle_poll{std::chrono::seconds(2)};
    /// Whether STARTTLS can be offered (a TLS context exists).
    bool tls_available = false;
    /// RFC 3501 §6.2.3: refuse LOGIN and AUTHENTICATE PLAIN until TLS is active, and say so
    /// with LOGINDISABLED.
    bool login_requires_tls = false;
    /// What a client may send.
    input_limits limits;
    /// Octets per write_action.
    std::size_t max_write = 64 * 1024;
    /// Bad commands tolerated before the server says BYE and closes.
    std::size_t max_errors = 20;
};

/// One IMAP session.
class imap_session {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// The RFC 3501 §3 states.
    enum class state {
        not_authenticated, ///< before LOGIN or AUTHENTICATE succeeded
        authenticated,     ///< logged in, no folder selected
        selected,          ///< a folder is selected
        logout,            ///< the session is over
    };

    /// `mailboxes` must outlive the session; so must `faults` when given: it is asked at phase
    /// verify before the greeting (no command) and before every command (its name, "UID FETCH"
    /// for a UID command, with the rest of the line as the argument).
    imap_session(mailbox_source& mailboxes, session_config config,
                 faults::session_decider* faults = nullptr);

    /// The connection was accepted: the greeting, or first the handshake for implicit TLS.
    action start(time_point now, bool implicit_tls = false);
    /// The last write_action completed.
    action on_written(time_point now);
    /// Bytes arrived for the last read_action.
    action on_read(std::string_view bytes, time_point now);
    /// The last action's deadline passed: autologout (BYE) when reading, else close.
    action on_timeout(time_point now);
    /// The last tls_action finished.
    action on_tls_done(bool ok, time_point now);
    /// The peer closed or reset the connection.
    action on_peer_closed(time_point now);
    /// An I/O operation failed.
    action on_io_error(time_point now);
    /// The server is shutting down: BYE (RFC 3501 §7.1.5) and close.
    action on_shutdown(time_point now);
    /// The user's mailbox changed (new mail, another session's change). Call it while a
    /// read_action is outstanding, after cancelling that read: the result replaces it. At
    /// other times nothing is returned: every command's response already ends with the news.
    std::optional<action> on_mailbox_changed(time_point now);

    /// The current state.
    state current_state() const noexcept { return state_; }
    /// The user who logged in.
    const std::string& user() const noexcept { return user_; }
    /// Whether TLS is active.
    bool tls_active() const noexcept { return tls_; }
    /// Whether the session is over.
    bool finished() const noexcept { return state_ == state::logout && closed_; }

private:
    // What the session waits for, to interpret on_timeout().
    enum class waiting { nothing, write, read, tls };
    // How input is read: commands, an AUTHENTICATE response line, or IDLE's DONE.
    enum class input_mode { command, authenticate, idle };
    // What happens once the queued output is written.
    enum class then { read, start_tls, close };

    // One message of the selected folder as this session numbers it.
    struct view_entry {
        std::uint32_t uid = 0;
        std::shared_ptr<const captured_message> content;
        std::chrono::system_clock::time_point internal_date{};
        flag_set flags = 0;
        bool recent = false;
        bool expunged = false; // removed from the folder, not yet announced
    };

    // A FETCH whose responses are produced one message at a time.
    struct fetch_job {
        std::string tag;
        std::string name;
        fetch_request request;
        std::vector<std::size_t> messages; // view indices
        std::size_t next = 0;
        bool uid = false;
    };

    // Driving.
    action advance(time_point now);
    action write_next(time_point now);
    action read_next();
    action close_now();
    time_point autologout() const;
    bool read_input(time_point now);
    void on_reader_event(const reader_event& e, time_point now);
    void on_auth_line(const plain_line& line);
    void on_idle_line(const plain_line& line);
    void continue_fetch();
    bool fault_at(std::string_view tag, std::string_view command, time_point now);

    // Responses.
    void greet();
    void untagged(std::string_view text);
    void tagged(std::string_view tag, std::string_view status, std::string_view text);
    void bad(std::string_view tag, std::string_view text);
    void syntax_error(std::string_view tag, std::string_view name, const arg_reader& in);
    void bye(std::string_view text);
    void complete(std::string_view tag, std::string_view name, std::string_view code = {},
                  bool allow_expunge = true);
    std::string capability_list() const;
    bool login_disabled() const;

    // Commands (imap_commands.cpp, imap_folder_commands.cpp, imap_message_commands.cpp).
    void execute(std::string_view command, time_point now);
    void dispatch(const std::string& tag, const std::string& name, arg_reader& in, time_point now);
    void dispatch_message_command(const std::string& tag, const std::string& name, arg_reader& in,
                                  bool uid);
    bool allowed(const std::string& name) const;
    void cmd_capability(const std::string& tag, arg_reader& in);
    void cmd_noop(const std::string& tag, const std::string& name, arg_reader& in);
    void cmd_logout(const std::string& tag, arg_reader& in);
    void cmd_starttls(const std::string& tag, arg_reader& in);
    void cmd_login(const std::string& tag, arg_reader& in);
    void cmd_authenticate(const std::string& tag, arg_reader& in);
    void check_plain(const std::string& tag, std::string_view response);
    void logged_in(const std::string& tag, std::string user, std::string_view name);
    void cmd_select(const std::string& tag, const std::string& name, arg_reader& in);
    void cmd_list(const std::string& tag, const std::string& name, arg_reader& in);
    void cmd_status(const std::string& tag, arg_reader& in);
    void cmd_fixed_folders(const std::string& tag, const std::string& name, arg_reader& in);
    void cmd_idle(const std::string& tag, arg_reader& in, time_point now);
    void cmd_close(const std::string& tag, const std::string& name, arg_reader& in);
    void cmd_expunge(const std::string& tag, const std::string& name, arg_reader& in, bool uid);
    void cmd_search(const std::string& tag, const std::string& name, arg_reader& in, bool uid);
    void cmd_fetch(const std::string& tag, const std::string& name, arg_reader& in, bool uid);
    void cmd_store(const std::string& tag, const std::string& name, arg_reader& in, bool uid);
    void cmd_copy(const std::string& tag, const std::string& name, arg_reader& in, bool uid,
                  bool move);

    // The selected folder.
    void select(folder_id folder, bool read_only);
    void deselect();
    void sync(bool allow_expunge);
    std::optional<std::vector<std::size_t>>
    messages_of(const std::string& tag, const std::string& name, arg_reader& in, bool uid);
    void fetch_one(const fetch_job& job, std::size_t index);
    void fetch_section(const fetch_item& item, const view_entry& e);
    std::uint32_t largest_uid() const;
    std::chrono::milliseconds poll_interval() const;
    std::vector<std::uint32_t> uids_of(const std::vector<std::size_t>& messages) const;
    std::optional<std::size_t> index_of_uid(std::uint32_t uid) const;

    mailbox_source& mailboxes_;
    session_config config_;
    faults::session_decider* faults_;
    bool hung_ = false;  // a fault hangs the session: input is read and discarded
    bool reset_ = false; // the close that ends the session is an RST
    command_reader reader_;
    response_queue output_;

    state state_ = state::not_authenticated;
    bool closed_ = false;
    bool tls_ = false;
    bool greeted_ = false;
    std::string user_;
    waiting waiting_ = waiting::nothing;
    input_mode mode_ = input_mode::command;
    then then_ = then::read;
    std::string pending_tag_; // of AUTHENTICATE or IDLE while their lines are awaited
    std::size_t errors_ = 0;
    time_point last_input_{};
    std::optional<fetch_job> job_;

    // RFC 3501 §3.3: the selected state.
    folder_id folder_ = folder_id::inbox;
    bool read_only_ = false;
    std::uint32_t uid_validity_ = 0;
    std::uint32_t uid_next_ = 1;
    std::vector<view_entry> view_;
    std::size_t announced_exists_ = 0;
    std::size_t announced_recent_ = 0;
    std::optional<std::chrono::milliseconds> next_change_in_;
    time_point next_poll_{};
};

} // namespace mock::imap
