#include "mockserver/connection.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

namespace mock {

namespace net = boost::asio;
using boost::system::error_code;

connection::connection(io::tcp_socket socket)
    : socket_(std::move(socket))
{
}

net::awaitable<std::tuple<error_code, std::size_t>>
connection::read_some(net::mutable_buffer buffer)
{
    if (tls_) {
        co_return co_await tls_->async_read_some(buffer);
    }
    co_return co_await socket_.async_read_some(buffer);
}

net::awaitable<error_code> connection::write(std::string_view bytes)
{
    if (tls_) {
        auto [ec, n] = co_await net::async_write(*tls_, net::buffer(bytes));
        co_return ec;
    }
    auto [ec, n] = co_await net::async_write(socket_, net::buffer(bytes));
    co_return ec;
}

net::awaitable<error_code> connection::handshake(std::shared_ptr<net::ssl::context> context)
{
    context_ = std::move(context);
    tls_ = std::make_unique<net::ssl::stream<io::tcp_socket&>>(socket_, *context_);
    auto [ec] = co_await tls_->async_handshake(net::ssl::stream_base::server);
    if (ec) {
        tls_.reset();
    }
    co_return ec;
}

void connection::close(bool reset)
{
    error_code ignored;
    if (reset) {
        // SO_LINGER with a zero timeout makes close() send RST.
        socket_.set_option(net::socket_base::linger(true, 0), ignored);
    } else {
        socket_.shutdown(net::socket_base::shutdown_send, ignored);
    }
    socket_.close(ignored);
}

net::awaitable<void> connection::close_gracefully(std::chrono::steady_clock::duration linger)
{
    error_code ignored;
    socket_.shutdown(net::socket_base::shutdown_send, ignored);
    auto deadline = std::chrono::steady_clock::now() + linger;
    char sink[4096];
    for (;;) {
        auto r = co_await io::with_deadline(socket_.async_read_some(net::buffer(sink)), deadline);
        if (!r || std::get<0>(*r)) {
            break;
        }
    }
    socket_.close(ignored);
}

void connection::cancel()
{
    error_code ignored;
    socket_.cancel(ignored);
}

std::string connection::tls_version() const
{
    return tls_ ? SSL_get_version(const_cast<SSL*>(tls_->native_handle())) : "";
}

std::string connection::tls_cipher() const
{
    return tls_ ? SSL_get_cipher_name(const_cast<SSL*>(tls_->native_handle())) : "";
}

} // namespace mock
