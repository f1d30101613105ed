#pragma once

// I/O file: the one client connection of the project. Every client (the probe, the watch
// e-mail notifier, the POP3/IMAP round trip) resolves, connects, starts TLS and reads and
// writes through it:
//
//   resolve   — io::resolve_host under the deadline (an address literal never touches DNS)
//   connect   — to each resolved address in order until one accepts, from a source address
//   handshake — TLS over the connection, at once (implicit TLS) or after STARTTLS, with the one
//               certificate policy of io/tls_client.hpp
//   read_some / write — plain or inside TLS
//
// Every operation has a deadline: when it passes the operation is cancelled and fails with
// io::client_errc::timeout. The deadlines of a connection's connect, handshake, reads and
// writes share its one timer (io::deadline_watchdog), armed once and moved only when a
// deadline comes sooner, so an operation costs no timer and no race of its own. When the
// awaiting coroutine is cancelled (io::task_group::stop, or the losing side of `||`), the
// operation ends at once with boost::asio::error::operation_aborted. End of stream, including a TLS stream cut without
// close_notify, is boost::asio::error::eof. Use within one single-threaded io_context.

#include "io/awaitable.hpp"
#include "io/deadline_watchdog.hpp"
#include "io/dns_resolver.hpp"
#include "io/tls_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace io {

/// What a client connects to, and how.
struct client_settings {
    /// A host name or an address literal (IPv6 without brackets).
    std::string host;
    /// The TCP port.
    std::uint16_t port = 0;
    /// The address family to connect over (-4 / -6).
    address_family family = address_family::any;
    /// Bind the local end to this address literal; empty lets the system choose.
    std::string source_address;
    /// Where name lookups go.
    dns_settings dns;
    /// How the server's certificate is checked when TLS starts.
    tls_client_settings tls;
};

/// The outcome of one step of a connection.
struct step_result {
    /// Empty on success.
    boost::system::error_code ec;
    /// For people. On success: the addresses resolved ("127.0.0.1, ::1"), the peer connected
    /// to ("[::1]:25"). On failure: what failed, e.g. "127.0.0.1:25 (Connection refused)" or
    /// "certificate verification failed: hostname mismatch (expected mx.example.com)".
    std::string detail;
};

/// A client connection: plain TCP, then TLS from the first byte or after an upgrade.
class client_connection {
public:
    /// The deadline of an operation.
    using time_point = std::chrono::steady_clock::time_point;

    /// A connection to `settings.host` on `executor`; nothing happens before resolve().
    client_connection(const boost::asio::any_io_executor& executor, client_settings settings);
    ~client_connection();
    client_connection(const client_connection&) = delete;
    client_connection& operator=(const client_connection&) = delete;

    /// Looks up the host's addresses (only those of the family asked for).
    boost::asio::awaitable<step_result> resolve(time_point deadline);

    /// Connects to the resolved addresses in order until one accepts (a refused address does
    /// not stop the next). The deadline covers all of them.
    boost::asio::awaitable<step_result> connect(time_point deadline);

    /// The TLS client handshake over the connection. On success tls() describes the session;
    /// a server that closes during the handshake is boost::asio::error::eof.
    boost::asio::awaitable<step_result> handshake(time_point deadline);

    /// resolve(), connect() and, with `implicit_tls`, handshake(): for clients that do not
    /// time each step. On failure the detail names the step ("cannot resolve mx: ...",
    /// "cannot connect to ...", "TLS handshake with ... failed: ...").
    boost::asio::awaitable<step_result> open(bool implicit_tls, time_point deadline);

    /// Reads what arrives (at least one octet) into `buffer`. Octets that arrived with an
    /// error are returned first, without it; the error comes with the next read.
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
    read_some(boost::asio::mutable_buffer buffer, time_point deadline);

    /// Writes all of `bytes`.
    boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes,
                                                            time_point deadline);

    /// Closes the connection without waiting for the peer. Idempotent.
    void close() noexcept;

    /// The settings in use.
    const client_settings& settings() const noexcept { return settings_; }
    /// The addresses resolve() found.
    const std::vector<boost::asio::ip::address>& addresses() const noexcept { return addresses_; }
    /// The address connect() reached.
    const std::optional<boost::asio::ip::tcp::endpoint>& peer() const noexcept { return peer_; }
    /// The TLS session, once handshake() succeeded.
    const std::optional<tls_info>& tls() const noexcept { return tls_info_; }
    /// The name the certificate is checked against: the server name, else the host.
    const std::string& tls_name() const noexcept;

private:
    // Writes what the socket takes without waiting (plain TCP) and drops it from `bytes`; an
    // error other than a full send buffer is returned.
    boost::system::error_code write_now(std::string_view& bytes);

    // Starts connecting the open socket to `ep`: no error when connected at once, in_progress
    // when the connect goes on (await writability, then connect_outcome()), or its error.
    boost::system::error_code start_connect(const boost::asio::ip::tcp::endpoint& ep);

    // How the connect that writability ended went: its error, or none.
    boost::system::error_code connect_outcome();

    boost::asio::awaitable<step_result> connect_one(const boost::asio::ip::tcp::endpoint& ep,
                                                    time_point deadline);

    // Ends the operation that started with watchdog_.start(): its error, or timeout when the
    // deadline cut it.
    boost::system::error_code finish_timed(const boost::system::error_code& ec) noexcept;

    client_settings settings_;
    tcp_socket socket_;
    lazy_timer timer_;
    deadline_watchdog watchdog_;
    std::vector<boost::asio::ip::address> addresses_;
    std::optional<boost::asio::ip::tcp::endpoint> peer_;
    std::optional<boost::asio::ssl::context> context_;
    std::optional<boost::asio::ssl::stream<tcp_socket&>> tls_;
    std::optional<tls_info> tls_info_;
};

} // namespace io
