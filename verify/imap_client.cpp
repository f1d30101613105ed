#include "verify/imap_client.hpp"

#include "smtp/ascii.hpp"
#include "smtp/escape.hpp"
#include "verify/verify_error.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cctype>
#include <charconv>
#include <optional>

namespace verify {
namespace {

// Splits off the first space-separated word.
std::string_view first_word(std::string_view s, std::string_view& rest) noexcept
{
    const auto sp = s.find(' ');
    rest = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
    return s.substr(0, sp);
}

std::optional<std::uint32_t> parse_u32(std::string_view s) noexcept
{
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return value;
}

// RFC 5530 §3 response codes that say "try again later".
bool is_busy(std::string_view text) noexcept
{
    return text.find("[UNAVAILABLE]") != std::string_view::npos ||
           text.find("[INUSE]") != std::string_view::npos;
}

// Walks the msg-att list of a FETCH response (RFC 3501 §7.4.2), taking literals in order.
class fetch_items {
public:
    fetch_items(std::string_view text, const std::vector<std::string>& literals)
        : s_(text)
        , literals_(literals)
    {
    }

    // The next attribute name, e.g. "UID" or "BODY[HEADER.FIELDS (MESSAGE-ID)]"; nothing at
    // the closing parenthesis or on a syntax error (then ok() is false).
    std::optional<std::string_view> name()
    {
        skip_spaces();
        if (pos_ >= s_.size() || s_[pos_] == ')') {
            return std::nullopt;
        }
        const std::size_t start = pos_;
        int brackets = 0;
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == '[') {
                ++brackets;
            } else if (c == ']') {
                --brackets;
            } else if (brackets == 0 && (c == ' ' || c == ')' || c == '(')) {
                break;
            }
            ++pos_;
        }
        if (pos_ == start || brackets != 0) {
            ok_ = false;
            return std::nullopt;
        }
        return s_.substr(start, pos_ - start);
    }

    // The value after a name: a string's contents (quoted or literal), an atom or number as is,
    // an empty string for NIL, or a parenthesised list skipped whole (returns nothing).
    std::optional<std::string> value()
    {
        skip_spaces();
        if (pos_ >= s_.size()) {
            ok_ = false;
            return std::nullopt;
        }
        const char c = s_[pos_];
        if (c == '"') {
            return quoted();
        }
        if (c == '{') {
            return literal();
        }
        if (c == '(') {
            skip_list();
            return std::nullopt;
        }
        const std::size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] != ' ' && s_[pos_] != ')') {
            ++pos_;
        }
        const std::string_view atom = s_.substr(start, pos_ - start);
        return smtp::iequals(atom, "NIL") ? std::string() : std::string(atom);
    }

    bool ok() const noexcept { return ok_; }

private:
    void skip_spaces()
    {
        while (pos_ < s_.size() && s_[pos_] == ' ') {
            ++pos_;
        }
    }

    std::optional<std::string> quoted()
    {
        // RFC 3501 §9: quoted = DQUOTE *QUOTED-CHAR DQUOTE, with "\" escaping DQUOTE and "\".
        std::string out;
        for (++pos_; pos_ < s_.size(); ++pos_) {
            char ch = s_[pos_];
            if (ch == '"') {
                ++pos_;
                return out;
            }
            if (ch == '\\' && pos_ + 1 < s_.size()) {
                ch = s_[++pos_];
            }
            out += ch;
        }
        ok_ = false;
        return std::nullopt;
    }

    std::optional<std::string> literal()
    {
        const auto close = s_.find('}', pos_);
        if (close == std::string_view::npos || next_literal_ >= literals_.size()) {
            ok_ = false;
            return std::nullopt;
        }
        pos_ = close + 1;
        return literals_[next_literal_++];
    }

    void skip_list()
    {
        int depth = 0;
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == '"') {
                quoted();
                continue;
            }
            if (c == '{') {
                literal();
                continue;
            }
            ++pos_;
            if (c == '(') {
                ++depth;
            } else if (c == ')' && --depth == 0) {
                return;
            }
        }
        ok_ = false;
    }

    std::string_view s_;
    const std::vector<std::string>& literals_;
    std::size_t pos_ = 0;
    std::size_t next_literal_ = 0;
    bool ok_ = true;
};

} // namespace

imap_client::imap_client(mailbox_query query)
    : query_(std::move(query))
    , scanner_(query_.message_id)
{
}

