#include "smtp/command.hpp"

#include "smtp/ascii.hpp"
#include "smtp/error.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace smtp {
namespace {

constexpr std::array<std::pair<verb, std::string_view>, 14> verb_names{{
    {verb::helo, "HELO"},
    {verb::ehlo, "EHLO"},
    {verb::mail, "MAIL"},
    {verb::rcpt, "RCPT"},
    {verb::data, "DATA"},
    {verb::rset, "RSET"},
    {verb::noop, "NOOP"},
    {verb::quit, "QUIT"},
    {verb::vrfy, "VRFY"},
    {verb::expn, "EXPN"},
    {verb::help, "HELP"},
    {verb::starttls, "STARTTLS"},
    {verb::auth, "AUTH"},
    {verb::bdat, "BDAT"},
}};

bool is_alnum(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5321 §4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_keyword(std::string_view s) noexcept
{
    if (s.empty() || !is_alnum(s.front())) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

// RFC 5321 §4.1.2: esmtp-value = 1*(%d33-60 / %d62-126), widened by RFC 6531 to UTF-8.
bool is_value(std::string_view s) noexcept
{
    if (s.empty()) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u >= 33 && u != '=' && u != 127;
    });
}

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

// RFC 5321 §4.1.2 atext (RFC 5322 §3.2.3), widened to UTF-8 octets by RFC 6531 §3.3.
bool is_atext(char c) noexcept
{
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return is_alnum(c) || static_cast<unsigned char>(c) >= 128 ||
           specials.find(c) != std::string_view::npos;
}

// A domain or an address literal (RFC 5321 §4.1.2, §4.1.3). Lenient about label shape,
// strict about what may never appear in a domain: spaces, controls and delimiters.
bool is_domain(std::string_view s) noexcept
{
    if (s.empty()) {
        return false;
    }
    if (s.front() == '[') {
        // address-literal: "[" ... "]" with dcontent = %d33-90 / %d94-126 inside.
        if (s.size() < 3 || s.back() != ']') {
            return false;
        }
        return std::all_of(s.begin() + 1, s.end() - 1, [](char c) {
            auto u = static_cast<unsigned char>(c);
            return u >= 33 && u <= 126 && c != '[' && c != ']' && c != '\\';
        });
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return is_alnum(c) || c == '-' || c == '.' || c == '_' ||
               static_cast<unsigned char>(c) >= 128;
    });
}

