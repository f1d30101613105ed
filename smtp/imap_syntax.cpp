#include "smtp/imap_syntax.hpp"

namespace smtp::imap {

bool is_atom_char(char ch) noexcept
{
    // RFC 3501 §9: ATOM-CHAR = <any CHAR except atom-specials>; atom-specials = "(" / ")" /
    // "{" / SP / CTL / list-wildcards ("%" "*") / quoted-specials (DQUOTE "\") / resp-specials
    // ("]").
    const auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
           c != '"' && c != '\\' && c != ']';
}

bool is_astring_char(char c) noexcept
{
    return c == ']' || is_atom_char(c);
}

bool is_atom(std::string_view s) noexcept
{
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!is_atom_char(c)) {
            return false;
        }
    }
    return true;
}

bool is_quotable(std::string_view s) noexcept
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

std::string quoted(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string string_or_literal(std::string_view s)
{
    if (is_quotable(s)) {
        return quoted(s);
    }
    // RFC 3501 §4.3: literal = "{" number "}" CRLF *CHAR8.
    std::string out = "{" + std::to_string(s.size()) + "}\r\n";
    out += s;
    return out;
}

std::string astring(std::string_view s)
{
    return is_atom(s) ? std::string(s) : string_or_literal(s);
}

std::optional<literal_header> trailing_literal(std::string_view line) noexcept
{
    // RFC 3501 §9: literal = "{" number "}" CRLF; RFC 7888 adds "{" number "+}" (LITERAL+).
    const std::size_t full = line.size();
    if (line.empty() || line.back() != '}') {
        return std::nullopt;
    }
    line.remove_suffix(1);
    literal_header h;
    if (!line.empty() && line.back() == '+') {
        h.non_synchronizing = true;
        line.remove_suffix(1);
    }
    std::size_t digits = 0;
    while (digits < line.size() && line[line.size() - 1 - digits] >= '0' &&
           line[line.size() - 1 - digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits > 10 || digits == line.size() ||
        line[line.size() - 1 - digits] != '{') {
        return std::nullopt;
    }
    for (char c : line.substr(line.size() - digits)) {
        h.size = h.size * 10 + static_cast<std::size_t>(c - '0');
    }
    h.length = full - (line.size() - digits - 1);
    return h;
}

} // namespace smtp::imap
