#include "mockserver/server_session.hpp"

#include "faults/reply_text.hpp"
#include "mockserver/reply_limits.hpp"
#include "mockserver/transcript_text.hpp"
#include "smtp/ascii.hpp"
#include "smtp/escape.hpp"
#include "smtp/limits.hpp"
#include "smtp/reply.hpp"

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

namespace mock {

namespace {

std::string_view to_string(faults::ending e)
{
    switch (e) {
    case faults::ending::proceed:
        return "proceed";
    case faults::ending::hang:
        return "hang";
    case faults::ending::close_fin:
        return "close fin";
    case faults::ending::close_rst:
        return "close rst";
    }
    return "proceed";
}

// A trickled write may take bytes / rate seconds on top of the idle timeout; bounded so that
// no rate, however small, overflows the clock.
std::chrono::steady_clock::duration trickle_time(std::size_t bytes, double rate)
{
    constexpr double longest = 365.0 * 24 * 3600;
    double seconds = rate > 0 ? static_cast<double>(bytes) / rate : longest;
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::min(seconds, longest)));
}

} // namespace

server_session::server_session(const session_config& config, session_record& record,
                               message_store& store, faults::session_decider* decider)
    : config_(config)
    , record_(record)
    , store_(store)
    , decider_(decider)
    // Command lines are judged by their own limit in process_line(); the framer allows the
    // longest line a command may have: AUTH with an initial response (RFC 4954 §4).
    , framer_(smtp::limits::auth_line)
{
}

bool server_session::in_transaction() const noexcept
{
    return mail_from_.has_value() || in_body_ || after_store_ != nullptr || stored_reply_owed_;
}

session_action server_session::start(time_point now, const connection_info& info)
{
    last_activity_ = now;
    implicit_tls_ = info.implicit_tls;
    if (config_.max_connections != 0 && info.active_connections > config_.max_connections) {
        // RFC 5321 §3.8: a server that cannot serve a connection says 421 and closes.
        record_.add("event", "refused: too many connections", now);
        send_and_close(
            smtp::make_reply(421, "4.7.0",
                             config_.hostname + " Too many connections, try again later"),
            session_outcome::refused);
        return next(now);
    }
    // A connect-phase fault acts before anything else: delay, RST or FIN right after accept.
    auto a = decide(smtp::phase::connect, {}, {}, now);
    if (!a.healthy()) {
        execute(a, response{}, now);
        if (stopped_) {
            return next(now);
        }
    }
    if (implicit_tls_) {
        begin_tls(now);
        return next(now);
    }
    respond(
        smtp::phase::banner, {}, {},
        [this] {
            return reply_only(
                smtp::make_reply(220, "", config_.hostname + " ESMTP smtp-mock ready"));
        },
        now);
    return next(now);
}

session_action server_session::on_written(time_point now)
{
    if (finished_) {
        return done_op{};
    }
    // The client took what was sent: the idle clock counts from here.
    last_activity_ = now;
    waiting_ = waiting::nothing;
    return next(now);
}

session_action server_session::on_slept(time_point now)
{
    if (finished_) {
        return done_op{};
    }
    last_activity_ = std::max(last_activity_, now);
    return next(now);
}

session_action server_session::on_read(std::string_view bytes, time_point now)
{
    if (finished_) {
        return done_op{};
    }
    last_activity_ = now;
    waiting_ = waiting::nothing;
    framer_.feed(bytes);
    return next(now);
}

void server_session::on_hang_input(std::string_view bytes, time_point now)
{
    if (finished_ || tls_hang_) {
        return; // a hung handshake receives TLS records, not lines
    }
    last_activity_ = now;
    framer_.feed(bytes);
    while (auto line = framer_.next()) {
        if (in_body_) {
            continue; // message content is never recorded line by line
        }
        if (line->too_long) {
            record_.add("C", "<line too long, discarded>", now);
        } else {
            record_command(line->text, now);
        }
    }
}

