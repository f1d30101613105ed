#include "verify/mailbox_stream.hpp"

#include "verify/verify_error.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <vector>

namespace verify {

namespace net = boost::asio;

mailbox_stream::mailbox_stream(const net::any_io_executor& executor, net::ssl::context* tls)
{
    if (tls != nullptr) {
        tls_.emplace(executor, *tls);
    } else {
        plain_.emplace(executor);
    }
}

io::tcp_socket& mailbox_stream::socket() noexcept
{
    return tls_ ? tls_->next_layer() : *plain_;
}

net::awaitable<std::tuple<boost::system::error_code, std::string>>
mailbox_stream::open(const std::string& host, std::uint16_t port,
                     std::chrono::steady_clock::time_point deadline)
{
    // Resolve, unless the host is an address. (A resolver lookup cannot be cancelled once
    // started; with an address literal nothing can outlast the deadline.)
    std::vector<net::ip::tcp::endpoint> endpoints;
    boost::system::error_code literal_ec;
    const auto literal = net::ip::make_address(host, literal_ec);
    if (!literal_ec) {
        endpoints.emplace_back(literal, port);
    } else {
        io::tcp_resolver resolver(co_await net::this_coro::executor);
        auto resolved = co_await io::with_deadline(
            resolver.async_resolve(host, std::to_string(port)), deadline);
        if (!resolved) {
            co_return std::tuple{make_error_code(verify_errc::timeout), std::string()};
        }
        const boost::system::error_code resolve_ec = std::get<0>(*resolved);
        if (resolve_ec) {
            co_return std::tuple{resolve_ec, std::string()};
        }
        for (const auto& entry : std::get<1>(*resolved)) {
            endpoints.push_back(entry.endpoint());
        }
    }

    // Connect to the first address that answers (RFC 6724 order, as the resolver gives it).
    boost::system::error_code connect_ec = net::error::host_not_found;
    net::ip::tcp::endpoint endpoint;
    for (const auto& candidate : endpoints) {
        boost::system::error_code ignored;
        socket().close(ignored);
        auto connected = co_await io::with_deadline(socket().async_connect(candidate), deadline);
        if (!connected) {
            co_return std::tuple{make_error_code(verify_errc::timeout), std::string()};
        }
        connect_ec = std::get<0>(*connected);
        if (!connect_ec) {
            endpoint = candidate;
            break;
        }
    }
    if (connect_ec) {
        co_return std::tuple{connect_ec, std::string()};
    }
    std::string peer =
        endpoint.address().is_v6()
            ? "[" + endpoint.address().to_string() + "]:" + std::to_string(endpoint.port())
            : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    if (!tls_) {
        co_return std::tuple{boost::system::error_code(), std::move(peer)};
    }

    // Implicit TLS (RFC 8314 §3.3): handshake before the first protocol byte.
    if (literal_ec && !SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str())) {
        co_return std::tuple{boost::system::error_code(static_cast<int>(::ERR_get_error()),
                                                       net::error::get_ssl_category()),
                             std::move(peer)};
    }
    auto shaken = co_await io::with_deadline(
        tls_->async_handshake(net::ssl::stream_base::client, net::as_tuple(net::use_awaitable)),
        deadline);
    if (!shaken) {
        co_return std::tuple{make_error_code(verify_errc::timeout), std::move(peer)};
    }
    auto [handshake_ec] = *shaken;
    co_return std::tuple{handshake_ec, std::move(peer)};
}

net::awaitable<boost::system::error_code>
mailbox_stream::write(std::string_view bytes, std::chrono::steady_clock::time_point deadline)
{
    const auto buffer = net::buffer(bytes.data(), bytes.size());
    std::optional<std::tuple<boost::system::error_code, std::size_t>> written;
    if (tls_) {
        written =
            co_await io::with_deadline(net::async_write(*tls_, buffer, io::use_tuple), deadline);
    } else {
        written =
            co_await io::with_deadline(net::async_write(*plain_, buffer, io::use_tuple), deadline);
    }
    if (!written) {
        co_return make_error_code(verify_errc::timeout);
    }
    co_return std::get<0>(*written);
}

net::awaitable<std::tuple<boost::system::error_code, std::size_t>>
mailbox_stream::read_some(char* buffer, std::size_t size,
                          std::chrono::steady_clock::time_point deadline)
{
    const auto b = net::buffer(buffer, size);
    std::optional<std::tuple<boost::system::error_code, std::size_t>> read;
    if (tls_) {
        read = co_await io::with_deadline(tls_->async_read_some(b, io::use_tuple), deadline);
    } else {
        read = co_await io::with_deadline(plain_->async_read_some(b, io::use_tuple), deadline);
    }
    if (!read) {
        co_return std::tuple{make_error_code(verify_errc::timeout), std::size_t{0}};
    }
    auto [ec, n] = *read;
    if (ec == net::ssl::error::stream_truncated) {
        ec = net::error::eof; // the peer closed TCP without close_notify
    }
    co_return std::tuple{ec, n};
}

std::string mailbox_stream::tls_description() const
{
    if (!tls_) {
        return {};
    }
    SSL* ssl = const_cast<net::ssl::stream<io::tcp_socket>&>(*tls_).native_handle();
    const char* version = SSL_get_version(ssl);
    const char* cipher = SSL_get_cipher_name(ssl);
    return std::string(version ? version : "?") + " " + (cipher ? cipher : "?");
}

void mailbox_stream::close() noexcept
{
    boost::system::error_code ignored;
    socket().shutdown(net::socket_base::shutdown_both, ignored);
    socket().close(ignored);
}

net::ssl::context make_mailbox_tls_context(const std::string& host, bool insecure)
{
    net::ssl::context context(net::ssl::context::tls_client);
    boost::system::error_code ignored;
    if (insecure) {
        context.set_verify_mode(net::ssl::verify_none, ignored);
        return context;
    }
    context.set_default_verify_paths(ignored);
    context.set_verify_mode(net::ssl::verify_peer, ignored);
    // RFC 6125 §6: the certificate must name the host we connected to.
    context.set_verify_callback(net::ssl::host_name_verification(host), ignored);
    return context;
}

} // namespace verify
