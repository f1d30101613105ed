#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace smtp {

/// Errors found in the bytes of the SMTP wire protocol, by either side.
enum class wire_errc {
    line_too_long = 1,    ///< a line exceeded its RFC 5321 §4.5.3.1 limit
    reply_too_short,      ///< a reply line shorter than its three-digit code
    reply_bad_code,       ///< a reply code that is not three digits in 2xx-5xx
    reply_bad_separator,  ///< the fourth octet of a reply line is neither SP nor '-'
    reply_code_mismatch,  ///< a multi-line reply whose lines carry different codes
    reply_too_many_lines, ///< a multi-line reply that never ends
    command_empty,        ///< an empty command line
    path_missing,         ///< MAIL or RCPT without its FROM:/TO: and path
    path_syntax,          ///< a reverse- or forward-path that is not <mailbox>
    parameter_syntax,     ///< a malformed ESMTP parameter
    parameter_duplicate,  ///< an ESMTP parameter given twice
    enhanced_code_syntax, ///< text that looks like an RFC 3463 code but is not one
};

/// The category of `wire_errc`, named "smtp.wire".
const boost::system::error_category& wire_category() noexcept;

/// Makes an error_code from a wire_errc.
inline boost::system::error_code make_error_code(wire_errc e) noexcept
{
    return {static_cast<int>(e), wire_category()};
}

} // namespace smtp

template <> struct boost::system::is_error_code_enum<smtp::wire_errc> : std::true_type {
};