session_action server_session::on_timeout(time_point now)
{
    if (finished_) {
        return done_op{};
    }
    switch (std::exchange(waiting_, waiting::nothing)) {
    case waiting::read:
        // RFC 5321 §4.5.3.2.7: the server may give up on a client that sends no command.
        if (line_clock_ && now >= *line_clock_ + config_.command_timeout &&
            *line_clock_ + config_.command_timeout <= last_activity_ + config_.idle_timeout) {
            record_.add("event",
                        fmt::format("command timeout: no complete line within {}ms",
                                    config_.command_timeout.count()),
                        now);
            send_and_close(
                smtp::make_reply(421, "4.4.2", config_.hostname + " Command timeout, closing"),
                session_outcome::command_timeout);
        } else {
            record_.add("event", "idle timeout", now);
            send_and_close(
                smtp::make_reply(421, "4.4.2", config_.hostname + " Idle timeout, closing"),
                session_outcome::idle_timeout);
        }
        break;
    case waiting::write:
        // Nothing more can be said to a client that reads nothing: reset, do not wait on it.
        record_.add("event", "write timed out: the client reads nothing", now);
        close_now(true, session_outcome::idle_timeout, session_closer::server, now);
        break;
    case waiting::tls:
        record_.add("event", "TLS handshake timed out", now);
        close_now(false, session_outcome::tls_failed,
                  tls_fault_ ? session_closer::fault : session_closer::server, now);
        break;
    case waiting::nothing:
        record_.add("event", "a deadline passed while the server waited for nothing", now);
        close_now(false, session_outcome::error, session_closer::server, now);
        break;
    }
    return next(now);
}

session_action server_session::on_io_error(transport_error error, std::string_view what,
                                           time_point now)
{
    if (finished_) {
        return done_op{};
    }
    waiting_ = waiting::nothing;
    switch (error) {
    case transport_error::end_of_stream:
    case transport_error::truncated:
        record_.add("event", "connection closed by client", now);
        close_now(false, session_outcome::client_closed, session_closer::client, now);
        break;
    case transport_error::reset:
        record_.add("event", "connection reset by client", now);
        close_now(false, session_outcome::client_closed, session_closer::client, now);
        break;
    case transport_error::failed:
        record_.add("event", fmt::format("I/O error: {}", smtp::escape_bytes(what, 200)), now);
        close_now(false, session_outcome::error, session_closer::server, now);
        break;
    }
    return next(now);
}

session_action server_session::on_tls_done(bool ok, std::string_view version,
                                           std::string_view cipher, time_point now)
{
    if (finished_) {
        return done_op{};
    }
    waiting_ = waiting::nothing;
    last_activity_ = now;
    if (!ok) {
        record_.add("event",
                    fmt::format("TLS handshake failed: {}", smtp::escape_bytes(version, 200)), now);
        close_now(false, session_outcome::tls_failed,
                  tls_fault_ ? session_closer::fault : session_closer::server, now);
        return next(now);
    }
    tls_fault_ = false;
    record_.add("event", fmt::format("TLS established: {} {}", version, cipher), now);
    record_.set_tls(std::string(version), std::string(cipher));
    in_tls_ = true;
    if (implicit_tls_) {
        implicit_tls_ = false;
        respond(
            smtp::phase::banner, {}, {},
            [this] {
                return reply_only(
                    smtp::make_reply(220, "", config_.hostname + " ESMTP smtp-mock ready"));
            },
            now);
        return next(now);
    }
    // RFC 3207 §4.2: after the handshake the server forgets what the client told it,
    // including the EHLO; the client must greet again.
    greeted_ = false;
    reset_transaction();
    return next(now);
}

session_action server_session::on_stored(std::error_code error, std::string_view what,
                                         time_point now)
{
    if (finished_ || !after_store_) {
        return finished_ ? session_action{done_op{}} : next(now);
    }
    auto stored = std::move(*after_store_);
    after_store_.reset();
    std::string bytes = std::move(stored.bytes);
    if (!error) {
        record_.add_message(stored.id);
        stored_reply_owed_ = true;
    } else {
        // The message was not accepted: the client must not think it was.
        record_.add("event",
                    fmt::format("local error: message {} not stored: {}", stored.id,
                                smtp::escape_bytes(what, 400)),
                    now);
        bytes = store_failure_reply(error);
    }
    // RFC 5321 §4.1.1.4: the final dot ends the transaction, whatever the reply.
    reset_transaction();
    carry_out(stored.fault, std::move(bytes), true, response{}, now);
    return next(now);
}