void imap_client::note(std::string entry)
{
    append_capped(transcript_, transcript_dropped_, std::move(entry), max_transcript_entries);
}

std::string_view imap_client::command_name() const noexcept
{
    switch (step_) {
    case step::start:
    case step::greeting:
        return "the greeting";
    case step::login:
        return "LOGIN";
    case step::select:
        return "SELECT";
    case step::search:
        return "UID SEARCH";
    case step::fetch:
        return "UID FETCH";
    case step::store:
        return "UID STORE";
    case step::expunge:
        return uidplus_ ? "UID EXPUNGE" : "EXPUNGE";
    case step::logout:
    case step::done:
        return "LOGOUT";
    }
    return "?";
}

std::string imap_client::uid_set(const std::vector<std::uint32_t>& uids) const
{
    std::string out;
    for (auto uid : uids) {
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(uid);
    }
    return out;
}

client_action imap_client::send(imap_command command)
{
    note("C: " + command.transcript);
    segments_ = std::move(command.segments);
    next_segment_ = 0;
    return write_segment();
}

client_action imap_client::write_segment()
{
    awaiting_write_ = true;
    return {client_action::kind::write, segments_[next_segment_++], query_.step_timeout};
}

client_action imap_client::read()
{
    return {client_action::kind::read, {}, query_.step_timeout};
}

client_action imap_client::finish(check_status status, boost::system::error_code ec,
                                  std::string detail)
{
    step_ = step::done;
    result_.status = status;
    result_.error = ec;
    result_.detail = std::move(detail);
    return {client_action::kind::done, {}, {}};
}

client_action imap_client::fail(boost::system::error_code ec, std::string detail)
{
    const auto status = found() ? check_status::found : check_status::failed;
    if (found()) {
        detail = "message found but its deletion failed: " + detail;
    }
    note("event: " + detail);
    return finish(status, ec, std::move(detail));
}

client_action imap_client::fail_io(boost::system::error_code ec)
{
    if (ec == boost::asio::error::eof) {
        ec = verify_errc::closed;
    }
    if (step_ == step::logout) {
        // Everything that mattered is done; a LOGOUT that goes wrong changes nothing.
        return logout();
    }
    return fail(ec, io_failure_text(ec, command_name()));
}

client_action imap_client::next(boost::system::error_code ec, std::string_view received)
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
        reader_.feed(received);
    }
    return process();
}

client_action imap_client::process()
{
    for (;;) {
        auto response = reader_.next();
        if (!response) {
            return fail(response.error(),
                        "response to " + std::string(command_name()) + " over the size limit");
        }
        if (!*response) {
            return read();
        }
        auto action = on_response(**response);
        if (action.type != client_action::kind::read) {
            return action;
        }
    }
}

client_action imap_client::on_response(const imap_response& response)
{
    const std::string_view text = response.text;
    note("S: " + smtp::escape_bytes(text));
    for (const auto& literal : response.literals) {
        note("S: (literal) " + smtp::escape_bytes(literal, 200));
    }
    if (step_ == step::greeting && text.substr(0, 2) != "* ") {
        return fail(verify_errc::protocol_error,
                    "not an IMAP greeting: " + smtp::escape_bytes(text));
    }
    // RFC 3501 §7.5: a continuation request starts with "+".
    if (!text.empty() && text.front() == '+') {
        if (next_segment_ < segments_.size()) {
            return write_segment();
        }
        return fail(verify_errc::protocol_error, "unexpected continuation request");
    }
    if (text.substr(0, 2) == "* ") {
        return on_untagged(response);
    }
    std::string_view rest;
    const std::string_view tag = first_word(text, rest);
    if (tag != tag_) {
        return fail(verify_errc::protocol_error,
                    "response with unknown tag: " + smtp::escape_bytes(text));
    }
    std::string_view status_text;
    const std::string_view status = first_word(rest, status_text);
    return on_tagged(status, status_text);
}

void imap_client::note_capabilities(std::string_view text)
{
    // RFC 3501 §7.1 (CAPABILITY response code) and §7.2.1 (CAPABILITY response); RFC 4315.
    const auto has = [text](std::string_view name) {
        for (std::size_t at = 0; (at = text.find(name, at)) != std::string_view::npos; ++at) {
            const std::size_t end = at + name.size();
            if (at > 0 && text[at - 1] == ' ' &&
                (end == text.size() || text[end] == ' ' || text[end] == ']')) {
                return true;
            }
        }
        return false;
    };
    if (text.find("CAPABILITY") == std::string_view::npos) {
        return;
    }
    uidplus_ = has("UIDPLUS");
    login_disabled_ = has("LOGINDISABLED");
}

