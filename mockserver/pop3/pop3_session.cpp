#include "mockserver/pop3/pop3_session.hpp"

#include "mockserver/reply_limits.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>

namespace mock::pop3 {

namespace {

std::optional<std::uint64_t> parse_number(std::string_view s)
{
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

const std::string no_such_message = "-ERR no such message\r\n";

} // namespace

std::uint64_t wire_size(std::string_view content) noexcept
{
    bool ends =
        content.empty() || (content.size() >= 2 && content.substr(content.size() - 2) == "\r\n");
    return content.size() + (ends ? 0 : 2);
}

bool multiline_stream::append_to(std::string& out, std::size_t limit)
{
    while (pos_ < content_.size() && out.size() < limit) {
        // RFC 1939 §3: a line starting with the termination octet is byte-stuffed.
        if (line_start_ && content_[pos_] == '.') {
            out += '.';
        }
        // The rest of this line, or as much of it as the limit allows.
        auto lf = content_.find('\n', pos_);
        std::size_t end = lf == std::string_view::npos ? content_.size() : lf + 1;
        // At least one octet, so that a stuffed dot is never sent twice.
        const std::size_t room = out.size() < limit ? limit - out.size() : 1;
        if (end - pos_ > room) {
            end = pos_ + room;
        }
        out.append(content_.substr(pos_, end - pos_));
        line_start_ = content_[end - 1] == '\n';
        pos_ = end;
    }
    if (pos_ < content_.size()) {
        return false;
    }
    if (!content_.empty() && !content_.ends_with("\r\n")) {
        out += "\r\n";
    }
    out += ".\r\n";
    return true;
}

std::string multiline_body(std::string_view content)
{
    std::string out;
    out.reserve(content.size() + content.size() / 64 + 8);
    multiline_stream(content).append_to(out, std::string::npos);
    return out;
}

std::string_view top_of(std::string_view content, std::uint64_t lines)
{
    // The header ends at the first empty line (RFC 5322 §2.1).
    std::size_t pos = 0;
    std::size_t header_end = std::string_view::npos;
    while (pos < content.size()) {
        auto lf = content.find('\n', pos);
        auto line_end = lf == std::string_view::npos ? content.size() : lf + 1;
        auto line = content.substr(pos, line_end - pos);
        if (line == "\r\n" || line == "\n") {
            header_end = line_end;
            break;
        }
        pos = line_end;
    }
    if (header_end == std::string_view::npos) {
        return content; // no body at all
    }
    pos = header_end;
    for (std::uint64_t n = 0; n < lines && pos < content.size(); ++n) {
        auto lf = content.find('\n', pos);
        pos = lf == std::string_view::npos ? content.size() : lf + 1;
    }
    return content.substr(0, pos);
}

pop3_session::pop3_session(maildrop_source& maildrops, session_config config,
                           faults::session_decider* faults)
    : maildrops_(maildrops)
    , config_(std::move(config))
    , faults_(faults)
{
}

action pop3_session::start(std::chrono::steady_clock::time_point now)
{
    if (auto f = decide({}, {}, now); !f.healthy()) {
        // A refused connection: the greeting is -ERR, then the server closes.
        if (f.refuse != imap::mailbox_fault::refusal::none && f.end == faults::ending::proceed) {
            f.end = faults::ending::close_fin;
        }
        auto out = carry_out(f, {});
        return out.empty() ? next(now) : write(std::move(out), now);
    }
    // RFC 1939 §4: the greeting is a positive response.
    return write(fmt::format("+OK {} POP3 server (smtp-mock) ready\r\n", config_.hostname), now);
}

imap::mailbox_fault pop3_session::decide(std::string_view verb, std::string_view arg,
                                         std::chrono::steady_clock::time_point now)
{
    if (faults_ == nullptr) {
        return {};
    }
    return imap::read_mailbox_fault(faults_->decide({smtp::phase::verify, verb, arg}, now));
}

// What a fault sends instead of the response to `verb` (empty at the greeting), and how the
// session goes on: hung, closing, or reading the next command.
std::string pop3_session::carry_out(const imap::mailbox_fault& f, std::string_view verb)
{
    using refusal = imap::mailbox_fault::refusal;
    std::string out;
    if (f.raw) {
        out = *f.raw;
    } else if (f.refuse == refusal::temporary) {
        // RFC 3206 §4: SYS/TEMP, a temporary system problem.
        out = "-ERR [SYS/TEMP] " + f.text + "\r\n";
    } else if (f.refuse == refusal::permanent) {
        // RFC 3206 §4: AUTH marks a refused login.
        const bool login = verb == "USER" || verb == "PASS";
        out = (login ? "-ERR [AUTH] " : "-ERR ") + f.text + "\r\n";
    }
    if (f.refuse != refusal::none && (verb == "USER" || verb == "PASS")) {
        have_user_ = false; // a refused USER or PASS starts the login over
    }
    if (f.end == faults::ending::hang) {
        hung_ = true;
    } else if (f.end != faults::ending::proceed) {
        close_after_write_ = true;
        reset_ = f.end == faults::ending::close_rst;
    }
    return out;
}

action pop3_session::write(std::string bytes, std::chrono::steady_clock::time_point now)
{
    // A client that takes nothing is dropped after the autologout time, as a silent one is.
    return write_action{std::move(bytes), now + config_.idle_timeout};
}

action pop3_session::on_written(std::chrono::steady_clock::time_point now)
{
    if (close_after_write_ && !body_) {
        state_ = state::closed;
        return close_action{reset_};
    }
    return next(now);
}

action pop3_session::on_read(std::string_view bytes, std::chrono::steady_clock::time_point now)
{
    if (hung_) {
        return read_action{now + config_.idle_timeout}; // what arrives is discarded
    }
    input_.append(bytes);
    return next(now);
}

action pop3_session::on_timeout(std::chrono::steady_clock::time_point)
{
    // RFC 1939 §3: on autologout the session closes without entering UPDATE.
    state_ = state::closed;
    return close_action{};
}

action pop3_session::on_io_error(transport_error)
{
    // Whether the client closed, reset or the network failed, the session is over without
    // UPDATE (RFC 1939 §6).
    state_ = state::closed;
    return close_action{};
}

action pop3_session::on_shutdown()
{
    state_ = state::closed;
    return close_action{};
}

// Answers the complete lines in the input (clients may pipeline, RFC 2449 §6.6), stopping after
// a QUIT, and once about max_combined_write octets are due: the rest follows that write.
action pop3_session::next(std::chrono::steady_clock::time_point now)
{
    std::string out;
    for (;;) {
        if (hung_) {
            input_.clear();
            break;
        }
        if (body_) {
            if (!body_->append_to(out, max_combined_write)) {
                return write(std::move(out), now);
            }
            body_.reset();
        }
        if (close_after_write_ || out.size() >= max_combined_write) {
            break;
        }
        auto lf = input_.find('\n');
        if (lf == std::string::npos) {
            if (input_.size() > max_line) {
                input_.clear();
                if (!discarding_) {
                    discarding_ = true;
                    out += "-ERR line too long\r\n";
                }
            }
            break;
        }
        std::string line = input_.substr(0, lf);
        input_.erase(0, lf + 1);
        if (discarding_) {
            discarding_ = false; // the tail of an over-long line
            continue;
        }
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.size() > max_line) {
            out += "-ERR line too long\r\n";
            continue;
        }
        out += handle(line, now);
    }
    if (!out.empty()) {
        return write(std::move(out), now);
    }
    if (close_after_write_) {
        state_ = state::closed;
        return close_action{reset_};
    }
    return read_action{now + config_.idle_timeout};
}

std::string pop3_session::handle(std::string_view line, std::chrono::steady_clock::time_point now)
{
    // RFC 1939 §3: a keyword, case-insensitive, then arguments separated by single spaces.
    auto space = line.find(' ');
    auto verb = smtp::to_upper(line.substr(0, space));
    std::string_view arg =
        space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    if (verb.empty()) {
        return "-ERR empty command\r\n";
    }
    if (auto f = decide(verb, arg, now); !f.healthy()) {
        return carry_out(f, verb);
    }
    if (verb == "CAPA") {
        return capabilities();
    }
    if (state_ == state::authorization) {
        return authorization_command(verb, arg);
    }
    return transaction_command(verb, arg);
}

std::string pop3_session::capabilities() const
{
    // RFC 2449 §5.
    return "+OK capability list follows\r\n"
           "USER\r\n"
           "UIDL\r\n"
           "TOP\r\n"
           "PIPELINING\r\n"
           "RESP-CODES\r\n"
           "AUTH-RESP-CODE\r\n"
           "IMPLEMENTATION smtp-mock\r\n"
           ".\r\n";
}

std::string pop3_session::drop_listing() const
{
    std::size_t count = 0;
    std::uint64_t octets = 0;
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        if (!deleted_[i]) {
            ++count;
            octets += wire_size(messages_[i].message->data);
        }
    }
    return fmt::format("{} {}", count, octets);
}