std::string server_session::store_failure_reply(std::error_code error) const
{
    // A condition that retrying cannot cure is permanent (5xx); only a transient one is 4xx.
    if (error == std::errc::no_space_on_device ||
        (error.category() == std::generic_category() && error.value() == EDQUOT)) {
        // RFC 5321 §4.2.2: 452 insufficient system storage.
        return smtp::make_reply(452, "4.3.1", "Error: insufficient system storage");
    }
    if (error == std::errc::filename_too_long || error == std::errc::file_too_large ||
        error == std::errc::invalid_argument) {
        return smtp::make_reply(554, "5.3.0", "Error: the message cannot be stored here");
    }
    return smtp::make_reply(451, "4.3.0", "Error: local error in processing");
}

session_action server_session::on_shutdown(shutdown_kind kind, session_action pending,
                                           bool interrupted, time_point now)
{
    if (finished_) {
        return done_op{};
    }
    if (std::holds_alternative<done_op>(pending)) {
        return pending;
    }
    if (kind == shutdown_kind::immediate) {
        if (auto* c = std::get_if<close_op>(&pending)) {
            // Closing already: stop draining input.
            c->linger_until = std::min(c->linger_until, now);
            return pending;
        }
        record_.add("event", "server stopping now: closing", now);
        ending_.reset();
        close_now(false, session_outcome::server_stop, session_closer::server, now);
        return next(now);
    }
    if (!draining_) {
        record_.add("event",
                    in_transaction() ? "server shutting down: the transaction may finish"
                                     : "server shutting down",
                    now);
        draining_ = true;
    }
    return stop_gracefully(std::move(pending), interrupted, now);
}

session_action server_session::stop_gracefully(session_action pending, bool interrupted,
                                               time_point now)
{
    auto say_421 = [&] {
        queue_.clear();
        ending_.reset();
        // RFC 5321 §3.8: 421 when the server must shut down, then close.
        send_and_close(smtp::make_reply(421, "4.3.2", config_.hostname + " Service shutting down"),
                       session_outcome::server_stop);
        return next(now);
    };
    if (std::holds_alternative<read_op>(pending) || std::holds_alternative<sleep_op>(pending)) {
        // Nothing of a reply is half sent: a transaction may go on, anything else ends now.
        return in_transaction() ? pending : say_421();
    }
    if (std::holds_alternative<write_op>(pending) && !interrupted) {
        return pending; // whole replies go out; the session ends at its next wait for a command
    }
    if (std::holds_alternative<write_op>(pending) || std::holds_alternative<hang_op>(pending) ||
        std::holds_alternative<tls_op>(pending)) {
        // A reply cut short, a hang (which sends nothing) or a handshake: close without a word.
        ending_.reset();
        close_now(false, session_outcome::server_stop, session_closer::server, now);
        return next(now);
    }
    return pending; // store_op, close_op: they finish
}

session_action server_session::on_closed(time_point now)
{
    if (finished_) {
        return done_op{};
    }
    auto e = ending_.value_or(session_end{session_outcome::error, session_closer::server});
    record_.finish(e.outcome, e.closed_by, now);
    finished_ = true;
    queue_.clear();
    return done_op{};
}

void server_session::record_command(std::string_view line, time_point now)
{
    // An AUTH initial response carries credentials (RFC 4954 §4): keep the mechanism only.
    // The verb is AUTH when the line starts "AUTH " (any case): no parse of every command.
    if (line.size() > 5 && smtp::istarts_with(line, "AUTH ")) {
        auto space = line.find(' ', 5);
        if (space != std::string_view::npos) {
            record_.add("C", smtp::escape_bytes(line.substr(0, space)) + " <credentials hidden>",
                        now);
            return;
        }
    }
    record_.add_escaped("C", line, now);
}

bool server_session::can_combine() const noexcept
{
    // Pipelining (RFC 2920 §3.1): answer every command already received in one write, up to
    // a bound.
    if (queue_.size() != 1 || stopped_ || draining_ || in_body_ || auth_step_ != auth_step::none ||
        !framer_.has_line()) {
        return false;
    }
    const auto* w = std::get_if<write_op>(&queue_.front());
    return w != nullptr && !w->pace && w->bytes.size() < max_combined_write;
}

