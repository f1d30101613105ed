#pragma once

// Errors of DNS lookups (io/dns_resolver.hpp). No I/O.

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace io {

/// Why a DNS lookup gave no answer. The RCODEs are those of RFC 1035 §4.1.1; a lookup whose own
/// deadline passed is io::client_errc::timeout instead, a cancelled one
/// boost::asio::error::operation_aborted.
enum class dns_errc {
    nxdomain = 1,     ///< the name does not exist (RCODE 3, NXDOMAIN)
    no_data,          ///< the name exists but has no record of the type asked for (RFC 2308 §2.2)
    server_failure,   ///< the server could not answer (RCODE 2, SERVFAIL)
    refused,          ///< the server refused to answer (RCODE 5, REFUSED)
    timeout,          ///< no server answered, after every retry
    unreachable,      ///< no server could be contacted (connection refused)
    bad_response,     ///< an answer that is malformed or does not fit the question (FORMERR)
    bad_name,         ///< the name is not a name that can be looked up
    not_implemented,  ///< the server does not implement the query (RCODE 4, NOTIMP)
    resolver_failure, ///< the resolver could not be set up (configuration, memory)
};

/// The category of dns_errc, named "io.dns".
const boost::system::error_category& dns_category() noexcept;

/// Makes an error_code from a dns_errc.
inline boost::system::error_code make_error_code(dns_errc e) noexcept
{
    return {static_cast<int>(e), dns_category()};
}

/// Whether asking again later may succeed: timeout, unreachable and server_failure.
bool is_transient(dns_errc e) noexcept;

} // namespace io

template <> struct boost::system::is_error_code_enum<io::dns_errc> : std::true_type {
};
