#include "harness/alerts/webhook_receiver.hpp"

#include "io/awaitable.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>
#include <thread>

namespace harness::alerts {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct webhook_receiver::impl {
    explicit impl(std::chrono::steady_clock::time_point e)
        : epoch(e)
        , acceptor(ctx)
    {
        net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
        boost::system::error_code ec;
        acceptor.open(ep.protocol(), ec);
        if (!ec) {
            acceptor.bind(ep, ec);
        }
        if (!ec) {
            acceptor.listen(net::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            throw std::runtime_error("webhook receiver cannot listen: " + ec.message());
        }
        port = acceptor.local_endpoint().port();
    }

    net::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept();
            if (ec) {
                co_return;
            }
            net::co_spawn(ctx, session(std::move(socket)), net::detached);
        }
    }

    net::awaitable<void> session(io::tcp_socket socket)
    {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            stream.expires_after(std::chrono::seconds(30));
            http::request<http::string_body> req;
            auto [rec, rn] = co_await http::async_read(stream, buffer, req, io::use_tuple);
            if (rec) {
                break;
            }
            bool ok = req.method() == http::verb::post && req.target().starts_with("/hook/");
            if (ok) {
                auto t = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - epoch);
                std::lock_guard lock(mutex);
                posts.push_back({std::string(req.target()), req.body(), t});
            }
            http::response<http::string_body> res{ok ? http::status::ok : http::status::not_found,
                                                  req.version()};
            res.set(http::field::content_type, "application/json");
            res.body() = ok ? "{}" : R"({"error":{"code":"not_found"}})";
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(stream, res, io::use_tuple);
            if (wec || !res.keep_alive()) {
                break;
            }
        }
        beast::error_code ignored;
        stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    }

    std::chrono::steady_clock::time_point epoch;
    net::io_context ctx;
    io::tcp_acceptor acceptor;
    std::uint16_t port = 0;
    mutable std::mutex mutex;
    std::vector<received_post> posts;
    std::thread thread;
};

webhook_receiver::webhook_receiver(std::chrono::steady_clock::time_point epoch)
    : impl_(std::make_unique<impl>(epoch))
{
    net::co_spawn(impl_->ctx, impl_->accept_loop(), net::detached);
    impl_->thread = std::thread([this] { impl_->ctx.run(); });
}

webhook_receiver::~webhook_receiver()
{
    stop();
}

std::string webhook_receiver::base_url() const
{
    return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::vector<received_post> webhook_receiver::received() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->posts;
}

void webhook_receiver::stop()
{
    if (impl_->thread.joinable()) {
        impl_->ctx.stop();
        impl_->thread.join();
    }
}

} // namespace harness::alerts
