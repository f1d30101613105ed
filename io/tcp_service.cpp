#include "io/tcp_service.hpp"

#include "io/endpoint.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>
#include <system_error>
#include <thread>

namespace io {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

std::shared_ptr<tcp_acceptor> open_listener(const net::any_io_executor& executor,
                                            const tcp::endpoint& endpoint, int backlog,
                                            std::string_view what)
{
    auto acceptor = std::make_shared<tcp_acceptor>(executor);
    error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor->set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec && endpoint.address().is_v6()) {
        acceptor->set_option(net::ip::v6_only(true), ec);
    }
    if (!ec) {
        acceptor->bind(endpoint, ec);
    }
    if (!ec) {
        acceptor->listen(backlog, ec);
    }
    if (ec) {
        throw std::system_error(ec, "cannot listen on " + std::string(what) + " " +
                                        to_string(endpoint));
    }
    return acceptor;
}

struct tcp_service::impl {
    std::string what;
    tcp::endpoint endpoint;
    serve_function serve;
    net::io_context ioc{1};
    std::shared_ptr<tcp_acceptor> acceptor;
    std::thread thread;
    bool started = false;
    bool stopped = false;

    net::awaitable<void> accept_loop(std::shared_ptr<tcp_acceptor> acc)
    {
        for (;;) {
            auto [ec, socket] = co_await acc->async_accept();
            if (!acc->is_open() || ec == net::error::operation_aborted) {
                co_return;
            }
            if (ec) {
                // Out of descriptors or a transient error: back off rather than spin.
                co_await sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            net::co_spawn(ioc, serve(std::move(socket)), net::detached);
        }
    }
};

tcp_service::tcp_service(std::string what, const std::string& address, serve_function serve)
    : impl_(std::make_unique<impl>())
{
    auto ep = parse_endpoint(address);
    if (!ep) {
        throw std::runtime_error(what + " " + address +
                                 ": expected ADDR:PORT with a literal IP address");
    }
    impl_->what = std::move(what);
    impl_->endpoint = *ep;
    impl_->serve = std::move(serve);
}

tcp_service::~tcp_service()
{
    stop();
}

void tcp_service::start()
{
    if (impl_->started) {
        return;
    }
    impl_->acceptor = open_listener(impl_->ioc.get_executor(), impl_->endpoint,
                                    net::socket_base::max_listen_connections, impl_->what);
    impl_->endpoint = impl_->acceptor->local_endpoint();
    net::co_spawn(impl_->ioc, impl_->accept_loop(impl_->acceptor), net::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
    impl_->started = true;
}

void tcp_service::stop()
{
    if (!impl_->started || impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    net::post(impl_->ioc, [this] {
        error_code ignored;
        impl_->acceptor->close(ignored);
    });
    impl_->ioc.stop();
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
}

std::string tcp_service::address() const
{
    return to_string(impl_->endpoint);
}

const tcp::endpoint& tcp_service::endpoint() const noexcept
{
    return impl_->endpoint;
}

} // namespace io
