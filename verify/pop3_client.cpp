#include "verify/pop3_client.hpp"

#include "smtp/escape.hpp"
#include "verify/verify_error.hpp"

#include <boost/asio/error.hpp>
#include <charconv>

namespace verify {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept
{
    return s.substr(0, prefix.size()) == prefix;
}

// RFC 1939 §3: a status indicator is "+OK" or "-ERR", followed by SP and text or by nothing.
bool is_indicator(std::string_view line, std::string_view indicator) noexcept
{
    return starts_with(line, indicator) &&
           (line.size() == indicator.size() || line[indicator.size()] == ' ');
}

// RFC 2449 §8 response codes that say "try again later": [IN-USE], [LOGIN-DELAY], [SYS/TEMP].
bool is_busy(std::string_view err_line) noexcept
{
    return err_line.find("[IN-USE]") != std::string_view::npos ||
           err_line.find("[LOGIN-DELAY]") != std::string_view::npos ||
           err_line.find("[SYS/TEMP]") != std::string_view::npos;
}

std::optional<unsigned> parse_number(std::string_view s) noexcept
{
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return value;
}

} // namespace

pop3_client::pop3_client(mailbox_query query)
    : query_(std::move(query))
    , skip_(query_.skip_uids.begin(), query_.skip_uids.end())
    , scanner_(query_.message_id)
{
}

void pop3_client::note(std::string entry)
{
    append_capped(transcript_, transcript_dropped_, std::move(entry), max_transcript_entries);
}

std::string_view pop3_client::command_name() const noexcept
{
    switch (step_) {
    case step::start:
    case step::greeting:
        return "the greeting";
    case step::user:
        return "USER";
    case step::pass:
        return "PASS";
    case step::uidl:
        return "UIDL";
    case step::list:
        return "LIST";
    case step::top:
        return "TOP";
    case step::retr:
        return "RETR";
    case step::dele:
        return "DELE";
    case step::quit:
    case step::done:
        return "QUIT";
    }
    return "?";
}

client_action pop3_client::send(std::string command, std::string transcript_text)
{
    note("C: " + transcript_text);
    out_ = std::move(command) + "\r\n";
    awaiting_write_ = true;
    return {client_action::kind::write, out_, query_.step_timeout};
}

client_action pop3_client::read()
{
    return {client_action::kind::read, {}, query_.step_timeout};
}

client_action pop3_client::finish(check_status status, boost::system::error_code ec,
                                  std::string detail)
{
    step_ = step::done;
    result_.status = status;
    result_.error = ec;
    result_.detail = std::move(detail);
    return {client_action::kind::done, {}, {}};
}

client_action pop3_client::fail(boost::system::error_code ec, std::string detail)
{
    // After DELE was accepted, a failure means only that the deletion was not committed.
    const auto status = found_ ? check_status::found : check_status::failed;
    if (found_) {
        detail = "message found but its deletion was not committed: " + detail;
    }
    note("event: " + detail);
    return finish(status, ec, std::move(detail));
}

client_action pop3_client::fail_io(boost::system::error_code ec)
{
    if (ec == boost::asio::error::eof) {
        ec = verify_errc::closed;
    }
    if (step_ == step::quit && !found_) {
        // The mailbox was read; a QUIT that goes wrong changes nothing.
        return finish(check_status::not_found, {}, "message not in the mailbox");
    }
    return fail(ec, io_failure_text(ec, command_name()));
}

client_action pop3_client::next(boost::system::error_code ec, std::string_view received)
{
    if (step_ == step::done) {
        return {client_action::kind::done, {}, {}};
    }
    if (step_ == step::start) {
        step_ = step::greeting;
        return read();
    }
    if (ec) {
        return fail_io(ec);
    }
    if (awaiting_write_) {
        awaiting_write_ = false;
    } else {
        framer_.feed(received);
    }
    return process();
}

