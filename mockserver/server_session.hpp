#pragma once

#include "faults/action.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/session_action.hpp"
#include "mockserver/session_config.hpp"
#include "mockserver/session_record.hpp"
#include "mockserver/transport_error.hpp"
#include "smtp/command.hpp"
#include "smtp/line_framer.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace mock {

/// The server side of one SMTP session, as a state machine with no I/O.
///
/// The driver reports what happened (accepted, bytes read, write finished, deadline passed,
/// timer fired, TLS done, message stored, I/O failed, server stopping, connection closed) with
/// the current time; the session answers with the one operation to do next, with its deadline.
/// It implements RFC 5321 (with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8),
/// STARTTLS (RFC 3207) and AUTH PLAIN/LOGIN (RFC 4954). At every phase it asks the fault
/// decider what to do, and carries the answer out: a delay, a different reply or raw bytes, a
/// trickle, a hang or a close. It also makes every policy decision a driver might be tempted
/// to make: the connection limit, which I/O errors mean the client went away, what a timeout
/// means, what a server stop does to this session. The record it keeps is final only once the
/// connection has ended (on_closed()).
class server_session {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// `decider` may be null: a healthy server.
    server_session(const session_config& config, session_record& record, message_store& store,
                   faults::session_decider* decider);

    /// The connection was accepted.
    session_action start(time_point now, const connection_info& info = {});
    /// The last write_op finished.
    session_action on_written(time_point now);
    /// The last sleep_op finished.
    session_action on_slept(time_point now);
    /// Bytes arrived for the last read_op.
    session_action on_read(std::string_view bytes, time_point now);
    /// Bytes arrived while the server hangs (a hang_op): they are answered by nothing, but
    /// each complete command line is recorded with its time (message content is not).
    void on_hang_input(std::string_view bytes, time_point now);
    /// The deadline of the last read_op, write_op or tls_op passed first.
    session_action on_timeout(time_point now);
    /// The last read, write or handshake failed; `what` describes it for the transcript.
    session_action on_io_error(transport_error error, std::string_view what, time_point now);
    /// The tls_op finished. On failure `version` says why.
    session_action on_tls_done(bool ok, std::string_view version, std::string_view cipher,
                               time_point now);
    /// The store_op finished: `error` is empty when the message is stored, else it says why
    /// not (`what` for the transcript).
    session_action on_stored(std::error_code error, std::string_view what, time_point now);
    /// The server is stopping. `pending` is the action the driver was about to do, or was doing
    /// when it was woken (`interrupted`: partly done, e.g. some bytes of a write went out).
    session_action on_shutdown(shutdown_kind kind, session_action pending, bool interrupted,
                               time_point now);
    /// The close_op finished: the connection has ended. Makes the record final.
    session_action on_closed(time_point now);

    /// Whether the session is over (done_op was returned).
    bool finished() const noexcept { return finished_; }
    /// Whether a mail transaction is in progress (RFC 5321 §3.3): MAIL accepted and not yet
    /// ended, message content arriving or being stored, or the reply to a stored message owed.
    bool in_transaction() const noexcept;

private:
    /// A normal reply and what follows from it once it is sent.
    struct response {
        std::string reply;            ///< wire bytes of the normal reply
        std::function<void()> effect; ///< state change when the command takes effect
        bool close_after = false;     ///< close (FIN) once the reply is sent
        bool start_tls = false;       ///< start the TLS handshake once the reply is sent
        bool error = false;           ///< counts towards max_errors
        bool store = false;           ///< the message must be stored before the reply
        std::string message_id;       ///< with `store`: the id reserved for it
    };
    /// What execute() still has to do once the message is stored.
    struct after_store {
        faults::action fault; ///< the fault decided for the final dot
        std::string bytes;    ///< the reply to send when the store succeeds
        std::string id;       ///< the message id
    };
    /// How the connection will have ended, decided when its close is queued.
    struct session_end {
        session_outcome outcome;
        session_closer closed_by;
    };
    /// The actions decided and not yet handed out, oldest first: a vector used as a queue. It
    /// holds a few actions at most and allocates only once used (a held session costs little).
    class action_queue {
    public:
        bool empty() const noexcept { return head_ == items_.size(); }
        std::size_t size() const noexcept { return items_.size() - head_; }
        session_action& front() noexcept { return items_[head_]; }
        const session_action& front() const noexcept { return items_[head_]; }
        session_action& back() noexcept { return items_.back(); }
        void push_back(session_action a) { items_.push_back(std::move(a)); }
        session_action pop_front()
        {
            session_action a = std::move(items_[head_++]);
            if (empty()) {
                clear();
            }
            return a;
        }
        void clear() noexcept
        {
            items_.clear();
            head_ = 0;
        }
        /// Gives the memory of an empty queue back (a session that hangs keeps none).
        void release() noexcept
        {
            if (empty()) {
                std::vector<session_action>().swap(items_);
                head_ = 0;
            }
        }

