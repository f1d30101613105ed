#pragma once

// The connection to a mailbox server: TCP, or TLS over TCP from the first byte (RFC 8314
// implicit TLS). Asio I/O; include only from I/O files.

#include "io/awaitable.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace verify {

/// A client connection that is plain TCP or implicit TLS. Every operation has a deadline;
/// a deadline that passes yields verify_errc::timeout and leaves the stream to be closed.
class mailbox_stream {
public:
    /// A plain connection when `tls` is null; otherwise TLS with that context.
    mailbox_stream(const boost::asio::any_io_executor& executor, boost::asio::ssl::context* tls);

    /// Resolves `host`, connects to the first address that answers, and with TLS performs the
    /// handshake, sending `host` as SNI (RFC 6066 §3) unless it is an address literal.
    /// Returns the connected address ("127.0.0.1:995") or the error.
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::string>>
    open(const std::string& host, std::uint16_t port,
         std::chrono::steady_clock::time_point deadline);

    /// Writes all of `bytes` before `deadline`.
    boost::asio::awaitable<boost::system::error_code>
    write(std::string_view bytes, std::chrono::steady_clock::time_point deadline);

    /// Reads what arrives into `buffer` before `deadline`. End of stream (including a TLS
    /// stream cut without close_notify) is boost::asio::error::eof.
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
    read_some(char* buffer, std::size_t size, std::chrono::steady_clock::time_point deadline);

    /// "TLSv1.3 TLS_AES_256_GCM_SHA384" after a TLS handshake; empty for plain connections.
    std::string tls_description() const;

    /// Closes the connection without waiting for the peer.
    void close() noexcept;

private:
    io::tcp_socket& socket() noexcept;

    std::optional<io::tcp_socket> plain_;
    std::optional<boost::asio::ssl::stream<io::tcp_socket>> tls_;
};

/// A TLS client context for mailbox connections: system trust store and host name
/// verification (RFC 6125), or no verification at all when `insecure`.
boost::asio::ssl::context make_mailbox_tls_context(const std::string& host, bool insecure);

} // namespace verify
