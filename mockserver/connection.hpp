#pragma once

// I/O file: the byte stream of one SMTP session, plain TCP or TLS after a handshake.

#include "io/awaitable.hpp"
#include "mockserver/transport_error.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

namespace mock {

/// One accepted connection: reads and writes go through TLS once a handshake has succeeded.
class connection {
public:
    explicit connection(io::tcp_socket socket);

    /// Waits until bytes arrive and appends what is available to `out`.
    ///
    /// The connection's read buffer is made at its first read: a connection held by a hang
    /// (wait_readable) has none.
    boost::asio::awaitable<boost::system::error_code> read_some(std::string& out);


    /// Waits until something can be read: bytes, the end of the stream or an error. It is not
    /// a coroutine, so the one awaiting it keeps no frame besides its own (a connection held
    /// by a hang waits here). Plain TCP only: see tls().
    boost::asio::awaitable<std::tuple<boost::system::error_code>> wait_readable();

    /// Reads what has arrived, without waiting, and appends it to `out`. Plain TCP only.
    /// Returns the error that ended the stream (end of file, a reset), or nothing while it is
    /// open.
    boost::system::error_code read_available(std::string& out);

    /// Whether reads and writes go through TLS.
    bool tls() const noexcept { return tls_ != nullptr; }

    /// Writes all of `bytes`.
    boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes);

    /// Writes what the socket takes at once, without waiting: plain TCP only (nothing is
    /// written once TLS is up). Returns how many octets went out; `ec` is set when the write
    /// failed for another reason than a full send buffer.
    std::size_t write_now(std::string_view bytes, boost::system::error_code& ec);

    /// Runs the server side of a TLS handshake with `context`, which must outlive the connection.
    boost::asio::awaitable<boost::system::error_code>
    handshake(std::shared_ptr<boost::asio::ssl::context> context);

    /// Sends FIN: the peer reads end of file once it has read what was sent. Reads still work.
    void shutdown_send();

    /// Closes at once: with RST when `reset`, else with FIN (sent by shutdown_send() already,
    /// or by the close itself).
    void close(bool reset);

    /// The negotiated TLS version, e.g. "TLSv1.3"; empty before a handshake.
    std::string tls_version() const;
    /// The negotiated TLS cipher; empty before a handshake.
    std::string tls_cipher() const;

    /// The underlying socket.
    io::tcp_socket& socket() noexcept { return socket_; }

private:
    // The TLS stream over socket_ and the context it was made with (which it needs while it
    // lives), together behind one pointer: a plain connection carries that pointer only.
    struct tls_stream {
        tls_stream(std::shared_ptr<boost::asio::ssl::context> c, io::tcp_socket& socket)
            : context(std::move(c))
            , stream(socket, *context)
        {
        }

        std::shared_ptr<boost::asio::ssl::context> context;
        boost::asio::ssl::stream<io::tcp_socket&> stream;
    };

    io::tcp_socket socket_;
    std::unique_ptr<tls_stream> tls_;
    std::unique_ptr<char[]> read_buffer_; // made at the first read (a hang makes none)
};

/// What an error of a read, a write or a handshake means, in the words of the session state
/// machines: the peer closed, the peer reset, a TLS stream was cut, or something else failed.
transport_error to_transport_error(const boost::system::error_code& ec) noexcept;

} // namespace mock