    private:
        std::vector<session_action> items_;
        std::size_t head_ = 0;
    };
    /// The kind of the last action handed out, to know what a timeout was for.
    enum class waiting { nothing, read, write, tls };

    session_action next(time_point now);
    session_action hand_out(session_action a, time_point now);
    bool can_combine() const noexcept;
    // Records a command line in the transcript (an AUTH initial response hidden).
    void record_command(std::string_view line, time_point now);
    // Takes the next complete line, if any, and acts on it; returns whether there was one.
    bool process_line(time_point now);
    void process_command(std::string_view line, time_point now);
    void process_body_line(const smtp::framed_line& line, time_point now);
    void process_auth_line(std::string_view line, time_point now);
    void end_of_data(time_point now);
    void check_body_fault(time_point now);
    time_point read_deadline() const noexcept;
    time_point write_deadline(const write_op& w, time_point now) const noexcept;

    // Asks the decider for this point and carries out the normal response and the fault.
    void respond(std::optional<smtp::phase> phase, std::string_view verb, std::string_view argument,
                 const std::function<response()>& build, time_point now);
    void execute(const faults::action& a, response r, time_point now);
    void carry_out(const faults::action& a, std::string bytes, bool takes_effect, const response& r,
                   time_point now);
    void record_fired(const faults::action& a, time_point now);
    // What a rule sends, with {hostname} as the banner's name (faults/reply_text.hpp).
    std::string sent_bytes(const faults::action& a) const;
    faults::action decide(smtp::phase phase, std::string_view verb, std::string_view argument,
                          time_point now);
    captured_message take_message(std::string id);
    std::string store_failure_reply(std::error_code error) const;
    void push(session_action a);
    void push_write(std::string bytes, std::optional<faults::pace> pace);
    void send_and_close(std::string reply, session_outcome outcome);
    void close_now(bool reset, session_outcome outcome, session_closer closed_by, time_point now);
    void begin_tls(time_point now);
    void end(session_outcome outcome, session_closer closed_by);
    void reset_transaction();
    session_action stop_gracefully(session_action pending, bool interrupted, time_point now);

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
    action_queue queue_;
    time_point last_activity_{};
    std::optional<time_point> line_clock_; ///< since when the server waits for the next line
    waiting waiting_ = waiting::nothing;
    bool finished_ = false;
    bool stopped_ = false;  ///< a hang or close is queued: read no more commands
    bool draining_ = false; ///< the server is stopping: end once no transaction is in progress
    bool implicit_tls_ = false;
    bool tls_fault_ = false; ///< the handshake in progress was shaped by a fault
    bool tls_hang_ = false;  ///< a fault hangs the TLS handshake: what arrives is not lines
    std::optional<session_end> ending_;
    std::unique_ptr<after_store> after_store_; ///< while a store_op is out (rare: not inline)
    bool stored_reply_owed_ = false;           ///< a message is stored; its reply not yet sent
    std::size_t errors_ = 0;

    // RFC 5321 §4.1.4 session state.
    bool greeted_ = false;
    bool in_tls_ = false;
    bool withheld(std::string_view extension) const;
    std::optional<std::string> mail_from_;
    std::vector<std::string> rcpt_to_;

    // AUTH exchange in progress (RFC 4954 §4).
    enum class auth_step { none, plain_response, login_user, login_password };
    auth_step auth_step_ = auth_step::none;

    /// What only some sessions use: AUTH, or a greeting fault that leaves extensions out. Not
    /// inline: a session that never needs it (one held at its banner) carries a pointer.
    struct seldom_state {
        /// Extensions the fault at the last EHLO or HELO left out (do.ehlo_switches).
        std::vector<std::string> withheld;
        std::optional<std::string> auth_user; ///< the authenticated user (RFC 4954)
        std::string auth_login_user;          ///< AUTH LOGIN: the user, while the password is due
    };
    std::unique_ptr<seldom_state> seldom_; ///< made by seldom() on first use
    seldom_state& seldom();
    bool authenticated() const noexcept { return seldom_ && seldom_->auth_user; }

    // DATA (RFC 5321 §4.5.2): content being received.
    bool in_body_ = false;
    /// Room made for the content at DATA: a typical message fits without regrowing.
    static constexpr std::size_t initial_body_capacity = 4 * 1024;
    /// The content buffer is kept from message to message, unless it grew past this (a big
    /// message): then it is given back once its message is stored.
    static constexpr std::size_t kept_body_capacity = 64 * 1024;
    std::string body_;
    std::uint64_t body_octets_ = 0; ///< octets received on the wire since 354
    bool body_line_too_long_ = false;
    bool over_size_ = false; ///< content passed max_message_size; only counted from then on
    /// The fault decided for the content, while it waits for its byte count; null when none
    /// (not inline: a held session would carry it for nothing).
    std::unique_ptr<faults::action> body_fault_;
};

} // namespace mock
