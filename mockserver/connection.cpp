#include "mockserver/connection.hpp"

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

namespace mock {

namespace net = boost::asio;
using boost::system::error_code;

connection::connection(io::tcp_socket socket)
    : socket_(std::move(socket))
{
    error_code ignored;
    socket_.non_blocking(true, ignored);
}

namespace {

constexpr std::size_t read_chunk = 64 * 1024;

// A plain-TCP read: a few command lines, or a piece of message content.
constexpr std::size_t plain_read_chunk = 4 * 1024;

// Where this thread's hangs read what arrives over plain TCP. Safe to share: it is written by a
// read that does not wait, and copied out before anything else can run on the thread.
std::array<char, read_chunk>& thread_read_buffer()
{
    thread_local std::array<char, read_chunk> buffer;
    return buffer;
}

} // namespace

net::awaitable<error_code> connection::read_some(std::string& out)
{
    if (tls_) {
        if (!read_buffer_) {
            read_buffer_ = std::make_unique<char[]>(read_chunk);
        }
        auto [ec, n] =
            co_await tls_->stream.async_read_some(net::buffer(read_buffer_.get(), read_chunk));
        out.append(read_buffer_.get(), n);
        co_return ec;
    }
    // Read at once into a small buffer of the connection's own: Asio then waits for input
    // without re-arming the descriptor (waiting for readability first costs an epoll_ctl per
    // read). A read that fills it leaves the rest for the next read, which takes it at once.
    if (!read_buffer_) {
        read_buffer_ = std::make_unique<char[]>(plain_read_chunk);
    }
    auto [ec, n] =
        co_await socket_.async_read_some(net::buffer(read_buffer_.get(), plain_read_chunk));
    out.append(read_buffer_.get(), n);
    co_return ec;
}

net::awaitable<std::tuple<error_code>> connection::wait_readable()
{
    return socket_.async_wait(net::socket_base::wait_read);
}

error_code connection::read_available(std::string& out)
{
    error_code ec;
    auto& buffer = thread_read_buffer();
    const auto n = socket_.read_some(net::buffer(buffer), ec);
    out.append(buffer.data(), n);
    if (ec == net::error::would_block || ec == net::error::try_again) {
        return {};
    }
    return ec;
}

net::awaitable<error_code> connection::write(std::string_view bytes)
{
    if (tls_) {
        auto [ec, n] = co_await net::async_write(tls_->stream, net::buffer(bytes));
        co_return ec;
    }
    auto [ec, n] = co_await net::async_write(socket_, net::buffer(bytes));
    co_return ec;
}

std::size_t connection::write_now(std::string_view bytes, error_code& ec)
{
    ec.clear();
    if (tls_) {
        return 0;
    }
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        error_code wec;
        auto n = socket_.write_some(net::buffer(bytes.substr(sent)), wec);
        if (wec == net::error::would_block || wec == net::error::try_again) {
            break;
        }
        if (wec) {
            ec = wec;
            break;
        }
        sent += n;
    }
    return sent;
}

net::awaitable<error_code> connection::handshake(std::shared_ptr<net::ssl::context> context)
{
    read_buffer_.reset(); // TLS reads want a larger one
    tls_ = std::make_unique<tls_stream>(std::move(context), socket_);
    auto [ec] = co_await tls_->stream.async_handshake(net::ssl::stream_base::server);
    if (ec) {
        tls_.reset();
    }
    co_return ec;
}

void connection::shutdown_send()
{
    error_code ignored;
    socket_.shutdown(net::socket_base::shutdown_send, ignored);
}

void connection::close(bool reset)
{
    error_code ignored;
    if (reset) {
        // SO_LINGER with a zero timeout makes close() send RST.
        socket_.set_option(net::socket_base::linger(true, 0), ignored);
    }
    socket_.close(ignored);
}

std::string connection::tls_version() const
{
    return tls_ ? SSL_get_version(const_cast<SSL*>(tls_->stream.native_handle())) : "";
}

std::string connection::tls_cipher() const
{
    return tls_ ? SSL_get_cipher_name(const_cast<SSL*>(tls_->stream.native_handle())) : "";
}

transport_error to_transport_error(const error_code& ec) noexcept
{
    if (ec == net::error::eof) {
        return transport_error::end_of_stream;
    }
    if (ec == net::error::connection_reset || ec == net::error::broken_pipe ||
        ec == net::error::connection_aborted) {
        return transport_error::reset;
    }
    if (ec == net::ssl::error::stream_truncated) {
        return transport_error::truncated;
    }
    return transport_error::failed;
}

} // namespace mock