session_action server_session::next(time_point now)
{
    for (;;) {
        if (!queue_.empty()) {
            if (can_combine()) {
                process_line(now);
                continue;
            }
            return hand_out(queue_.pop_front(), now);
        }
        if (finished_) {
            return done_op{};
        }
        if (stopped_) {
            return on_closed(now); // a hang or close was handed out and the driver asks on
        }
        stored_reply_owed_ = false; // whatever was queued has been sent
        if (draining_ && !in_transaction()) {
            return stop_gracefully(read_op{read_deadline()}, false, now);
        }
        if (process_line(now)) {
            continue;
        }
        if (in_body_ && body_fault_) {
            check_body_fault(now);
            if (!queue_.empty()) {
                continue;
            }
        }
        if (!line_clock_) {
            line_clock_ = now; // the server starts waiting for a line
        }
        return hand_out(read_op{read_deadline()}, now);
    }
}

session_action server_session::hand_out(session_action a, time_point now)
{
    if (auto* write = std::get_if<write_op>(&a)) {
        for_each_line(write->bytes,
                      [&](std::string_view line) { record_.add_escaped("S", line, now); });
        write->deadline = write_deadline(*write, now);
        waiting_ = waiting::write;
    } else if (std::holds_alternative<read_op>(a)) {
        waiting_ = waiting::read;
    } else if (auto* tls = std::get_if<tls_op>(&a)) {
        record_.add("event", "TLS handshake starts", now);
        tls->deadline = now + std::min(config_.idle_timeout, config_.command_timeout);
        waiting_ = waiting::tls;
    } else if (auto* close = std::get_if<close_op>(&a)) {
        if (!ending_ || ending_->closed_by != session_closer::client) {
            record_.add("event",
                        close->reset ? "server reset the connection (RST)"
                                     : "server closed the connection (FIN)",
                        now);
        }
        if (close->linger_until == time_point{}) {
            close->linger_until = close->reset ? now : now + config_.close_linger;
        }
        waiting_ = waiting::nothing;
    } else if (std::holds_alternative<hang_op>(a)) {
        record_.add("event", "server hangs: sends nothing more", now);
        queue_.release(); // nothing more is sent, maybe for hours
        waiting_ = waiting::nothing;
    } else {
        waiting_ = waiting::nothing;
    }
    return a;
}

server_session::time_point server_session::read_deadline() const noexcept
{
    auto idle = last_activity_ + config_.idle_timeout;
    return line_clock_ ? std::min(idle, *line_clock_ + config_.command_timeout) : idle;
}

server_session::time_point server_session::write_deadline(const write_op& w,
                                                          time_point now) const noexcept
{
    auto deadline = now + config_.idle_timeout;
    if (w.pace) {
        deadline += trickle_time(w.bytes.size(), w.pace->bytes_per_second);
    }
    return deadline;
}

bool server_session::process_line(time_point now)
{
    auto line = framer_.next();
    if (!line) {
        return false;
    }
    line_clock_.reset();
    if (in_body_) {
        // Message content comes many lines a read: take them here while nothing else is due
        // (the final dot, a body fault at its byte count, and a fault waiting for one, stop it).
        process_body_line(*line, now);
        while (in_body_ && !body_fault_ && queue_.empty() && (line = framer_.next())) {
            process_body_line(*line, now);
        }
        return true;
    }
    if (line->too_long) {
        record_.add("C", "<line too long, discarded>", now);
        auth_step_ = auth_step::none; // an AUTH exchange does not survive an unreadable answer
        // RFC 5321 §4.5.3.1.4 and §4.2.2: 500 for a command line that is too long.
        execute({}, error_reply(500, "5.5.2", "Error: line too long"), now);
        return true;
    }
    if (line->ending == smtp::line_ending::bare_lf) {
        record_.add("C", smtp::escape_bytes(line->text) + " <bare LF>", now);
        // RFC 5321 §2.3.8: lines end with CRLF; a bare LF is not a line terminator.
        auto r = error_reply(500, "5.5.2", "Error: bare LF received; lines must end with CRLF");
        execute({}, std::move(r), now);
        return true;
    }
    if (auth_step_ != auth_step::none) {
        // RFC 4954 §4: a response to a challenge may be up to 12288 octets (the framer's limit).
        record_.add("C", "<AUTH response>", now);
        process_auth_line(line->text, now);
        return true;
    }
    // RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF; RFC 4954 §4
    // allows an AUTH command with an initial response up to 12288 (the framer's limit).
    if (line->text.size() + 2 > smtp::limits::command_line &&
        smtp::parse_command(line->text).cmd != smtp::verb::auth) {
        record_.add("C", "<line too long, discarded>", now);
        execute({}, error_reply(500, "5.5.2", "Error: line too long"), now);
        return true;
    }
    record_command(line->text, now);
    process_command(line->text, now);
    return true;
}