client_action imap_client::on_untagged(const imap_response& response)
{
    std::string_view body = std::string_view(response.text).substr(2);
    std::string_view rest;
    const std::string_view word = first_word(body, rest);
    if (smtp::iequals(word, "OK") || smtp::iequals(word, "PREAUTH") ||
        smtp::iequals(word, "CAPABILITY")) {
        note_capabilities(body);
    }
    if (step_ == step::greeting) {
        // RFC 3501 §7.1: the greeting is OK, PREAUTH or BYE.
        if (smtp::iequals(word, "OK")) {
            if (login_disabled_) {
                // RFC 3501 §6.2.3: LOGINDISABLED means LOGIN would be refused here.
                return fail(verify_errc::auth_failed,
                            "the server advertises LOGINDISABLED: no plaintext LOGIN on this "
                            "connection (use imaps://)");
            }
            step_ = step::login;
            imap_command command;
            tag_ = "a" + std::to_string(++tag_number_);
            command.text(tag_ + " LOGIN ").astring(query_.user).text(" ");
            command.astring(query_.password, "****").end();
            return send(std::move(command));
        }
        if (smtp::iequals(word, "PREAUTH")) {
            step_ = step::select;
            tag_ = "a" + std::to_string(++tag_number_);
            return send(std::move(imap_command().text(tag_ + " SELECT INBOX").end()));
        }
        if (smtp::iequals(word, "BYE")) {
            return fail(verify_errc::server_bye, "greeting: " + std::string(response.text));
        }
        return fail(verify_errc::protocol_error,
                    "not an IMAP greeting: " + smtp::escape_bytes(response.text));
    }
    if (smtp::iequals(word, "BYE")) {
        if (step_ == step::logout) {
            return read(); // RFC 3501 §6.1.3: BYE precedes the tagged OK to LOGOUT
        }
        return fail(verify_errc::server_bye,
                    std::string(command_name()) + " answered: " + std::string(response.text));
    }
    if (smtp::iequals(word, "SEARCH") && step_ == step::search) {
        // RFC 3501 §7.2.5: "* SEARCH" followed by zero or more numbers.
        std::string_view numbers = rest;
        while (!numbers.empty()) {
            std::string_view tail;
            const std::string_view token = first_word(numbers, tail);
            numbers = tail;
            if (token.empty()) {
                continue;
            }
            const auto uid = parse_u32(token);
            if (!uid || *uid == 0) {
                return fail(verify_errc::protocol_error,
                            "malformed SEARCH response: " + smtp::escape_bytes(response.text));
            }
            if (search_uids_.size() >= max_search_hits) {
                return fail(verify_errc::response_too_long, "SEARCH found more than " +
                                                                std::to_string(max_search_hits) +
                                                                " messages");
            }
            search_uids_.push_back(*uid);
        }
        return read();
    }
    if (parse_u32(word) && step_ == step::fetch) {
        std::string_view items;
        const std::string_view kind = first_word(rest, items);
        if (smtp::iequals(kind, "FETCH")) {
            if (items.empty() || items.front() != '(') {
                return fail(verify_errc::protocol_error,
                            "malformed FETCH response: " + smtp::escape_bytes(response.text));
            }
            on_fetch(response, items.substr(1));
        }
    }
    return read();
}

void imap_client::on_fetch(const imap_response& response, std::string_view items)
{
    fetch_items walker(items, response.literals);
    std::optional<std::uint32_t> uid;
    std::optional<std::string> header;
    std::optional<std::string> text;
    while (auto name = walker.name()) {
        auto value = walker.value();
        if (!walker.ok()) {
            break;
        }
        if (smtp::iequals(*name, "UID") && value) {
            uid = parse_u32(*value);
        } else if (smtp::iequals(*name, "BODY[TEXT]") && value) {
            text = std::move(value);
        } else if (smtp::istarts_with(*name, "BODY[") && value) {
            header = std::move(value);
        }
    }
    if (!uid || !header) {
        return; // an unsolicited FETCH (e.g. a flag change), or one we cannot read
    }
    scanner_.reset();
    feed_lines(*header);
    scanner_.finish(); // the header section is over; the lines of the text are the body
    feed_lines(text.value_or(std::string()));
    if (scanner_.matched() &&
        std::find(matched_uids_.begin(), matched_uids_.end(), *uid) == matched_uids_.end()) {
        note("event: UID " + std::to_string(*uid) + " has Message-ID " + scanner_.wanted());
        matched_uids_.push_back(*uid);
        if (!result_.message) {
            result_.message =
                fetched_message{scanner_.subject(), scanner_.body(), scanner_.body_truncated()};
        }
    }
}