std::string pop3_session::authorization_command(std::string_view verb, std::string_view arg)
{
    if (verb == "USER") {
        // RFC 1939 §7: USER name.
        if (arg.empty()) {
            return "-ERR USER needs a mailbox name\r\n";
        }
        user_ = std::string(arg);
        have_user_ = true;
        return fmt::format("+OK {} is known here\r\n", user_);
    }
    if (verb == "PASS") {
        // RFC 1939 §7: PASS only right after a successful USER.
        if (!have_user_) {
            return "-ERR give USER first\r\n";
        }
        have_user_ = false;
        if (!maildrops_.authenticate(user_, arg)) {
            user_.clear();
            // RFC 3206 §4: [AUTH] marks bad credentials.
            return "-ERR [AUTH] invalid user name or password\r\n";
        }
        messages_ = maildrops_.open(user_);
        deleted_.assign(messages_.size(), false);
        state_ = state::transaction;
        auto listing = drop_listing();
        auto sp = listing.find(' ');
        return fmt::format("+OK maildrop has {} messages ({} octets)\r\n", listing.substr(0, sp),
                           listing.substr(sp + 1));
    }
    if (verb == "QUIT") {
        close_after_write_ = true;
        return fmt::format("+OK {} POP3 server signing off\r\n", config_.hostname);
    }
    if (verb == "APOP" || verb == "AUTH") {
        return "-ERR only USER and PASS are supported\r\n";
    }
    if (verb == "STAT" || verb == "LIST" || verb == "UIDL" || verb == "RETR" || verb == "DELE" ||
        verb == "TOP" || verb == "RSET" || verb == "NOOP") {
        return "-ERR log in with USER and PASS first\r\n";
    }
    return fmt::format("-ERR unknown command {}\r\n", verb);
}