void server_session::check_body_fault(time_point now)
{
    if (!body_fault_ || body_fault_->healthy()) {
        return;
    }
    // Octets of content received: the lines already taken plus what waits in the framer, so
    // that the fault acts at its byte count even in the middle of a line.
    const std::uint64_t received = body_octets_ + framer_.buffered();
    if (received < body_fault_->after_bytes) {
        return;
    }
    auto a = std::move(*body_fault_);
    body_fault_.reset();
    record_.add("event", fmt::format("{} octets of message content received", received), now);
    execute(a, response{}, now);
}

void server_session::process_body_line(const smtp::framed_line& line, time_point now)
{
    if (line.too_long) {
        body_line_too_long_ = true;
        body_octets_ += framer_.limit();
        if (body_fault_) {
            check_body_fault(now);
        }
        return;
    }
    std::size_t ending = line.ending == smtp::line_ending::crlf ? 2 : 1;
    body_octets_ += line.text.size() + ending;
    // RFC 5321 §4.5.2: the content ends with a line holding a single ".", which must be
    // terminated by CRLF (a "." with a bare LF is content: see RFC 5321 §2.3.8).
    if (line.text == "." && line.ending == smtp::line_ending::crlf) {
        end_of_data(now);
        return;
    }
    std::string_view text = line.text;
    // RFC 5321 §4.5.2: a leading "." was added by the client (dot-stuffing); remove it.
    if (!text.empty() && text.front() == '.') {
        text.remove_prefix(1);
    }
    if (!over_size_ && config_.max_message_size != 0 &&
        body_.size() + text.size() + ending > config_.max_message_size) {
        // Over the limit: keep nothing more, answer 552 at the final dot (RFC 1870 §6).
        over_size_ = true;
        body_.clear();
        body_.shrink_to_fit();
    }
    if (!over_size_) {
        body_.append(text);
        body_.append(line.ending == smtp::line_ending::crlf ? "\r\n" : "\n");
    }
    if (body_fault_) {
        check_body_fault(now); // most messages have none: no call a line
    }
}

void server_session::end_of_data(time_point now)
{
    in_body_ = false;
    framer_.set_limit(smtp::limits::auth_line);
    fmt::memory_buffer note; // on the stack: no string made for a line of the record
    fmt::format_to(std::back_inserter(note), "<message content: {} octets>", body_.size());
    record_.add("C", std::string_view(note.data(), note.size()), now);
    record_.add("C", ".", now);
    body_fault_.reset();
    respond(
        smtp::phase::data_end, {}, {},
        [this] {
            response r;
            if (body_line_too_long_) {
                // RFC 5321 §4.5.3.1.6: text lines are at most 1000 octets including CRLF.
                r = error_reply(552, "5.3.4", "Error: message has a line over 1000 octets");
                r.effect = [this] {
                    reset_transaction();
                };
                return r;
            }
            if (over_size_) {
                // RFC 1870 §6: 552 when the message exceeds the fixed size limit.
                r = error_reply(552, "5.3.4", "Error: message exceeds fixed maximum message size");
                r.effect = [this] {
                    reset_transaction();
                };
                return r;
            }
            std::string id = store_.reserve_id();
            r.reply = smtp::make_reply(250, "2.0.0", "Ok: queued as " + id);
            r.store = true;
            r.message_id = std::move(id);
            return r;
        },
        now);
}

