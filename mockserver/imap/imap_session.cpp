// Driving the IMAP session: events in, one action out; the response queue; the read modes
// (commands, AUTHENTICATE responses, IDLE); autologout and IDLE's wake-ups.
#include "mockserver/imap/imap_session.hpp"

#include "mockserver/imap/command_parser.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace mock::imap {

imap_session::imap_session(mailbox_source& mailboxes, session_config config,
                           faults::session_decider* faults)
    : mailboxes_(mailboxes)
    , config_(std::move(config))
    , faults_(faults)
    , reader_(config_.limits)
{
    config_.max_write = std::max<std::size_t>(config_.max_write, 1);
    config_.max_errors = std::max<std::size_t>(config_.max_errors, 1);
}

action imap_session::start(time_point now, bool implicit_tls)
{
    last_input_ = now;
    if (implicit_tls) {
        waiting_ = waiting::tls;
        return tls_action{now + config_.handshake_timeout};
    }
    greet();
    return advance(now);
}

void imap_session::greet()
{
    greeted_ = true;
    if (fault_at({}, {}, last_input_)) {
        return;
    }
    // RFC 3501 §7.1.1: the greeting is an untagged OK; the CAPABILITY code saves a round trip.
    untagged(fmt::format("OK [CAPABILITY {}] {} IMAP4rev1 server (smtp-mock) ready",
                         capability_list(), config_.hostname));
}

action imap_session::on_written(time_point now)
{
    if (closed_) {
        return close_action{reset_};
    }
    waiting_ = waiting::nothing;
    return advance(now);
}

action imap_session::on_read(std::string_view bytes, time_point now)
{
    if (closed_) {
        return close_action{reset_};
    }
    if (hung_) {
        waiting_ = waiting::read;
        return read_action{now + config_.idle_timeout}; // what arrives is discarded
    }
    waiting_ = waiting::nothing;
    last_input_ = now;
    reader_.feed(bytes);
    return advance(now);
}

action imap_session::on_timeout(time_point now)
{
    if (closed_ || waiting_ != waiting::read || hung_) {
        return close_now(); // a write or handshake that did not finish in time
    }
    waiting_ = waiting::nothing;
    if (now >= autologout()) {
        // RFC 3501 §5.4: the autologout timer; §7.1.5: BYE says why the server closes.
        output_.clear();
        job_.reset();
        bye("Autologout; idle for too long");
        then_ = then::close;
        return advance(now);
    }
    if (mode_ == input_mode::idle && state_ == state::selected && now >= next_poll_) {
        // RFC 2177 §3: while idling, the server sends what changed as it changes.
        sync(true);
        next_poll_ = now + poll_interval();
    }
    return advance(now);
}

action imap_session::on_tls_done(bool ok, time_point now)
{
    if (closed_ || !ok) {
        return close_now();
    }
    waiting_ = waiting::nothing;
    tls_ = true;
    if (!greeted_) {
        greet(); // implicit TLS: the greeting comes after the handshake
    }
    return advance(now);
}

action imap_session::on_peer_closed(time_point)
{
    return close_now();
}

action imap_session::on_io_error(time_point)
{
    return close_now();
}

action imap_session::on_shutdown(time_point now)
{
    if (closed_) {
        return close_action{};
    }
    output_.clear();
    job_.reset();
    bye("Server shutting down");
    then_ = then::close;
    return write_next(now);
}

std::optional<action> imap_session::on_mailbox_changed(time_point now)
{
    if (closed_ || waiting_ != waiting::read) {
        return std::nullopt;
    }
    waiting_ = waiting::nothing;
    if (mode_ == input_mode::idle && state_ == state::selected) {
        sync(true);
        next_poll_ = now + poll_interval();
    }
    return advance(now);
}

action imap_session::close_now()
{
    state_ = state::logout;
    closed_ = true;
    waiting_ = waiting::nothing;
    output_.clear();
    job_.reset();
    return close_action{reset_};
}

imap_session::time_point imap_session::autologout() const
{
    return last_input_ + config_.idle_timeout;
}

std::chrono::milliseconds imap_session::poll_interval() const
{
    auto wait = config_.idle_poll;
    if (next_change_in_) {
        wait = std::min(wait, *next_change_in_);
    }
    return std::max(wait, std::chrono::milliseconds(1));
}