std::optional<std::size_t> pop3_session::message_number(std::string_view arg) const
{
    auto n = parse_number(arg);
    if (!n || *n == 0 || *n > messages_.size() || deleted_[*n - 1]) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(*n - 1);
}

// RFC 1939 §5: LIST (message sizes) or UIDL (unique ids), of one message or of all.
std::string pop3_session::listing(bool uidl, std::string_view arg) const
{
    auto item = [&](std::size_t i) {
        return uidl ? fmt::format("{} {}", i + 1, messages_[i].id)
                    : fmt::format("{} {}", i + 1, wire_size(messages_[i].message->data));
    };
    if (!arg.empty()) {
        auto i = message_number(arg);
        return i ? "+OK " + item(*i) + "\r\n" : no_such_message;
    }
    std::string out = uidl ? "+OK unique-id listing follows\r\n"
                           : "+OK " + drop_listing() + " scan listing follows\r\n";
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        if (!deleted_[i]) {
            out += item(i) + "\r\n";
        }
    }
    return out + ".\r\n";
}

// RFC 1939 §6: QUIT in TRANSACTION enters UPDATE, which removes the messages marked deleted.
std::string pop3_session::update()
{
    state_ = state::update;
    std::vector<std::string> gone;
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        if (deleted_[i]) {
            gone.push_back(messages_[i].id);
        }
    }
    if (!gone.empty()) {
        maildrops_.remove(user_, gone);
    }
    close_after_write_ = true;
    std::size_t left = messages_.size() - gone.size();
    return fmt::format("+OK {} POP3 server signing off ({} messages left)\r\n", config_.hostname,
                       left);
}

std::string pop3_session::transaction_command(std::string_view verb, std::string_view arg)
{
    if (verb == "STAT") {
        return "+OK " + drop_listing() + "\r\n";
    }
    if (verb == "LIST" || verb == "UIDL") {
        return listing(verb == "UIDL", arg);
    }
    if (verb == "RETR") {
        auto i = message_number(arg);
        if (!i) {
            return no_such_message;
        }
        const auto& data = messages_[*i].message->data;
        body_.emplace(data); // sent a piece at a time by next()
        return fmt::format("+OK {} octets\r\n", wire_size(data));
    }
    if (verb == "TOP") {
        auto space = arg.find(' ');
        auto i = message_number(arg.substr(0, space));
        auto lines =
            space == std::string_view::npos ? std::nullopt : parse_number(arg.substr(space + 1));
        if (!i) {
            return no_such_message;
        }
        if (!lines) {
            return "-ERR TOP needs a message number and a line count\r\n";
        }
        body_.emplace(top_of(messages_[*i].message->data, *lines));
        return "+OK top of message follows\r\n";
    }
    if (verb == "DELE") {
        auto i = message_number(arg);
        if (!i) {
            return no_such_message;
        }
        deleted_[*i] = true;
        return fmt::format("+OK message {} deleted\r\n", *i + 1);
    }
    if (verb == "RSET") {
        std::fill(deleted_.begin(), deleted_.end(), false);
        auto listing = drop_listing();
        auto sp = listing.find(' ');
        return fmt::format("+OK maildrop has {} messages ({} octets)\r\n", listing.substr(0, sp),
                           listing.substr(sp + 1));
    }
    if (verb == "NOOP") {
        return "+OK\r\n";
    }
    if (verb == "QUIT") {
        return update();
    }
    if (verb == "USER" || verb == "PASS" || verb == "APOP") {
        return "-ERR already logged in\r\n";
    }
    return fmt::format("-ERR unknown command {}\r\n", verb);
}

} // namespace mock::pop3