captured_message server_session::take_message(std::string id)
{
    captured_message m;
    m.id = std::move(id);
    m.session_id = record_.id();
    m.mail_from = mail_from_.value_or(""); // a copy: decisions until the reply name the sender
    // The transaction ends with this message (reset_transaction() in on_stored()): its
    // recipients move. The content is copied at its size, and the session keeps its buffer
    // for the next message, rather than regrowing it from nothing for each one.
    m.rcpt_to = std::move(rcpt_to_);
    rcpt_to_.clear();
    m.data = body_;
    body_.clear();
    if (body_.capacity() > kept_body_capacity) {
        body_.shrink_to_fit();
    }
    m.received_at = std::chrono::system_clock::now();
    m.tls = in_tls_;
    m.auth_user = seldom_ ? seldom_->auth_user : std::nullopt;
    return m;
}

faults::action server_session::decide(smtp::phase phase, std::string_view verb,
                                      std::string_view argument, time_point now)
{
    if (decider_ == nullptr) {
        return {};
    }
    const std::string_view sender = mail_from_ ? std::string_view(*mail_from_) : "";
    return decider_->decide({phase, verb, argument, sender}, now);
}

void server_session::respond(std::optional<smtp::phase> phase, std::string_view verb,
                             std::string_view argument, const std::function<response()>& build,
                             time_point now)
{
    faults::action a;
    if (phase) {
        record_.note_phase(*phase, now);
        a = decide(*phase, verb, argument, now);
        if (*phase == smtp::phase::ehlo || *phase == smtp::phase::helo) {
            if (seldom_ || !a.withhold.empty()) {
                seldom().withheld = a.withhold; // each greeting decides afresh
            }
        }
    }
    execute(a, build(), now);
}

namespace {

// What a rule sends, for a person: escaped, without the final CRLF.
std::string sent_text(std::string_view bytes)
{
    if (bytes.ends_with("\r\n")) {
        bytes.remove_suffix(2);
    }
    return smtp::escape_bytes(bytes, 200);
}

} // namespace

std::string server_session::sent_bytes(const faults::action& a) const
{
    return faults::expand_hostname(a.send.value_or(""), config_.hostname);
}

void server_session::record_fired(const faults::action& a, time_point now)
{
    if (!a.fired) {
        return;
    }
    const auto delay = a.delay.count() > 0 ? fmt::format("delay {}ms", a.delay.count()) : "";
    const auto trickle =
        a.trickle ? fmt::format("trickle {} B/s", a.trickle->bytes_per_second) : "";
    const auto then =
        a.end != faults::ending::proceed ? fmt::format("then {}", to_string(a.end)) : "";
    record_.add_fired(*a.fired,
                      fmt::format("{}{}{}{}", delay.empty() ? "" : delay + ", ",
                                  a.send ? "send " + sent_text(sent_bytes(a)) + ", " : "",
                                  trickle.empty() ? "" : trickle + ", ",
                                  then.empty() ? "then proceed" : then),
                      now);
    record_.add("event",
                fmt::format("fault rule {} fired at {}{}{}{}", a.fired->rule_id,
                            smtp::to_string(a.fired->at), delay.empty() ? "" : ": " + delay,
                            trickle.empty() ? "" : ", " + trickle, then.empty() ? "" : ", " + then),
                now);
}

void server_session::execute(const faults::action& a, response r, time_point now)
{
    record_fired(a, now);
    // Whether the command takes effect is the rule's `command`, by default the reply's class.
    const bool takes_effect = faults::command_takes_effect(a, r.reply);
    std::string bytes;
    if (a.send) {
        bytes = sent_bytes(a);
    } else if (a.end == faults::ending::proceed) {
        bytes = std::move(r.reply);
    }
    if (takes_effect && r.store) {
        // The message is stored first; what the fault does next follows once it is.
        after_store_ =
            std::make_unique<after_store>(after_store{a, std::move(bytes), r.message_id});
        auto message = std::make_shared<captured_message>(take_message(r.message_id));
        message->delivery = a.delivery;
        push(store_op{std::move(message)});
        return;
    }
    carry_out(a, std::move(bytes), takes_effect, r, now);
}

