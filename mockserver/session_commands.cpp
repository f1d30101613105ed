// The RFC 5321 command semantics of server_session: what each command answers in each state.
#include "mockserver/credentials.hpp"
#include "mockserver/server_session.hpp"
#include "smtp/ascii.hpp"
#include "smtp/base64.hpp"
#include "smtp/error.hpp"
#include "smtp/escape.hpp"
#include "smtp/limits.hpp"
#include "smtp/reply.hpp"
#include "smtp/sasl_plain.hpp"

#include <charconv>
#include <fmt/format.h>
#include <limits>

namespace mock {

namespace {

bool has_argument(const smtp::command& c)
{
    return c.argument.find_first_not_of(' ') != std::string::npos;
}

// RFC 5321 §4.5.3.1.1-3: a local part is at most 64 octets, a domain at most 255, and a whole
// path at most 256 with its angle brackets. Returns what is too long, or nothing.
std::optional<std::string> oversized_part(std::string_view mailbox)
{
    if (mailbox.size() + 2 > 256) {
        return fmt::format("path has {} octets with its brackets; at most 256 are allowed "
                           "(RFC 5321 4.5.3.1.3)",
                           mailbox.size() + 2);
    }
    auto at = mailbox.rfind('@');
    if (at == std::string_view::npos) {
        return std::nullopt; // "<Postmaster>" alone
    }
    if (at > 64) {
        return fmt::format("local part has {} octets; at most 64 are allowed (RFC 5321 4.5.3.1.1)",
                           at);
    }
    if (mailbox.size() - at - 1 > 255) {
        return fmt::format("domain has {} octets; at most 255 are allowed (RFC 5321 4.5.3.1.2)",
                           mailbox.size() - at - 1);
    }
    return std::nullopt;
}

// RFC 1870 §3: size-value = 1*20DIGIT, which may exceed 64 bits; such a value is as large as
// any limit can be, so it saturates.
std::uint64_t size_value(std::string_view digits)
{
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc::result_out_of_range) {
        return std::numeric_limits<std::uint64_t>::max();
    }
    return end == digits.data() ? 0 : v;
}

// Escaped text (as made by smtp::escape_bytes) cut to at most `budget` octets, never inside an
// escape sequence; "..." marks a cut.
std::string fit_escaped(std::string text, std::size_t budget)
{
    constexpr std::string_view cut = "...";
    if (text.size() <= budget) {
        return text;
    }
    if (budget < cut.size()) {
        return {};
    }
    std::size_t keep = 0;
    while (keep < text.size()) {
        std::size_t len = text[keep] != '\\'                                ? 1
                          : keep + 1 < text.size() && text[keep + 1] == 'x' ? 4
                                                                            : 2;
        if (keep + len + cut.size() > budget) {
            break;
        }
        keep += len;
    }
    text.resize(keep);
    text += cut;
    return text;
}

} // namespace

server_session::response server_session::error_reply(int code, std::string_view enhanced,
                                                     std::string_view text)
{
    response r;
    r.reply = smtp::make_reply(code, enhanced, text);
    r.error = true;
    return r;
}

server_session::response server_session::reply_only(std::string wire)
{
    response r;
    r.reply = std::move(wire);
    return r;
}

void server_session::process_command(std::string_view line, time_point now)
{
    if (line.empty()) {
        execute({}, error_reply(500, "5.5.2", "Error: empty command"), now);
        return;
    }
    smtp::command c = smtp::parse_command(line);
    auto build = [this, &c]() -> response {
        switch (c.cmd) {
        case smtp::verb::helo:
            return on_helo(c, false);
        case smtp::verb::ehlo:
            return on_helo(c, true);
        case smtp::verb::mail:
            return on_mail(c);
        case smtp::verb::rcpt:
            return on_rcpt(c);
        case smtp::verb::data:
            return on_data(c);
        case smtp::verb::rset:
            return on_rset(c);
        case smtp::verb::noop:
            return on_noop(c);
        case smtp::verb::vrfy:
            return on_vrfy(c);
        case smtp::verb::quit:
            return on_quit(c);
        case smtp::verb::starttls:
            return on_starttls(c);
        case smtp::verb::auth:
            return on_auth(c);
        case smtp::verb::help:
            return on_help(c);
        case smtp::verb::expn:
        case smtp::verb::bdat:
            // RFC 5321 §4.2.4: 502 for a command recognised but not implemented.
            return error_reply(502, "5.5.1", "Error: command not implemented");
        case smtp::verb::unknown:
            break;
        }
        // RFC 5321 §4.2.4: 500 for a command that is not recognised.
        return error_reply(500, "5.5.2", "Error: command not recognized");
    };
    respond(smtp::phase_of(c.cmd), c.name, c.argument, build, now);
}