client_action pop3_client::process()
{
    while (auto line = framer_.next()) {
        if (line->too_long) {
            if (in_multiline_) {
                ++multiline_lines_;
                scanner_.skip_line(); // an over-long message line; not a header we need
                continue;
            }
            return fail(verify_errc::response_too_long,
                        "response to " + std::string(command_name()) + " longer than " +
                            std::to_string(max_line_octets) + " octets");
        }
        const std::string_view text = line->text;
        if (!in_multiline_) {
            auto action = on_status(text);
            if (action.type != client_action::kind::read) {
                return action;
            }
            continue;
        }
        // RFC 1939 §3: "." alone ends a multi-line response; otherwise a leading "." is
        // byte-stuffing and is removed.
        if (text == ".") {
            in_multiline_ = false;
            auto action = on_multiline_end();
            if (action.type != client_action::kind::read) {
                return action;
            }
            continue;
        }
        const std::string_view unstuffed = text.substr(starts_with(text, ".") ? 1 : 0);
        ++multiline_lines_;
        if (step_ == step::uidl || step_ == step::list) {
            auto action = on_listing_line(unstuffed);
            if (action.type != client_action::kind::read) {
                return action;
            }
        } else {
            scanner_.feed_line(unstuffed);
        }
    }
    return read();
}

client_action pop3_client::on_status(std::string_view line)
{
    note("S: " + smtp::escape_bytes(line));
    const bool ok = is_indicator(line, "+OK");
    const bool err = is_indicator(line, "-ERR");
    if (!ok && !err) {
        if (step_ == step::quit && !found_) {
            return finish(check_status::not_found, {}, "message not in the mailbox");
        }
        return fail(verify_errc::protocol_error, "not a POP3 response to " +
                                                     std::string(command_name()) + ": " +
                                                     smtp::escape_bytes(line));
    }
    const std::string reply = std::string(command_name()) + " answered: " + std::string(line);
    switch (step_) {
    case step::greeting:
    case step::user:
    case step::pass:
        return on_login_status(line, err, reply);
    case step::uidl:
    case step::list:
        return on_listing_status(err, reply);
    case step::top:
    case step::retr:
        return on_message_status(line, err, reply);
    case step::dele:
        if (err) {
            return fail(verify_errc::server_rejected, reply);
        }
        found_ = true;
        return read_next_header(); // RFC 1939 §6: deleted at QUIT; look for more copies
    case step::quit:
        return on_quit_status(err, reply);
    case step::start:
    case step::done:
        break;
    }
    return fail(verify_errc::protocol_error, "unexpected response");
}

client_action pop3_client::on_login_status(std::string_view line, bool err,
                                           const std::string& reply)
{
    if (step_ == step::greeting) {
        if (err) {
            return fail(is_busy(line) ? verify_errc::server_busy : verify_errc::server_rejected,
                        reply);
        }
        step_ = step::user;
        return send("USER " + query_.user, "USER " + query_.user);
    }
    if (err) {
        return fail(is_busy(line) ? verify_errc::server_busy : verify_errc::auth_failed, reply);
    }
    if (step_ == step::user) {
        step_ = step::pass;
        return send("PASS " + query_.password, "PASS ****");
    }
    step_ = step::uidl;
    return send("UIDL", "UIDL");
}

client_action pop3_client::on_listing_status(bool err, const std::string& reply)
{
    if (err && step_ == step::uidl) {
        step_ = step::list; // RFC 1939 §7: UIDL is optional
        return send("LIST", "LIST");
    }
    if (err) {
        return fail(verify_errc::server_rejected, reply);
    }
    in_multiline_ = true;
    multiline_lines_ = 0;
    listing_.clear();
    return read();
}

client_action pop3_client::on_message_status(std::string_view line, bool err,
                                             const std::string& reply)
{
    if (err && step_ == step::top) {
        top_unsupported_ = true; // RFC 1939 §7: TOP is optional; read the whole message
        return retrieve();
    }
    if (err) {
        return fail(is_busy(line) ? verify_errc::server_busy : verify_errc::server_rejected, reply);
    }
    in_multiline_ = true;
    multiline_lines_ = 0;
    scanner_.reset();
    return read();
}

