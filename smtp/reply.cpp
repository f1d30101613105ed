#include "smtp/reply.hpp"

#include <charconv>

namespace smtp {
namespace {

// Reads 1 to `max_digits` decimal digits; returns the value and the count, or -1 and 0.
std::pair<int, std::size_t> read_number(std::string_view s, std::size_t max_digits)
{
    std::size_t n = 0;
    while (n < s.size() && n < max_digits + 1 && s[n] >= '0' && s[n] <= '9') {
        ++n;
    }
    if (n == 0 || n > max_digits) {
        return {-1, 0};
    }
    int value = 0;
    std::from_chars(s.data(), s.data() + n, value);
    return {value, n};
}

} // namespace

std::string enhanced_code::to_string() const
{
    return std::to_string(klass) + '.' + std::to_string(subject) + '.' + std::to_string(detail);
}

std::optional<std::pair<enhanced_code, std::size_t>> parse_enhanced_code(std::string_view text)
{
    // RFC 3463 §2: class "." subject "." detail; class is 2, 4 or 5; subject and detail are
    // 1 to 3 digits.
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') ||
        text[1] != '.') {
        return std::nullopt;
    }
    enhanced_code code;
    code.klass = text[0] - '0';
    std::size_t pos = 2;
    auto [subject, n1] = read_number(text.substr(pos), 3);
    if (n1 == 0 || pos + n1 >= text.size() || text[pos + n1] != '.') {
        return std::nullopt;
    }
    code.subject = subject;
    pos += n1 + 1;
    auto [detail, n2] = read_number(text.substr(pos), 3);
    if (n2 == 0) {
        return std::nullopt;
    }
    code.detail = detail;
    pos += n2;
    if (pos < text.size() && text[pos] != ' ') {
        return std::nullopt;
    }
    return std::pair{code, pos};
}

std::optional<enhanced_code> reply::enhanced() const
{
    if (lines.empty()) {
        return std::nullopt;
    }
    auto parsed = parse_enhanced_code(lines.front());
    // RFC 3463 §2 / RFC 2034 §4: the class must match the first digit of the reply code.
    if (!parsed || parsed->first.klass != klass()) {
        return std::nullopt;
    }
    return parsed->first;
}

std::string reply::text() const
{
    std::string out;
    for (const auto& line : lines) {
        if (!out.empty()) {
            out += ' ';
        }
        out += line;
    }
    return out;
}

std::string reply::to_wire() const
{
    return make_reply(code, lines);
}

std::string make_reply(int code, std::string_view enhanced, std::string_view text)
{
    // RFC 5321 §4.2: Reply-code [ SP textstring ] CRLF; the SP comes only with text.
    // Sized once (a reply of up to 15 octets stays in the string itself): the code, a space
    // before each of the texts there is, the texts and the CRLF.
    const auto digits = std::to_string(code);
    const bool any = !enhanced.empty() || !text.empty();
    const std::size_t spaces = (any ? 1 : 0) + (!enhanced.empty() && !text.empty() ? 1 : 0);
    std::string out;
    out.reserve(digits.size() + spaces + enhanced.size() + text.size() + 2);
    out += digits;
    if (any) {
        out += ' ';
    }
    if (!enhanced.empty()) {
        out += enhanced;
        if (!text.empty()) {
            out += ' ';
        }
    }
    out += text;
    out += "\r\n";
    return out;
}

std::string make_reply(int code, const std::vector<std::string>& lines)
{
    std::string out;
    const std::string digits = std::to_string(code);
    if (lines.empty()) {
        return digits + "\r\n";
    }
    // RFC 5321 §4.2: every line but the last is "code-text"; the last is "code SP text", or
    // the code alone when it has no text.
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += digits;
        bool last = i + 1 == lines.size();
        if (!last) {
            out += '-';
        } else if (!lines[i].empty()) {
            out += ' ';
        }
        out += lines[i];
        out += "\r\n";
    }
    return out;
}

} // namespace smtp
