#pragma once

// I/O file: the one certificate policy of every TLS client of the project. The chain is
// verified against the system store (plus an optional CA file) and the host name by OpenSSL
// itself (RFC 6125), so that a certificate for another name reads "hostname mismatch"; with
// `insecure` nothing is verified, and the certificate is still reported. client_connection
// uses it; a client on another stream type (e.g. a Beast ssl_stream) calls the same functions.

#include "io/tls_info.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>
#include <optional>
#include <string>

namespace io {

/// How a client checks the server's certificate.
struct tls_client_settings {
    /// Verify nothing (the certificate is still reported).
    bool insecure = false;
    /// A PEM file of CA certificates trusted in addition to the system store.
    std::string ca_file;
    /// The name sent as SNI and checked against the certificate; empty means the host
    /// connected to.
    std::string server_name;
};

/// A client context with the policy: TLS 1.0 and up with OpenSSL's defaults, the system store
/// and `settings.ca_file`, peer verification unless `insecure`. On failure (an unreadable CA
/// file) `ec` is set and `detail` says why.
boost::asio::ssl::context make_tls_client_context(const tls_client_settings& settings,
                                                  boost::system::error_code& ec,
                                                  std::string& detail);

/// Prepares the SSL object of one handshake with the server called `name` (a host name or
/// address literal): SNI for a host name (RFC 6066 §3: never an address), and unless `insecure`
/// the name (RFC 6125) or address that the certificate must carry.
void prepare_tls_client(SSL* ssl, const std::string& name, bool insecure);

/// Why a handshake that failed with `ec` failed, for people: "certificate verification failed:
/// hostname mismatch (expected mx.example.com)", or the TLS error's own text.
std::string tls_failure_text(SSL* ssl, const boost::system::error_code& ec,
                             const std::string& name);

/// The version, cipher and peer certificate of an established session.
tls_info describe_tls(SSL* ssl);

} // namespace io