// Queued output first, then the rest of a FETCH, then what the last response asked for (TLS,
// close), and only then the next input.
action imap_session::advance(time_point now)
{
    for (;;) {
        if (closed_) {
            return close_action{reset_};
        }
        if (!output_.empty()) {
            return write_next(now);
        }
        if (hung_) {
            waiting_ = waiting::read;
            return read_action{now + config_.idle_timeout};
        }
        if (job_) {
            continue_fetch();
            continue;
        }
        if (then_ == then::close) {
            return close_now();
        }
        if (then_ == then::start_tls) {
            then_ = then::read;
            waiting_ = waiting::tls;
            return tls_action{now + config_.handshake_timeout};
        }
        if (!read_input(now)) {
            return read_next();
        }
    }
}

action imap_session::write_next(time_point now)
{
    waiting_ = waiting::write;
    return write_action{output_.take(config_.max_write), now + config_.write_timeout};
}

action imap_session::read_next()
{
    waiting_ = waiting::read;
    auto deadline = autologout();
    if (mode_ == input_mode::idle && state_ == state::selected) {
        deadline = std::min(deadline, next_poll_);
    }
    return read_action{deadline};
}

// Handles the next complete input, if any; false when more bytes are needed.
bool imap_session::read_input(time_point now)
{
    if (mode_ == input_mode::command) {
        auto e = reader_.next();
        if (std::holds_alternative<need_input>(e)) {
            return false;
        }
        on_reader_event(e, now);
        return true;
    }
    auto line = reader_.next_line();
    if (!line) {
        return false;
    }
    if (mode_ == input_mode::authenticate) {
        on_auth_line(*line);
    } else {
        on_idle_line(*line);
    }
    return true;
}

void imap_session::on_reader_event(const reader_event& e, time_point now)
{
    if (const auto* c = std::get_if<command_text>(&e)) {
        execute(c->text, now);
        return;
    }
    if (std::holds_alternative<literal_wanted>(e)) {
        // RFC 3501 §7.5: the command continuation request.
        output_.text("+ Ready for literal data\r\n");
        return;
    }
    const auto& r = std::get<command_refused>(e);
    const auto& limits = reader_.limits();
    switch (r.error) {
    case input_error::line_too_long:
        bad(r.tag, fmt::format("Command line too long (the limit is {} octets)", limits.line));
        break;
    case input_error::command_too_long:
        bad(r.tag, fmt::format("Command too long (the limit is {} octets)", limits.command));
        break;
    case input_error::literal_too_long:
        // RFC 7889 §4 / RFC 4469: TOOBIG names a size the server will not take.
        tagged(r.tag, "NO",
               fmt::format("[TOOBIG] Literal of {} octets is over the limit of {} octets", r.size,
                           limits.literal));
        break;
    case input_error::literal_plus:
        bad(r.tag, "Non-synchronizing literals are not offered here (no LITERAL+)");
        break;
    }
}

void imap_session::untagged(std::string_view text)
{
    output_.text(fmt::format("* {}\r\n", text));
}

void imap_session::tagged(std::string_view tag, std::string_view status, std::string_view text)
{
    output_.text(fmt::format("{} {} {}\r\n", tag, status, text));
}

void imap_session::bad(std::string_view tag, std::string_view text)
{
    tagged(tag, "BAD", text);
    if (++errors_ >= config_.max_errors && then_ != then::close) {
        bye("Too many invalid IMAP commands");
        then_ = then::close;
    }
}

void imap_session::syntax_error(std::string_view tag, std::string_view name, const arg_reader& in)
{
    bad(tag, fmt::format("Error in IMAP command {}: {}", name, in.error()));
}

void imap_session::bye(std::string_view text)
{
    untagged(fmt::format("BYE {}", text));
}

void imap_session::complete(std::string_view tag, std::string_view name, std::string_view code,
                            bool allow_expunge)
{
    // Every command's response ends with the folder's news (RFC 3501 §5.2, §7.3.1, §7.4.1).
    sync(allow_expunge);
    if (code.empty()) {
        tagged(tag, "OK", fmt::format("{} completed", name));
    } else {
        tagged(tag, "OK", fmt::format("[{}] {} completed", code, name));
    }
}

} // namespace mock::imap
