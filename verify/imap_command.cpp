#include "verify/imap_command.hpp"

#include "smtp/imap_syntax.hpp"

namespace verify {

imap_command& imap_command::text(std::string_view s)
{
    segments.back() += s;
    transcript += s;
    return *this;
}

imap_command& imap_command::string(std::string_view s, std::string_view shown)
{
    if (smtp::imap::is_quotable(s)) {
        const std::string quoted = smtp::imap::quoted(s);
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
    if (smtp::imap::is_atom(s)) {
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
