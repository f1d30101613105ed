#include "mockserver/server_session.hpp"

#include "mockserver/transcript_text.hpp"
#include "smtp/escape.hpp"
#include "smtp/limits.hpp"
#include "smtp/reply.hpp"

#include <fmt/format.h>

namespace mock {

namespace {

// Replies above this size stop the coalescing of pipelined answers into one write.
constexpr std::size_t max_coalesced_write = 64 * 1024;

std::string_view to_string(faults::ending e)
{
    switch (e) {
    case faults::ending::proceed: return "proceed";
    case faults::ending::hang: return "hang";
    case faults::ending::close_fin: return "close fin";
    case faults::ending::close_rst: return "close rst";
    }
    return "proceed";
}

} // namespace

server_session::server_session(const session_config& config, session_record& record,
                               message_store& store, faults::session_decider* decider)
    : config_(config)
    , record_(record)
    , store_(store)
    , decider_(decider)
    , framer_(smtp::limits::command_line)
{
}

session_action server_session::start(time_point now, bool implicit_tls)
{
    last_activity_ = now;
    implicit_tls_ = implicit_tls;
    // A connect-phase fault acts before anything else: delay, RST or FIN right after accept.
    auto a = decide(smtp::phase::connect, {}, {}, now);
    if (!a.healthy()) {
        execute(a, response{}, now);
        if (stopped_) {
            return next(now);
        }
    }
    if (implicit_tls) {
        begin_tls(now);
        return next(now);
    }
    respond(smtp::phase::banner, {}, {}, [this] {
        return reply_only(smtp::make_reply(220, "", config_.hostname + " ESMTP smtp-mock ready"));
    }, now);
    return next(now);
}

session_action server_session::refuse(time_point now)
{
    last_activity_ = now;
    record_.add("event", "refused: too many connections", now);
    send_and_close(smtp::make_reply(421, "4.7.0",
                                    config_.hostname + " Too many connections, try again later"),
                   session_outcome::refused);
    return next(now);
}

session_action server_session::on_written(time_point now)
{
    return next(now);
}

session_action server_session::on_slept(time_point now)
{
    return next(now);
}

session_action server_session::on_read(std::string_view bytes, time_point now)
{
    last_activity_ = now;
    framer_.feed(bytes);
    return next(now);
}

session_action server_session::on_read_timeout(time_point now)
{
    record_.add("event", "idle timeout", now);
    send_and_close(smtp::make_reply(421, "4.4.2", config_.hostname + " Idle timeout, closing"),
                   session_outcome::idle_timeout);
    return next(now);
}

session_action server_session::on_peer_closed(bool reset, time_point now)
{
    record_.add("event", reset ? "connection reset by client" : "connection closed by client", now);
    if (outcome_ == session_outcome::active) {
        finish(session_outcome::client_closed);
    }
    finished_ = true;
    return done_op{};
}

session_action server_session::on_io_error(std::string_view what, time_point now)
{
    record_.add("event", fmt::format("I/O error: {}", what), now);
    finish(session_outcome::error);
    finished_ = true;
    return done_op{};
}

session_action server_session::on_tls_done(bool ok, std::string_view version,
                                           std::string_view cipher, time_point now)
{
    last_activity_ = now;
    if (!ok) {
        record_.add("event", fmt::format("TLS handshake failed: {}", version), now);
        finish(session_outcome::tls_failed);
        finished_ = true;
        return done_op{};
    }
    record_.add("event", fmt::format("TLS established: {} {}", version, cipher), now);
    record_.set_tls(std::string(version), std::string(cipher));
    in_tls_ = true;
    if (implicit_tls_) {
        implicit_tls_ = false;
        respond(smtp::phase::banner, {}, {}, [this] {
            return reply_only(smtp::make_reply(220, "", config_.hostname + " ESMTP smtp-mock ready"));
        }, now);
        return next(now);
    }
    // RFC 3207 §4.2: after the handshake the server forgets what the client told it,
    // including the EHLO; the client must greet again.
    greeted_ = false;
    reset_transaction();
    return next(now);
}

session_action server_session::on_shutdown(time_point now)
{
    record_.add("event", "server shutting down", now);
    queue_.clear();
    stopped_ = false;
    send_and_close(smtp::make_reply(421, "4.3.2", config_.hostname + " Service shutting down"),
                   session_outcome::server_stop);
    return next(now);
}

std::string server_session::transcript_text_of_command(std::string_view line)
{
    // An AUTH initial response carries credentials (RFC 4954 §4): keep the mechanism only.
    if (line.size() > 5 && smtp::parse_command(line).cmd == smtp::verb::auth) {
        auto space = line.find(' ', 5);
        if (space != std::string_view::npos) {
            return smtp::escape_bytes(line.substr(0, space)) + " <credentials hidden>";
        }
    }
    return smtp::escape_bytes(line);
}

session_action server_session::next(time_point now)
{
    for (;;) {
        if (!queue_.empty()) {
            // Pipelining (RFC 2920 §3.1): answer every command already received in one write.
            auto* w = std::get_if<write_op>(&queue_.front());
            if (queue_.size() == 1 && w != nullptr && !w->pace && !stopped_ &&
                !in_body_ && auth_step_ == auth_step::none && framer_.has_line() &&
                w->bytes.size() < max_coalesced_write) {
                process_line(now);
                continue;
            }
            session_action a = std::move(queue_.front());
            queue_.pop_front();
            if (auto* write = std::get_if<write_op>(&a)) {
                for_each_line(write->bytes, [&](std::string_view line) {
                    record_.add("S", smtp::escape_bytes(line), now);
                });
            } else if (auto* close = std::get_if<close_op>(&a)) {
                record_.add("event", close->reset ? "server reset the connection (RST)"
                                                  : "server closed the connection (FIN)",
                            now);
                finished_ = true;
            } else if (std::holds_alternative<hang_op>(a)) {
                record_.add("event", "server hangs: sends nothing more", now);
            } else if (std::holds_alternative<tls_op>(a)) {
                record_.add("event", "TLS handshake starts", now);
            }
            return a;
        }
        if (finished_ || stopped_) {
            finished_ = true;
            return done_op{};
        }
        if (framer_.has_line()) {
            process_line(now);
            continue;
        }
        if (in_body_ && body_fault_) {
            check_body_fault(now);
            if (!queue_.empty()) {
                continue;
            }
        }
        return read_op{last_activity_ + config_.idle_timeout};
    }
}

void server_session::process_line(time_point now)
{
    auto line = framer_.next();
    if (!line) {
        return;
    }
    if (in_body_) {
        process_body_line(*line, now);
        return;
    }
    if (line->too_long) {
        record_.add("C", "<line too long, discarded>", now);
        // RFC 5321 §4.5.3.1.4 and §4.2.2: 500 for a command line that is too long.
        auto r = error_reply(500, "5.5.2", "Error: line too long");
        execute({}, std::move(r), now);
        return;
    }
    if (line->ending == smtp::line_ending::bare_lf) {
        record_.add("C", smtp::escape_bytes(line->text) + " <bare LF>", now);
        // RFC 5321 §2.3.8: lines end with CRLF; a bare LF is not a line terminator.
        auto r = error_reply(500, "5.5.2", "Error: bare LF received; lines must end with CRLF");
        execute({}, std::move(r), now);
        return;
    }
    if (auth_step_ != auth_step::none) {
        record_.add("C", "<AUTH response>", now);
        process_auth_line(line->text, now);
        return;
    }
    record_.add("C", transcript_text_of_command(line->text), now);
    process_command(line->text, now);
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
        check_body_fault(now);
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
    check_body_fault(now);
}

void server_session::end_of_data(time_point now)
{
    in_body_ = false;
    framer_.set_limit(smtp::limits::command_line);
    record_.add("C", fmt::format("<message content: {} octets>", body_.size()), now);
    record_.add("C", ".", now);
    body_fault_.reset();
    respond(smtp::phase::data_end, {}, {}, [this] {
        response r;
        if (body_line_too_long_) {
            // RFC 5321 §4.5.3.1.6: text lines are at most 1000 octets including CRLF.
            r = error_reply(552, "5.3.4", "Error: message has a line over 1000 octets");
            r.effect = [this] { reset_transaction(); };
            return r;
        }
        if (over_size_) {
            // RFC 1870 §6: 552 when the message exceeds the fixed size limit.
            r = error_reply(552, "5.3.4", "Error: message exceeds fixed maximum message size");
            r.effect = [this] { reset_transaction(); };
            return r;
        }
        std::string id = store_.reserve_id();
        r.reply = smtp::make_reply(250, "2.0.0", "Ok: queued as " + id);
        r.effect = [this, id] {
            captured_message m;
            m.id = id;
            m.session_id = record_.id();
            m.mail_from = mail_from_.value_or("");
            m.rcpt_to = rcpt_to_;
            m.data = std::move(body_);
            m.received_at = std::chrono::system_clock::now();
            m.tls = in_tls_;
            m.auth_user = auth_user_;
            store_.add(std::move(m));
            record_.add_message(id);
            reset_transaction();
        };
        return r;
    }, now);
}

faults::action server_session::decide(smtp::phase phase, std::string_view verb,
                                      std::string_view argument, time_point now)
{
    if (decider_ == nullptr) {
        return {};
    }
    return decider_->decide({phase, verb, argument}, now);
}

void server_session::respond(std::optional<smtp::phase> phase, std::string_view verb,
                             std::string_view argument, const std::function<response()>& build,
                             time_point now)
{
    faults::action a;
    if (phase) {
        a = decide(*phase, verb, argument, now);
    }
    execute(a, build(), now);
}

void server_session::execute(const faults::action& a, response r, time_point now)
{
    if (a.fired) {
        record_.add_fired(*a.fired);
        record_.add("event",
                    fmt::format("fault rule {} fired at {}{}{}{}", a.fired->rule_id,
                                smtp::to_string(a.fired->at),
                                a.delay.count() > 0 ? fmt::format(": delay {}ms", a.delay.count())
                                                    : "",
                                a.trickle ? fmt::format(", trickle {} B/s",
                                                        a.trickle->bytes_per_second)
                                          : "",
                                a.end != faults::ending::proceed
                                    ? fmt::format(", then {}", to_string(a.end))
                                    : ""),
                    now);
    }
    if (a.delay.count() > 0) {
        push(sleep_op{a.delay});
    }
    // Whether the command takes effect is the rule's `command`, by default the reply's class.
    const bool takes_effect = faults::command_takes_effect(a, r.reply);
    std::string bytes;
    if (a.send) {
        bytes = *a.send;
    } else if (a.end == faults::ending::proceed) {
        bytes = std::move(r.reply);
    }
    if (takes_effect && r.effect) {
        try {
            r.effect();
        } catch (const std::exception& e) {
            // The command could not be carried out (e.g. the store could not write the
            // message): say so with a transient error rather than accept and lose it.
            record_.add("event", fmt::format("local error: {}", e.what()), now);
            bytes = smtp::make_reply(451, "4.3.0", "Error: local error in processing");
            r.close_after = false;
        }
    }
    if (!bytes.empty()) {
        push_write(std::move(bytes), a.trickle);
    }
    switch (a.end) {
    case faults::ending::proceed:
        break;
    case faults::ending::hang:
        push(hang_op{});
        stopped_ = true;
        finish(session_outcome::fault_closed);
        return;
    case faults::ending::close_fin:
    case faults::ending::close_rst:
        push(close_op{a.end == faults::ending::close_rst});
        stopped_ = true;
        finish(session_outcome::fault_closed);
        return;
    }
    if (!takes_effect) {
        return;
    }
    if (r.error && ++errors_ >= config_.max_errors) {
        send_and_close(smtp::make_reply(421, "4.7.0", config_.hostname + " Error: too many errors"),
                       session_outcome::refused);
        return;
    }
    if (r.close_after) {
        push(close_op{false});
        stopped_ = true;
        finish(session_outcome::quit);
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
    push(write_op{std::move(bytes), pace});
}

void server_session::send_and_close(std::string reply, session_outcome outcome)
{
    push_write(std::move(reply), std::nullopt);
    push(close_op{false});
    stopped_ = true;
    finish(outcome);
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
    framer_.discard_buffered();
    push(tls_op{a.tls});
}

void server_session::finish(session_outcome outcome)
{
    if (outcome_ != session_outcome::active) {
        return;
    }
    outcome_ = outcome;
    record_.finish(outcome, std::chrono::system_clock::now());
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