server_session::response server_session::on_helo(const smtp::command& c, bool extended)
{
    // RFC 5321 §4.1.1.1: the argument is the client's domain or address literal.
    if (!has_argument(c)) {
        return error_reply(501, "5.5.4",
                           extended ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
    }
    response r;
    r.reply = extended ? ehlo_reply(c.argument) : smtp::make_reply(250, "", config_.hostname);
    // RFC 5321 §4.1.4: EHLO/HELO in a session also resets any transaction, like RSET.
    r.effect = [this] {
        greeted_ = true;
        reset_transaction();
    };
    return r;
}

std::string server_session::ehlo_reply(std::string_view client) const
{
    // RFC 5321 §4.1.1.1: the first line names the server; the others list extensions. The
    // client's name is shown escaped and cut so that the line stays within 512 octets
    // (RFC 5321 §4.5.3.1.5): "250-" + hostname + " greets " + name + CRLF.
    const std::size_t room = smtp::limits::reply_line - 4 - 2 - 8;
    const std::size_t budget = room > config_.hostname.size() ? room - config_.hostname.size() : 0;
    std::vector<std::string> lines;
    lines.push_back(fmt::format("{} greets {}", config_.hostname,
                                fit_escaped(smtp::escape_bytes(client, budget), budget)));
    lines.emplace_back("PIPELINING");                                  // RFC 2920
    lines.push_back(fmt::format("SIZE {}", config_.max_message_size)); // RFC 1870
    lines.emplace_back("8BITMIME");                                    // RFC 6152
    lines.emplace_back("ENHANCEDSTATUSCODES");                         // RFC 2034
    if (config_.tls_available && !in_tls_ && !withheld("STARTTLS")) {
        lines.emplace_back("STARTTLS"); // RFC 3207 §4.2: not offered again once TLS is up
    }
    if (auth_offered()) {
        lines.emplace_back("AUTH PLAIN LOGIN"); // RFC 4954 §3
    }
    lines.emplace_back("SMTPUTF8"); // RFC 6531
    return smtp::make_reply(250, lines);
}

bool server_session::auth_offered() const noexcept
{
    return config_.credentials != nullptr && !authenticated() &&
           (!config_.auth_requires_tls || in_tls_) && !withheld("AUTH");
}

server_session::response server_session::on_mail(const smtp::command& c)
{
    // RFC 5321 §4.1.4: MAIL needs a greeting first and may not nest.
    if (!greeted_) {
        return error_reply(503, "5.5.1", "Error: send HELO/EHLO first");
    }
    if (mail_from_) {
        return error_reply(503, "5.5.1", "Error: nested MAIL command");
    }
    // RFC 4954 §6: 530 when authentication is required first.
    if (config_.require_auth && !authenticated()) {
        return error_reply(530, "5.7.0", "Authentication required");
    }
    auto path = smtp::parse_mail_argument(c.argument);
    if (!path) {
        return error_reply(501, "5.5.4",
                           fmt::format("Syntax: MAIL FROM:<address>: {}", path.error().message()));
    }
    if (auto too_long = oversized_part(path->mailbox)) {
        // RFC 5321 §4.5.3.1.10: "501 Path too long".
        return error_reply(501, "5.1.7", "Error: sender " + *too_long);
    }
    // The parser has checked the syntax of SIZE, BODY and SMTPUTF8 (RFC 1870, 6152, 6531).
    for (const auto& p : path->parameters) {
        if (p.keyword == "SIZE") {
            // RFC 1870 §6: SIZE=n above the limit gets 552 at MAIL.
            if (config_.max_message_size != 0 &&
                size_value(p.value.value_or("")) > config_.max_message_size) {
                return error_reply(552, "5.3.4", "Error: message size exceeds fixed limit");
            }
        } else if (p.keyword != "BODY" && p.keyword != "SMTPUTF8" && p.keyword != "AUTH") {
            // RFC 5321 §4.1.1.11: 555 for an unrecognised MAIL parameter. AUTH=<mailbox>
            // (RFC 4954 §5) is accepted and ignored.
            return error_reply(555, "5.5.4",
                               fmt::format("Error: unsupported parameter {}", p.keyword));
        }
    }
    response r;
    r.reply = smtp::make_reply(250, "2.1.0", "Ok");
    r.effect = [this, from = std::move(path->mailbox)]() mutable {
        reset_transaction();
        mail_from_ = std::move(from);
    };
    return r;
}

server_session::response server_session::on_rcpt(const smtp::command& c)
{
    // RFC 5321 §4.1.4: RCPT needs MAIL first.
    if (!mail_from_) {
        return error_reply(503, "5.5.1", "Error: need MAIL command");
    }
    auto path = smtp::parse_rcpt_argument(c.argument);
    if (!path) {
        return error_reply(501, "5.5.4",
                           fmt::format("Syntax: RCPT TO:<address>: {}", path.error().message()));
    }
    if (!path->parameters.empty()) {
        return error_reply(
            555, "5.5.4",
            fmt::format("Error: unsupported parameter {}", path->parameters.front().keyword));
    }
    if (auto too_long = oversized_part(path->mailbox)) {
        // RFC 5321 §4.5.3.1.10: "501 Path too long". Said now, not after the data: it is a
        // permanent condition.
        return error_reply(501, "5.1.3", "Error: recipient " + *too_long);
    }
    // RFC 5321 §4.5.3.1.10: 452 for too many recipients.
    if (rcpt_to_.size() >= config_.max_recipients) {
        return error_reply(452, "4.5.3", "Error: too many recipients");
    }
    response r;
    r.reply = smtp::make_reply(250, "2.1.5", "Ok");
    r.effect = [this, to = std::move(path->mailbox)]() mutable {
        rcpt_to_.push_back(std::move(to));
    };
    return r;
}

server_session::response server_session::on_data(const smtp::command& c)
{
    if (has_argument(c)) {
        return error_reply(501, "5.5.4", "Syntax: DATA takes no argument");
    }
    // RFC 5321 §3.3: DATA without MAIL or without an accepted RCPT is out of sequence.
    if (!mail_from_) {
        return error_reply(503, "5.5.1", "Error: need MAIL command");
    }
    if (rcpt_to_.empty()) {
        return error_reply(503, "5.5.1", "Error: need RCPT command");
    }
    response r;
    r.reply = smtp::make_reply(354, "", "End data with <CR><LF>.<CR><LF>");
    r.effect = [this] {
        in_body_ = true;
        body_.clear();
        // Room for a typical message at once, rather than a dozen doublings from nothing.
        body_.reserve(initial_body_capacity);
        body_octets_ = 0;
        body_line_too_long_ = false;
        over_size_ = false;
        framer_.set_limit(smtp::limits::text_line);
        // Kept only when it does something: most messages have no body fault.
        auto fault = decide(smtp::phase::body, {}, {}, last_activity_);
        body_fault_ =
            fault.healthy() ? nullptr : std::make_unique<faults::action>(std::move(fault));
    };
    return r;
}

server_session::response server_session::on_rset(const smtp::command& c)
{
    // RFC 5321 §4.1.1.5: RSET takes no argument and aborts the transaction.
    if (has_argument(c)) {
        return error_reply(501, "5.5.4", "Syntax: RSET");
    }
    response r;
    r.reply = smtp::make_reply(250, "2.0.0", "Ok");
    r.effect = [this] {
        reset_transaction();
    };
    return r;
}

server_session::response server_session::on_noop(const smtp::command&)
{
    // RFC 5321 §4.1.1.9: NOOP may carry an argument, which is ignored.
    return reply_only(smtp::make_reply(250, "2.0.0", "Ok"));
}

server_session::response server_session::on_vrfy(const smtp::command& c)
{
    if (!has_argument(c)) {
        return error_reply(501, "5.5.4", "Syntax: VRFY address");
    }
    // RFC 5321 §3.5.3: 252 when the server will not verify but will accept the address.
    return reply_only(smtp::make_reply(252, "2.5.2", "Cannot VRFY user, but will accept message"));
}

server_session::response server_session::on_quit(const smtp::command& c)
{
    if (has_argument(c)) {
        return error_reply(501, "5.5.4", "Syntax: QUIT");
    }
    // RFC 5321 §4.1.1.10: 221, then the server closes the connection.
    response r;
    r.reply = smtp::make_reply(221, "2.0.0", "Bye");
    r.close_after = true;
    return r;
}

server_session::response server_session::on_help(const smtp::command&)
{
    // RFC 5321 §4.1.1.8.
    return reply_only(
        smtp::make_reply(214, "2.0.0",
                         "Commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY QUIT STARTTLS "
                         "AUTH HELP"));
}

server_session::response server_session::on_starttls(const smtp::command& c)
{
    // RFC 3207 §4: a server need not accept STARTTLS it did not offer.
    if (!config_.tls_available || withheld("STARTTLS")) {
        return error_reply(502, "5.5.1", "Error: STARTTLS not available");
    }
    // RFC 3207 §4: no argument; 501 otherwise. Not again once TLS is active.
    if (has_argument(c)) {
        return error_reply(501, "5.5.4", "Syntax: STARTTLS");
    }
    if (in_tls_) {
        return error_reply(503, "5.5.1", "Error: TLS already active");
    }
    response r;
    r.reply = smtp::make_reply(220, "2.0.0", "Ready to start TLS");
    r.start_tls = true;
    return r;
}

server_session::response server_session::on_auth(const smtp::command& c)
{
    if (config_.credentials == nullptr || (config_.auth_requires_tls && !in_tls_) ||
        withheld("AUTH")) {
        return error_reply(502, "5.5.1", "Error: authentication not enabled");
    }
    // RFC 4954 §4: AUTH needs a greeting, may not repeat, and not inside a transaction.
    if (!greeted_) {
        return error_reply(503, "5.5.1", "Error: send EHLO first");
    }
    if (authenticated()) {
        return error_reply(503, "5.5.1", "Error: already authenticated");
    }
    if (mail_from_) {
        return error_reply(503, "5.5.1", "Error: AUTH not permitted during a mail transaction");
    }
    std::string_view arg = c.argument;
    auto space = arg.find(' ');
    std::string mechanism = smtp::to_upper(arg.substr(0, space));
    std::string_view initial =
        space == std::string_view::npos ? std::string_view{} : arg.substr(space + 1);
    if (mechanism.empty()) {
        return error_reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
    }
    if (mechanism == "PLAIN") {
        if (initial.empty()) {
            response r;
            r.reply = "334 \r\n"; // RFC 4954 §4: an empty challenge
            r.effect = [this] {
                auth_step_ = auth_step::plain_response;
            };
            return r;
        }
        return check_plain(initial);
    }
    if (mechanism == "LOGIN") {
        response r;
        if (initial.empty()) {
            r.reply = "334 VXNlcm5hbWU6\r\n"; // "Username:"
            r.effect = [this] {
                auth_step_ = auth_step::login_user;
            };
            return r;
        }
        auto user = smtp::base64_decode(initial);
        if (!user) {
            return error_reply(501, "5.5.2", "Error: cannot decode response");
        }
        r.reply = "334 UGFzc3dvcmQ6\r\n"; // "Password:"
        r.effect = [this, u = *user] {
            seldom().auth_login_user = u;
            auth_step_ = auth_step::login_password;
        };
        return r;
    }
    // RFC 4954 §4: 504 for an unsupported mechanism.
    return error_reply(504, "5.5.4", "Error: unsupported authentication mechanism");
}

server_session::response server_session::check_plain(std::string_view encoded)
{
    // RFC 4954 §4: "=" is an empty response; RFC 4616 §2: [authzid] NUL authcid NUL passwd.
    if (encoded != "=" && !smtp::base64_decode(encoded)) {
        return error_reply(501, "5.5.2", "Error: cannot decode response");
    }
    const auto credentials = smtp::decode_sasl_plain(encoded);
    if (!credentials) {
        return error_reply(501, "5.5.2", "Error: malformed PLAIN response");
    }
    return auth_result(credentials->authcid, credentials->password);
}

server_session::response server_session::auth_result(std::string_view user,
                                                     std::string_view password)
{
    if (!config_.credentials->check(user, password)) {
        // RFC 4954 §6: 535 5.7.8 for bad credentials.
        return error_reply(535, "5.7.8", "Error: authentication credentials invalid");
    }
    response r;
    r.reply = smtp::make_reply(235, "2.7.0", "Authentication successful");
    r.effect = [this, u = std::string(user)] {
        seldom().auth_user = u;
        record_.set_auth(u);
    };
    return r;
}

void server_session::process_auth_line(std::string_view line, time_point now)
{
    auto step = std::exchange(auth_step_, auth_step::none);
    auto build = [&]() -> response {
        // RFC 4954 §4: "*" cancels the exchange with 501.
        if (line == "*") {
            return error_reply(501, "5.0.0", "Authentication cancelled");
        }
        if (step == auth_step::plain_response) {
            return check_plain(line);
        }
        auto decoded = smtp::base64_decode(line);
        if (!decoded) {
            return error_reply(501, "5.5.2", "Error: cannot decode response");
        }
        switch (step) {
        case auth_step::login_user: {
            response r;
            r.reply = "334 UGFzc3dvcmQ6\r\n";
            r.effect = [this, u = *decoded] {
                seldom().auth_login_user = u;
                auth_step_ = auth_step::login_password;
            };
            return r;
        }
        case auth_step::login_password:
            return auth_result(seldom().auth_login_user, *decoded);
        case auth_step::plain_response:
        case auth_step::none:
            break;
        }
        return error_reply(503, "5.5.1", "Error: no authentication in progress");
    };
    respond(smtp::phase::auth, "AUTH", {}, build, now);
}

} // namespace mock
