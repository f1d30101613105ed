#include "watch/mail_sender.hpp"

#include "io/awaitable.hpp"
#include "watch/mail_session.hpp"

#include <array>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>
#include <optional>

namespace watch {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using clock_type = std::chrono::steady_clock;

// The connection of one submission: plain TCP, then TLS after STARTTLS.
class mail_connection {
public:
    explicit mail_connection(const net::any_io_executor& ex)
        : socket_(ex)
    {
    }

    net::awaitable<std::string> connect(const email_settings& s, clock_type::time_point deadline)
    {
        io::tcp_resolver resolver(socket_.get_executor());
        auto resolved = co_await io::with_deadline(
            resolver.async_resolve(s.host, std::to_string(s.port)), deadline);
        if (!resolved) {
            co_return "timeout resolving " + s.host;
        }
        auto [rec, endpoints] = *resolved;
        if (rec) {
            co_return "cannot resolve " + s.host + ": " + rec.message();
        }
        // Try each address in resolver order until one connects.
        boost::system::error_code last = net::error::host_not_found;
        for (const auto& entry : endpoints) {
            boost::system::error_code ignored;
            socket_.close(ignored);
            auto connected =
                co_await io::with_deadline(socket_.async_connect(entry.endpoint()), deadline);
            if (!connected) {
                co_return "timeout connecting to " + s.host + ':' + std::to_string(s.port);
            }
            auto [cec] = *connected;
            if (!cec) {
                co_return std::string();
            }
            last = cec;
        }
        co_return "cannot connect to " + s.host + ':' + std::to_string(s.port) + ": " +
            last.message();
    }

    // Bytes read, or an error text (an empty read means the server closed).
    net::awaitable<std::pair<std::string, std::string>> read(clock_type::time_point deadline)
    {
        std::optional<std::tuple<boost::system::error_code, std::size_t>> r;
        if (tls_) {
            r = co_await io::with_deadline(
                tls_->async_read_some(net::buffer(buffer_), io::use_tuple), deadline);
        } else {
            r = co_await io::with_deadline(socket_.async_read_some(net::buffer(buffer_)), deadline);
        }
        if (!r) {
            co_return std::make_pair(std::string(), std::string("timeout waiting for a reply"));
        }
        auto [ec, n] = *r;
        if (n > 0) {
            co_return std::make_pair(std::string(buffer_.data(), n), std::string());
        }
        if (ec == net::error::eof || ec == ssl::error::stream_truncated) {
            co_return std::make_pair(std::string(), std::string("connection closed by the server"));
        }
        co_return std::make_pair(std::string(), "read failed: " + ec.message());
    }

    net::awaitable<std::string> write(const std::string& bytes, clock_type::time_point deadline)
    {
        std::optional<std::tuple<boost::system::error_code, std::size_t>> r;
        if (tls_) {
            r = co_await io::with_deadline(
                net::async_write(*tls_, net::buffer(bytes), io::use_tuple), deadline);
        } else {
            r = co_await io::with_deadline(
                net::async_write(socket_, net::buffer(bytes), io::use_tuple), deadline);
        }
        if (!r) {
            co_return "timeout sending";
        }
        auto [ec, n] = *r;
        co_return ec ? "write failed: " + ec.message() : std::string();
    }

    net::awaitable<std::string> handshake(const email_settings& s, clock_type::time_point deadline)
    {
        ctx_.emplace(ssl::context::tls_client);
        ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3);
        boost::system::error_code ec;
        ctx_->set_default_verify_paths(ec);
        if (!s.ca_file.empty()) {
            ctx_->load_verify_file(s.ca_file, ec);
            if (ec) {
                co_return "cannot load CA file " + s.ca_file + ": " + ec.message();
            }
        }
        if (s.insecure) {
            ctx_->set_verify_mode(ssl::verify_none);
        } else {
            ctx_->set_verify_mode(ssl::verify_peer);
            ctx_->set_verify_callback(ssl::host_name_verification(s.host));
        }
        tls_.emplace(socket_, *ctx_);
        boost::system::error_code addr_ec;
        net::ip::make_address(s.host, addr_ec);
        if (addr_ec) {
            // RFC 6066 §3: SNI carries host names only.
            SSL_set_tlsext_host_name(tls_->native_handle(), s.host.c_str());
        }
        auto r =
            co_await io::with_deadline(tls_->async_handshake(ssl::stream_base::client), deadline);
        if (!r) {
            co_return "timeout in the TLS handshake";
        }
        auto [hec] = *r;
        co_return hec ? "TLS handshake failed: " + hec.message() : std::string();
    }

    void close()
    {
        boost::system::error_code ec;
        socket_.shutdown(net::ip::tcp::socket::shutdown_both, ec);
        socket_.close(ec);
    }

private:
    io::tcp_socket socket_;
    std::optional<ssl::context> ctx_;
    std::optional<ssl::stream<io::tcp_socket&>> tls_;
    std::array<char, 4096> buffer_{};
};

} // namespace

net::awaitable<std::string> send_mail(email_settings settings, std::string message,
                                      std::chrono::milliseconds timeout)
{
    const auto deadline = clock_type::now() + timeout;
    mail_connection conn(co_await net::this_coro::executor);
    if (auto error = co_await conn.connect(settings, deadline); !error.empty()) {
        co_return error;
    }
    mail_session session(settings, std::move(message));
    // Perform the session's actions one at a time.
    auto action = session.start();
    while (action != mail_action_kind::done) {
        switch (action) {
        case mail_action_kind::read: {
            auto [bytes, error] = co_await conn.read(deadline);
            if (!error.empty()) {
                conn.close();
                // A server that accepted the message and then hung up on QUIT delivered it.
                co_return session.ok() ? std::string() : error;
            }
            action = session.on_bytes(bytes);
            break;
        }
        case mail_action_kind::write: {
            if (auto error = co_await conn.write(session.bytes(), deadline); !error.empty()) {
                conn.close();
                co_return session.ok() ? std::string() : error;
            }
            action = session.on_written();
            break;
        }
        case mail_action_kind::start_tls: {
            if (auto error = co_await conn.handshake(settings, deadline); !error.empty()) {
                conn.close();
                co_return error;
            }
            action = session.on_tls_done();
            break;
        }
        case mail_action_kind::done:
            break;
        }
    }
    conn.close();
    co_return session.ok() ? std::string() : session.error();
}

} // namespace watch
