#pragma once

// Errors of the round-trip verification. No I/O.

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace verify {

/// Errors of the round trip. Network, TLS and resolver errors keep their own categories
/// (boost::asio::error, boost::asio::ssl::error); these are the ones the verifier decides.
enum class verify_errc {
    url_syntax = 1,  ///< the --verify URL is not a URL
    url_scheme,      ///< the URL scheme is not pop3, pop3s, imap or imaps
    url_credentials, ///< the URL lacks USER:PASS@, or its percent-encoding is broken
    url_host,        ///< the URL names no host
    url_port,        ///< the URL port is not a number from 1 to 65535
    url_path,        ///< the URL has a path (a mailbox name), which is not supported
    not_delivered,   ///< the mailbox was read until the timeout; the message never arrived
    auth_failed,     ///< the server refused the user name or password (POP3 -ERR, IMAP NO)
    server_rejected, ///< the server answered -ERR, NO or BAD to another command
    server_busy,     ///< a temporary refusal: POP3 [IN-USE]/[SYS/TEMP], IMAP [INUSE]/[UNAVAILABLE]
    server_bye,      ///< the IMAP server said BYE unasked
    protocol_error,  ///< a response that is not POP3 or IMAP, or one that breaks its syntax
    response_too_long, ///< a line, literal or listing over the verifier's bounds
    timeout,           ///< one step got no complete response within its deadline
    closed,            ///< the server closed the connection before a complete response
};

/// The category of verify_errc, named "smtp.verify".
const boost::system::error_category& verify_category() noexcept;

/// Makes an error_code from a verify_errc.
inline boost::system::error_code make_error_code(verify_errc e) noexcept
{
    return {static_cast<int>(e), verify_category()};
}

} // namespace verify

template <> struct boost::system::is_error_code_enum<verify::verify_errc> : std::true_type {
};
