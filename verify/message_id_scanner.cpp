#include "verify/message_id_scanner.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace verify {
namespace {

// A Message-ID header longer than this is not ours; stop collecting (bounded memory).
constexpr std::size_t max_value_octets = 4096;

bool is_wsp(char c) noexcept
{
    return c == ' ' || c == '\t';
}

std::string without_whitespace(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (!std::isspace(static_cast<unsigned char>(c))) {
            out += c;
        }
    }
    return out;
}

} // namespace

std::string normalize_message_id(std::string_view id)
{
    std::string s = without_whitespace(id);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') {
        return s;
    }
    return "<" + s + ">";
}

message_id_scanner::message_id_scanner(std::string_view wanted)
    : wanted_(normalize_message_id(wanted))
{
}

void message_id_scanner::reset()
{
    value_.clear();
    open_ = open_header::other;
    matched_ = false;
    ended_ = false;
    subject_.reset();
    body_.clear();
    body_truncated_ = false;
}

void message_id_scanner::close_header()
{
    if (open_ == open_header::subject && !subject_) {
        const auto first = value_.find_first_not_of(" \t");
        const auto last = value_.find_last_not_of(" \t");
        subject_ =
            first == std::string::npos ? std::string() : value_.substr(first, last - first + 1);
    }
    if (open_ == open_header::message_id) {
        // RFC 5322 §3.6.4: msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]; compare the
        // bracketed part, so comments around it do not matter.
        const std::string v = without_whitespace(value_);
        const auto open = v.find('<');
        const auto close = open == std::string::npos ? open : v.find('>', open);
        const std::string id =
            close == std::string::npos ? normalize_message_id(v) : v.substr(open, close - open + 1);
        if (id == wanted_) {
            matched_ = true;
        }
    }
    open_ = open_header::other;
    value_.clear();
}

void message_id_scanner::skip_line()
{
    if (ended_) {
        body_truncated_ = true;
    }
}

void message_id_scanner::feed_body_line(std::string_view line)
{
    if (body_truncated_ || body_.size() + line.size() + 2 > max_body_octets) {
        body_truncated_ = true;
        return;
    }
    body_ += line;
    body_ += "\r\n";
}

void message_id_scanner::feed_line(std::string_view line)
{
    if (ended_) {
        feed_body_line(line);
        return;
    }
    if (line.empty()) {
        close_header();
        ended_ = true;
        return;
    }
    if (is_wsp(line.front())) {
        if (open_ != open_header::other && value_.size() + line.size() <= max_value_octets) {
            value_ += line;
        }
        return;
    }
    close_header();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        return; // not a header field; ignore it, as lenient readers do
    }
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) {
        name.remove_suffix(1);
    }
    if (smtp::iequals(name, "Message-ID")) {
        open_ = open_header::message_id;
    } else if (smtp::iequals(name, "Subject")) {
        open_ = open_header::subject;
    } else {
        return;
    }
    value_ = line.substr(colon + 1, max_value_octets);
}

void message_id_scanner::finish()
{
    if (!ended_) {
        close_header();
        ended_ = true;
    }
}

} // namespace verify