void imap_client::feed_lines(std::string_view lines)
{
    while (!lines.empty()) {
        const auto lf = lines.find('\n');
        std::string_view line = lines.substr(0, lf);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        scanner_.feed_line(line);
        lines = lf == std::string_view::npos ? std::string_view() : lines.substr(lf + 1);
    }
}

client_action imap_client::on_tagged(std::string_view status, std::string_view text)
{
    const bool ok = smtp::iequals(status, "OK");
    if (!ok && !smtp::iequals(status, "NO") && !smtp::iequals(status, "BAD")) {
        return fail(verify_errc::protocol_error,
                    "malformed tagged response to " + std::string(command_name()) + ": " +
                        smtp::escape_bytes(std::string(tag_) + " " + std::string(status) + " " +
                                           std::string(text)));
    }
    note_capabilities(text);
    const std::string reply = std::string(command_name()) + " answered: " + std::string(status) +
                              (text.empty() ? "" : " ") + std::string(text);
    if (!ok && step_ != step::logout) {
        if (is_busy(text)) {
            return fail(verify_errc::server_busy, reply);
        }
        // RFC 3501 §6.2.3: NO to LOGIN means the user name or password was rejected.
        const bool auth = step_ == step::login && smtp::iequals(status, "NO");
        return fail(auth ? verify_errc::auth_failed : verify_errc::server_rejected, reply);
    }
    switch (step_) {
    case step::login:
        step_ = step::select;
        tag_ = "a" + std::to_string(++tag_number_);
        return send(std::move(imap_command().text(tag_ + " SELECT INBOX").end()));
    case step::select: {
        step_ = step::search;
        tag_ = "a" + std::to_string(++tag_number_);
        imap_command command;
        command.text(tag_ + " UID SEARCH HEADER Message-ID ").string(scanner_.wanted()).end();
        return send(std::move(command));
    }
    case step::search:
        if (search_uids_.empty()) {
            return logout();
        }
        step_ = step::fetch;
        tag_ = "a" + std::to_string(++tag_number_);
        return send(std::move(imap_command()
                                  .text(tag_ + " UID FETCH " + uid_set(search_uids_) +
                                        " (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                                        "BODY.PEEK[TEXT])")
                                  .end()));
    case step::fetch:
        if (matched_uids_.empty()) {
            return logout();
        }
        step_ = step::store;
        tag_ = "a" + std::to_string(++tag_number_);
        return send(std::move(
            imap_command()
                .text(tag_ + " UID STORE " + uid_set(matched_uids_) + " +FLAGS.SILENT (\\Deleted)")
                .end()));
    case step::store:
        step_ = step::expunge;
        tag_ = "a" + std::to_string(++tag_number_);
        // RFC 4315 §2.1: UID EXPUNGE removes only our messages; plain EXPUNGE (RFC 3501
        // §6.4.3) removes every message marked \Deleted.
        return send(std::move(imap_command()
                                  .text(uidplus_ ? tag_ + " UID EXPUNGE " + uid_set(matched_uids_)
                                                 : tag_ + " EXPUNGE")
                                  .end()));
    case step::expunge:
        deleted_ = true;
        return logout();
    case step::logout:
        return logout();
    case step::start:
    case step::greeting:
    case step::done:
        break;
    }
    return fail(verify_errc::protocol_error, "unexpected tagged response");
}

client_action imap_client::logout()
{
    if (step_ == step::logout) {
        if (deleted_) {
            result_.copies = static_cast<unsigned>(matched_uids_.size());
            const std::string copies =
                result_.copies > 1 ? std::to_string(result_.copies) + " copies of " : "";
            return finish(check_status::found, {},
                          "found and deleted " + copies + "message " + scanner_.wanted() +
                              " (UID " + uid_set(matched_uids_) + ")");
        }
        return finish(check_status::not_found, {}, "message not in the mailbox");
    }
    step_ = step::logout;
    tag_ = "a" + std::to_string(++tag_number_);
    return send(std::move(imap_command().text(tag_ + " LOGOUT").end()));
}

} // namespace verify