void server_session::carry_out(const faults::action& a, std::string bytes, bool takes_effect,
                               const response& r, time_point now)
{
    if (a.delay.count() > 0) {
        push(sleep_op{now + a.delay});
    }
    if (takes_effect && r.effect) {
        r.effect();
    }
    if (!bytes.empty()) {
        push_write(std::move(bytes), a.trickle);
    }
    switch (a.end) {
    case faults::ending::proceed:
        break;
    case faults::ending::hang:
        // Who ends a hang, and how, is known only when the connection ends.
        push(hang_op{});
        stopped_ = true;
        return;
    case faults::ending::close_fin:
    case faults::ending::close_rst:
        push(close_op{a.end == faults::ending::close_rst, {}});
        stopped_ = true;
        end(session_outcome::fault_closed, session_closer::fault);
        return;
    }
    if (!takes_effect) {
        return;
    }
    if (r.error && ++errors_ >= config_.max_errors) {
        record_.add("event", fmt::format("{} bad commands: too many errors", errors_), now);
        send_and_close(smtp::make_reply(421, "4.7.0", config_.hostname + " Error: too many errors"),
                       session_outcome::too_many_errors);
        return;
    }
    if (r.close_after) {
        push(close_op{false, {}});
        stopped_ = true;
        end(session_outcome::quit, session_closer::server);
        return;
    }
    if (r.start_tls) {
        begin_tls(now);
        return;
    }
    if (in_body_) {
        // A body fault with no byte count acts right after the 354.
        check_body_fault(now);
    }
}

void server_session::push(session_action a)
{
    queue_.push_back(std::move(a));
}

void server_session::push_write(std::string bytes, std::optional<faults::pace> pace)
{
    if (!pace && !queue_.empty()) {
        if (auto* w = std::get_if<write_op>(&queue_.back()); w && !w->pace) {
            w->bytes += bytes;
            return;
        }
    }
    push(write_op{std::move(bytes), pace, {}});
}

void server_session::send_and_close(std::string reply, session_outcome outcome)
{
    push_write(std::move(reply), std::nullopt);
    push(close_op{false, {}});
    stopped_ = true;
    end(outcome, session_closer::server);
}

void server_session::close_now(bool reset, session_outcome outcome, session_closer closed_by,
                               time_point now)
{
    queue_.clear();
    push(close_op{reset, now});
    stopped_ = true;
    end(outcome, closed_by);
}

void server_session::begin_tls(time_point now)
{
    auto a = decide(smtp::phase::tls, {}, {}, now);
    if (!a.healthy()) {
        // Delay, raw bytes and endings apply as elsewhere; a TLS fault shapes the handshake.
        faults::action outer = a;
        outer.tls.reset();
        execute(outer, response{}, now);
        if (stopped_) {
            return;
        }
    }
    // RFC 3207 §4.2: whatever the client sent after STARTTLS in plaintext is discarded.
    framer_.discard_buffered();
    line_clock_.reset();
    if (a.tls && a.tls->handshake == faults::tls_fault::handshake_mode::hang) {
        record_.add("event", "TLS handshake hangs: the ClientHello is never answered", now);
        tls_hang_ = true;
        push(hang_op{});
        stopped_ = true;
        return;
    }
    tls_fault_ = a.tls.has_value();
    push(tls_op{a.tls, {}});
}

void server_session::end(session_outcome outcome, session_closer closed_by)
{
    if (!ending_) {
        ending_ = session_end{outcome, closed_by};
    }
}

bool server_session::withheld(std::string_view extension) const
{
    return seldom_ && std::find(seldom_->withheld.begin(), seldom_->withheld.end(), extension) !=
                          seldom_->withheld.end();
}

server_session::seldom_state& server_session::seldom()
{
    if (!seldom_) {
        seldom_ = std::make_unique<seldom_state>();
    }
    return *seldom_;
}

void server_session::reset_transaction()
{
    mail_from_.reset();
    rcpt_to_.clear();
    body_.clear();
    body_octets_ = 0;
    body_line_too_long_ = false;
    over_size_ = false;
    body_fault_.reset();
}

} // namespace mock