// Strips a source route "@a,@b:" (RFC 5321 §4.1.2 A-d-l), which Appendix C says to accept
// and ignore. Returns the mailbox after it, or nothing when the route is malformed.
std::optional<std::string_view> strip_source_route(std::string_view s) noexcept
{
    if (s.empty() || s.front() != '@') {
        return s;
    }
    auto colon = s.find(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view route = s.substr(0, colon);
    while (!route.empty()) {
        // At-domain *( "," At-domain )
        if (route.front() != '@') {
            return std::nullopt;
        }
        auto comma = route.find(',');
        if (!is_domain(route.substr(1, comma == std::string_view::npos ? comma : comma - 1))) {
            return std::nullopt;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        route.remove_prefix(comma + 1);
        if (route.empty()) {
            return std::nullopt;
        }
    }
    return s.substr(colon + 1);
}

// RFC 5321 §4.1.2: Mailbox = Local-part "@" ( Domain / address-literal ), where the local
// part is a Dot-string or a Quoted-string.
bool is_mailbox(std::string_view s) noexcept
{
    std::size_t i = 0;
    if (!s.empty() && s.front() == '"') {
        // Quoted-string: qtextSMTP = %d32-33 / %d35-91 / %d93-126, quoted-pairSMTP = "\" %d32-126
        for (i = 1; i < s.size() && s[i] != '"'; ++i) {
            auto u = static_cast<unsigned char>(s[i]);
            if (s[i] == '\\') {
                ++i;
                if (i == s.size() || static_cast<unsigned char>(s[i]) < 32 ||
                    static_cast<unsigned char>(s[i]) == 127) {
                    return false;
                }
            } else if (u < 32 || u == 127) {
                return false;
            }
        }
        if (i == s.size()) {
            return false; // no closing quote
        }
        ++i;
    } else {
        // Dot-string: atext and dots; leniently, without checking where the dots fall.
        while (i < s.size() && (is_atext(s[i]) || s[i] == '.')) {
            ++i;
        }
        if (i == 0) {
            return false;
        }
    }
    if (i == s.size() || s[i] != '@') {
        return false;
    }
    return is_domain(s.substr(i + 1));
}

// The offset of the '>' that closes a path starting with '<', skipping any '>' inside a
// quoted local part; npos when there is none.
std::size_t find_path_end(std::string_view s) noexcept
{
    bool quoted = false;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (quoted && s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && s[i] == '>') {
            return i;
        }
    }
    return std::string_view::npos;
}

// Checks the values of the parameters whose syntax this project knows.
bool is_known_value_valid(const esmtp_parameter& p)
{
    if (p.keyword == "SIZE") {
        // RFC 1870 §3: size-value = 1*20DIGIT
        return p.value && p.value->size() <= 20 &&
               std::all_of(p.value->begin(), p.value->end(), is_digit);
    }
    if (p.keyword == "BODY") {
        // RFC 6152 §2 (7BIT, 8BITMIME), RFC 3030 §3 (BINARYMIME).
        return p.value && (iequals(*p.value, "7BIT") || iequals(*p.value, "8BITMIME") ||
                           iequals(*p.value, "BINARYMIME"));
    }
    if (p.keyword == "SMTPUTF8") {
        // RFC 6531 §3.4: the SMTPUTF8 parameter takes no value.
        return !p.value;
    }
    return true;
}

boost::system::result<path_argument> parse_path_argument(std::string_view argument,
                                                         std::string_view prefix, bool null_allowed,
                                                         bool is_rcpt)
{
    if (!istarts_with(argument, prefix)) {
        return make_error_code(wire_errc::path_missing);
    }
    argument.remove_prefix(prefix.size());
    // RFC 5321 forbids a space after the colon; many clients send one, so accept it.
    while (!argument.empty() && argument.front() == ' ') {
        argument.remove_prefix(1);
    }
    if (argument.empty() || argument.front() != '<') {
        return make_error_code(argument.empty() ? wire_errc::path_missing : wire_errc::path_syntax);
    }
    auto close = find_path_end(argument);
    if (close == std::string_view::npos) {
        return make_error_code(wire_errc::path_syntax);
    }
    path_argument out;
    std::string_view path = argument.substr(1, close - 1);
    if (path.empty()) {
        // RFC 5321 §4.1.1.2: the null reverse-path "<>", for MAIL only.
        if (!null_allowed) {
            return make_error_code(wire_errc::path_syntax);
        }
    } else if (is_rcpt && iequals(path, "Postmaster")) {
        // RFC 5321 §4.1.1.3, §4.5.1: "<Postmaster>" without a domain.
        out.mailbox = std::string(path);
    } else {
        auto mailbox = strip_source_route(path);
        if (!mailbox || !is_mailbox(*mailbox)) {
            return make_error_code(wire_errc::path_syntax);
        }
        out.mailbox = std::string(*mailbox);
    }
    std::string_view rest = argument.substr(close + 1);
    if (!rest.empty() && rest.front() != ' ') {
        return make_error_code(wire_errc::path_syntax);
    }
    while (!rest.empty()) {
        while (!rest.empty() && rest.front() == ' ') {
            rest.remove_prefix(1);
        }
        if (rest.empty()) {
            break;
        }
        auto end = rest.find(' ');
        std::string_view param = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        esmtp_parameter p;
        auto eq = param.find('=');
        std::string_view keyword = param.substr(0, eq);
        if (!is_keyword(keyword)) {
            return make_error_code(wire_errc::parameter_syntax);
        }
        p.keyword = to_upper(keyword);
        if (eq != std::string_view::npos) {
            std::string_view value = param.substr(eq + 1);
            if (!is_value(value)) {
                return make_error_code(wire_errc::parameter_syntax);
            }
            p.value = std::string(value);
        }
        if (!is_known_value_valid(p)) {
            return make_error_code(wire_errc::parameter_syntax);
        }
        if (out.find(p.keyword) != nullptr) {
            return make_error_code(wire_errc::parameter_duplicate);
        }
        out.parameters.push_back(std::move(p));
    }
    return out;
}

} // namespace

std::string_view to_string(verb v) noexcept
{
    for (const auto& [known, name] : verb_names) {
        if (known == v) {
            return name;
        }
    }
    return "UNKNOWN";
}

std::optional<phase> phase_of(verb v) noexcept
{
    switch (v) {
    case verb::helo:
        return phase::helo;
    case verb::ehlo:
        return phase::ehlo;
    case verb::mail:
        return phase::mail;
    case verb::rcpt:
        return phase::rcpt;
    case verb::data:
    case verb::bdat:
        return phase::data;
    case verb::rset:
        return phase::rset;
    case verb::noop:
        return phase::noop;
    case verb::quit:
        return phase::quit;
    case verb::vrfy:
        return phase::vrfy;
    case verb::starttls:
        return phase::starttls;
    case verb::auth:
        return phase::auth;
    case verb::expn:
    case verb::help:
    case verb::unknown:
        return std::nullopt;
    }
    return std::nullopt;
}

command parse_command(std::string_view line)
{
    command out;
    auto space = line.find(' ');
    std::string_view name = line.substr(0, space);
    out.name = to_upper(name);
    if (space != std::string_view::npos) {
        out.argument = std::string(line.substr(space + 1));
    }
    for (const auto& [known, text] : verb_names) {
        if (out.name == text) {
            out.cmd = known;
            break;
        }
    }
    return out;
}

const esmtp_parameter* path_argument::find(std::string_view keyword) const noexcept
{
    for (const auto& p : parameters) {
        if (p.keyword == keyword) {
            return &p;
        }
    }
    return nullptr;
}

boost::system::result<path_argument> parse_mail_argument(std::string_view argument)
{
    return parse_path_argument(argument, "FROM:", true, false);
}

boost::system::result<path_argument> parse_rcpt_argument(std::string_view argument)
{
    return parse_path_argument(argument, "TO:", false, true);
}

} // namespace smtp