client_action pop3_client::on_quit_status(bool err, const std::string& reply)
{
    if (!found_) {
        return finish(check_status::not_found, {}, "message not in the mailbox");
    }
    if (err) {
        // RFC 1939 §6: -ERR to QUIT means some deleted messages were not removed.
        return fail(verify_errc::server_rejected, reply);
    }
    const std::string copies =
        result_.copies > 1 ? std::to_string(result_.copies) + " copies of " : "";
    return finish(check_status::found, {},
                  "found and deleted " + copies + "message " + scanner_.wanted() +
                      (first_uid_.empty() ? "" : " (UID " + first_uid_ + ")"));
}

client_action pop3_client::on_listing_line(std::string_view line)
{
    // UIDL: "n uid" (RFC 1939 §7); LIST: "n octets" (RFC 1939 §5).
    const auto sp = line.find(' ');
    const auto number = parse_number(line.substr(0, sp));
    if (sp == std::string_view::npos || !number || *number == 0) {
        return fail(verify_errc::protocol_error, "malformed " + std::string(command_name()) +
                                                     " line: " + smtp::escape_bytes(line));
    }
    if (listing_.size() >= max_listing_entries) {
        return fail(verify_errc::response_too_long,
                    std::string(command_name()) + " listing has more than " +
                        std::to_string(max_listing_entries) + " messages");
    }
    std::string_view rest = line.substr(sp + 1);
    while (!rest.empty() && rest.back() == ' ') {
        rest.remove_suffix(1);
    }
    listing_.push_back({*number, step_ == step::uidl ? std::string(rest) : std::string()});
    return read();
}

client_action pop3_client::on_multiline_end()
{
    if (step_ == step::uidl || step_ == step::list) {
        note("S: (" + std::to_string(listing_.size()) + " messages listed)");
        candidate_ = 0;
        return read_next_header();
    }
    // TOP or RETR: the header (or the whole message) has been read.
    scanner_.finish();
    note("S: (" + std::to_string(multiline_lines_) + " lines of message " +
         std::to_string(current_->number) + ")");
    if (scanner_.matched()) {
        return on_match();
    }
    if (!current_->uid.empty()) {
        result_.scanned_uids.push_back(current_->uid);
    }
    return read_next_header();
}

client_action pop3_client::on_match()
{
    const std::string n = std::to_string(current_->number);
    found_ = true; // seen; deletion follows
    if (!result_.message && step_ == step::top) {
        note("event: message " + n + " has Message-ID " + scanner_.wanted());
        return retrieve(); // the first copy is read whole, to compare it with what was sent
    }
    if (!result_.message) {
        result_.message =
            fetched_message{scanner_.subject(), scanner_.body(), scanner_.body_truncated()};
        first_uid_ = current_->uid;
    } else {
        note("event: message " + n + " is another copy of " + scanner_.wanted());
    }
    ++result_.copies;
    step_ = step::dele;
    return send("DELE " + n, "DELE " + n);
}

client_action pop3_client::retrieve()
{
    step_ = step::retr;
    const std::string n = std::to_string(current_->number);
    return send("RETR " + n, "RETR " + n);
}

client_action pop3_client::read_next_header()
{
    // Newest first: the message looked for is most likely the last one delivered.
    while (candidate_ < listing_.size()) {
        const listed& entry = listing_[listing_.size() - 1 - candidate_];
        ++candidate_;
        if (!entry.uid.empty() && skip_.count(entry.uid) != 0) {
            continue;
        }
        current_ = entry;
        const std::string n = std::to_string(entry.number);
        if (top_unsupported_) {
            return retrieve();
        }
        step_ = step::top;
        return send("TOP " + n + " 0", "TOP " + n + " 0");
    }
    return quit();
}

client_action pop3_client::quit()
{
    step_ = step::quit;
    return send("QUIT", "QUIT");
}

} // namespace verify
