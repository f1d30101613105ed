#pragma once

#include "faults/action.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/session_action.hpp"
#include "mockserver/session_config.hpp"
#include "mockserver/session_record.hpp"
#include "smtp/command.hpp"
#include "smtp/line_framer.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock {

/// The server side of one SMTP session, as a state machine with no I/O (STYLE.md §1).
///
/// The driver reports what happened (accepted, bytes read, write finished, timer fired, TLS
/// done, peer gone) with the current time; the session answers with the one operation to do
/// next. It implements RFC 5321 (with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES,
/// SMTPUTF8), STARTTLS (RFC 3207) and AUTH PLAIN/LOGIN (RFC 4954). At every phase it asks the
/// fault decider what to do, and carries the answer out: a delay, a different reply or raw
/// bytes, a trickle, a hang or a close.
class server_session {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// `decider` may be null: a healthy server.
    server_session(const session_config& config, session_record& record, message_store& store,
                   faults::session_decider* decider);

    /// The connection was accepted. `implicit_tls`: handshake before the banner.
    session_action start(time_point now, bool implicit_tls = false);
    /// The connection was accepted beyond --max-connections: 421 and close.
    session_action refuse(time_point now);
    /// The last write_op finished.
    session_action on_written(time_point now);
    /// The last sleep_op finished.
    session_action on_slept(time_point now);
    /// Bytes arrived for the last read_op.
    session_action on_read(std::string_view bytes, time_point now);
    /// The read_op deadline passed with nothing read.
    session_action on_read_timeout(time_point now);
    /// The peer closed (FIN) or reset the connection, or the hang ended.
    session_action on_peer_closed(bool reset, time_point now);
    /// An I/O operation failed.
    session_action on_io_error(std::string_view what, time_point now);
    /// The tls_op finished. `detail`: protocol version and cipher, or why it failed.
    session_action on_tls_done(bool ok, std::string_view version, std::string_view cipher,
                               time_point now);
    /// The server is shutting down: 421 and close.
    session_action on_shutdown(time_point now);

    /// Whether the session is over.
    bool finished() const noexcept { return finished_; }

private:
    /// A normal reply and what follows from it once it is sent.
    struct response {
        std::string reply;                  ///< wire bytes of the normal reply
        std::function<void()> effect;       ///< state change when the command takes effect
        bool close_after = false;           ///< close (FIN) once the reply is sent
        bool start_tls = false;             ///< start the TLS handshake once the reply is sent
        bool error = false;                 ///< counts towards max_errors
    };

    session_action next(time_point now);
    static std::string transcript_text_of_command(std::string_view line);
    void process_line(time_point now);
    void process_command(std::string_view line, time_point now);
    void process_body_line(const smtp::framed_line& line, time_point now);
    void process_auth_line(std::string_view line, time_point now);
    void end_of_data(time_point now);
    void check_body_fault(time_point now);

    // Asks the decider for this point and carries out the normal response and the fault.
    void respond(std::optional<smtp::phase> phase, std::string_view verb, std::string_view argument,
                 const std::function<response()>& build, time_point now);
    void execute(const faults::action& a, response r, time_point now);
    faults::action decide(smtp::phase phase, std::string_view verb, std::string_view argument,
                          time_point now);
    void push(session_action a);
    void push_write(std::string bytes, std::optional<faults::pace> pace);
    void send_and_close(std::string reply, session_outcome outcome);
    void begin_tls(time_point now);
    void finish(session_outcome outcome);
    void reset_transaction();

    // The RFC 5321 command semantics (session_commands.cpp).
    response on_helo(const smtp::command& c, bool extended);
    response on_mail(const smtp::command& c);
    response on_rcpt(const smtp::command& c);
    response on_data(const smtp::command& c);
    response on_rset(const smtp::command& c);
    response on_noop(const smtp::command& c);
    response on_vrfy(const smtp::command& c);
    response on_quit(const smtp::command& c);
    response on_starttls(const smtp::command& c);
    response on_auth(const smtp::command& c);
    response on_help(const smtp::command& c);
    response check_plain(std::string_view encoded);
    response auth_result(std::string_view user, std::string_view password);
    std::string ehlo_reply(std::string_view client) const;
    bool auth_offered() const noexcept;
    response error_reply(int code, std::string_view enhanced, std::string_view text);
    static response reply_only(std::string wire);

    const session_config& config_;
    session_record& record_;
    message_store& store_;
    faults::session_decider* decider_;

    smtp::line_framer framer_;
    std::deque<session_action> queue_;
    time_point last_activity_{};
    bool finished_ = false;
    bool stopped_ = false; ///< a hang or close is queued: read no more commands
    bool implicit_tls_ = false;
    session_outcome outcome_ = session_outcome::active;
    std::size_t errors_ = 0;

    // RFC 5321 §4.1.4 session state.
    bool greeted_ = false;
    bool in_tls_ = false;
    std::optional<std::string> auth_user_;
    std::optional<std::string> mail_from_;
    std::vector<std::string> rcpt_to_;

    // AUTH exchange in progress (RFC 4954 §4).
    enum class auth_step { none, plain_response, login_user, login_password };
    auth_step auth_step_ = auth_step::none;
    std::string auth_login_user_;

    // DATA (RFC 5321 §4.5.2): content being received.
    bool in_body_ = false;
    std::string body_;
    std::uint64_t body_octets_ = 0; ///< octets received on the wire since 354
    bool body_line_too_long_ = false;
    bool over_size_ = false; ///< content passed max_message_size; only counted from then on
    std::optional<faults::action> body_fault_;
};

} // namespace mock
