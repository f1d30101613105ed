#pragma once

// Errors of the client connection (io/client_connection.hpp) that are not the system's, the
// resolver's or OpenSSL's. No I/O.

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace io {

/// What a client connection decides went wrong. Network errors keep boost::asio::error, name
/// lookups io::dns_errc, TLS errors boost::asio::ssl::error; a cancelled operation is
/// boost::asio::error::operation_aborted.
enum class client_errc {
    timeout = 1,          ///< the operation's deadline passed before it completed
    no_address_of_family, ///< the name resolved, but to no address of the family asked for (-4/-6)
    bad_source_address,   ///< the source address is not an IP address literal
    bind_failed,          ///< the local end could not be bound to the source address
    ca_file_unusable,     ///< the CA file could not be read as PEM certificates
    not_connected,        ///< an operation that needs a connection, before one was made
};

/// The category of client_errc, named "io.client".
const boost::system::error_category& client_category() noexcept;

/// Makes an error_code from a client_errc.
inline boost::system::error_code make_error_code(client_errc e) noexcept
{
    return {static_cast<int>(e), client_category()};
}

} // namespace io

template <> struct boost::system::is_error_code_enum<io::client_errc> : std::true_type {
};
