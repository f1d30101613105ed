#pragma once

#include "smtp/phase.hpp"

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp {

/// The commands a server knows (RFC 5321 §4.1.1, RFC 3207, RFC 4954, RFC 3030).
enum class verb {
    helo,
    ehlo,
    mail,
    rcpt,
    data,
    rset,
    noop,
    quit,
    vrfy,
    expn,
    help,
    starttls,
    auth,
    bdat,
    unknown, ///< anything else; the server answers 500
};

/// The command name as sent on the wire, e.g. "STARTTLS".
std::string_view to_string(verb v) noexcept;

/// The phase in which a command is sent, where it has one (HELP and EXPN have none).
std::optional<phase> phase_of(verb v) noexcept;

/// One command line, split into its verb and argument (RFC 5321 §4.1.1).
struct command {
    /// The recognised verb, or verb::unknown.
    verb cmd = verb::unknown;
    /// The verb as sent, upper-cased.
    std::string name;
    /// Everything after the verb and the single space that follows it.
    std::string argument;
};

/// Splits a command line (without CRLF). Verbs are case-insensitive (RFC 5321 §2.4).
command parse_command(std::string_view line);

/// An ESMTP parameter of MAIL or RCPT (RFC 5321 §4.1.2), e.g. SIZE=1024 or SMTPUTF8.
struct esmtp_parameter {
    /// The keyword, upper-cased.
    std::string keyword;
    /// The value after '=', if any.
    std::optional<std::string> value;
};

/// The argument of MAIL FROM: or RCPT TO:.
struct path_argument {
    /// The mailbox inside the angle brackets, without any source route "@a,@b:" (RFC 5321
    /// Appendix C); empty for the null reverse-path "<>".
    std::string mailbox;
    /// ESMTP parameters after the path, in order.
    std::vector<esmtp_parameter> parameters;

    /// The parameter with this (upper-case) keyword, if given.
    const esmtp_parameter* find(std::string_view keyword) const noexcept;
};

/// Parses the argument of MAIL: "FROM:<reverse-path> [params]" (RFC 5321 §4.1.1.2).
/// Spaces after the colon are tolerated. Parameters must be well-formed and unique; the values
/// of SIZE (RFC 1870), BODY (RFC 6152, RFC 3030) and SMTPUTF8 (RFC 6531) are also checked.
boost::system::result<path_argument> parse_mail_argument(std::string_view argument);

/// Parses the argument of RCPT: "TO:<forward-path> [params]" (RFC 5321 §4.1.1.3).
/// "<Postmaster>" without a domain is accepted, as §4.5.1 requires.
boost::system::result<path_argument> parse_rcpt_argument(std::string_view argument);

} // namespace smtp
