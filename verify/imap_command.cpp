#include "verify/imap_command.hpp"

namespace verify {

bool is_imap_atom(std::string_view s) noexcept
{
    // RFC 3501 §9: ATOM-CHAR = <any CHAR except atom-specials>; atom-specials = "(" / ")" /
    // "{" / SP / CTL / list-wildcards ("%" "*") / quoted-specials (DQUOTE "\") / resp-specials
    // ("]").
    if (s.empty()) {
        return false;
    }
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' ||
            c == '"' || c == '\\' || c == ']') {
            return false;
        }
    }
    return true;
}

bool is_imap_quotable(std::string_view s) noexcept
{
    // RFC 3501 §9: QUOTED-CHAR is any TEXT-CHAR (CHAR %x01-7F without CR and LF).
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) {
            return false;
        }
    }
    return true;
}

imap_command& imap_command::text(std::string_view s)
{
    segments.back() += s;
    transcript += s;
    return *this;
}

imap_command& imap_command::string(std::string_view s, std::string_view shown)
{
    if (is_imap_quotable(s)) {
        std::string quoted = "\"";
        for (char c : s) {
            if (c == '"' || c == '\\') {
                quoted += '\\';
            }
            quoted += c;
        }
        quoted += '"';
        segments.back() += quoted;
        transcript += shown.empty() ? std::string_view(quoted) : shown;
        return *this;
    }
    // RFC 3501 §4.3: literal = "{" number "}" CRLF *CHAR8; the client waits for "+" (§7.5).
    const std::string header = "{" + std::to_string(s.size()) + "}";
    segments.back() += header + "\r\n";
    segments.emplace_back(s);
    transcript +=
        shown.empty() ? header + "<" + std::to_string(s.size()) + " octets>" : std::string(shown);
    return *this;
}

imap_command& imap_command::astring(std::string_view s, std::string_view shown)
{
    if (is_imap_atom(s)) {
        segments.back() += s;
        transcript += shown.empty() ? s : shown;
        return *this;
    }
    return string(s, shown);
}

imap_command& imap_command::end()
{
    segments.back() += "\r\n";
    return *this;
}

} // namespace verify
