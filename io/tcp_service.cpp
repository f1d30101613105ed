#include "io/tcp_service.hpp"

#include "io/endpoint.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <mutex>
#include <optional>
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

net::awaitable<void> accept_loop(tcp_acceptor& acceptor, std::function<void(tcp::socket)> on_accept,
                                 socket_executor_function socket_executor)
{
    for (;;) {
        net::any_io_executor ex =
            socket_executor ? socket_executor() : net::any_io_executor(acceptor.get_executor());
        auto [ec, socket] = co_await acceptor.async_accept(ex);
        auto cancelled = (co_await net::this_coro::cancellation_state).cancelled();
        if (!acceptor.is_open() || ec == net::error::operation_aborted ||
            cancelled != net::cancellation_type::none) {
            co_return;
        }
        if (ec) {
            // Out of descriptors or a transient error: back off rather than spin.
            if (!co_await sleep_for(std::chrono::milliseconds(50))) {
                co_return;
            }
            continue;
        }
        on_accept(std::move(socket));
    }
}

tcp_server::tcp_server(net::any_io_executor executor, std::string what, tcp::endpoint endpoint,
                       serve_function serve)
    : executor_(executor)
    , what_(std::move(what))
    , endpoint_(endpoint)
    , serve_(std::move(serve))
    , accepting_(executor)
    , connections_(executor)
{
}

void tcp_server::listen(int backlog)
{
    acceptor_ = open_listener(executor_, endpoint_, backlog, what_);
    endpoint_ = acceptor_->local_endpoint();
}

void tcp_server::start()
{
    if (!acceptor_) {
        listen();
    }
    accept();
}

void tcp_server::accept()
{
    auto on_accept = [this](tcp::socket socket) {
        accepted_.fetch_add(1, std::memory_order_relaxed);
        connections_.spawn(serve_(std::move(socket)));
    };
    // The loop holds its acceptor: a listener closed and opened again has a new one.
    auto loop = [](std::shared_ptr<tcp_acceptor> acceptor,
                   std::function<void(tcp::socket)> serve) -> net::awaitable<void> {
        co_await accept_loop(*acceptor, std::move(serve));
    };
    accepting_.spawn(loop(acceptor_, std::move(on_accept)));
}

void tcp_server::set_listening(bool listening)
{
    const bool open = acceptor_ && acceptor_->is_open();
    if (listening && !open) {
        listen(); // the bound endpoint: the port picked the first time
        accept();
    } else if (!listening && open) {
        error_code ignored;
        acceptor_->close(ignored);
    }
}

net::awaitable<void> tcp_server::stop(std::chrono::steady_clock::duration grace)
{
    if (acceptor_) {
        error_code ignored;
        acceptor_->close(ignored);
    }
    accepting_.stop(net::cancellation_type::terminal);
    connections_.stop(net::cancellation_type::partial);
    const auto now = std::chrono::steady_clock::now();
    if (!co_await connections_.wait_until_empty(now + grace)) {
        connections_.stop(net::cancellation_type::terminal);
    }
    // A cancelled task ends at its next wait; this bound only guards against one that does not.
    const auto bound = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    co_await connections_.wait_until_empty(bound);
    co_await accepting_.wait_until_empty(bound);
}

// An io_context whose handlers (and the coroutine frames they hold) can be destroyed before
// its services are.
struct service_context : net::io_context {
    using net::execution_context::shutdown;
    using net::io_context::io_context;
};

struct tcp_service::impl {
    std::string what;
    tcp::endpoint endpoint;
    serve_function serve;
    std::chrono::steady_clock::duration grace;
    std::unique_ptr<service_context> ioc = std::make_unique<service_context>(1);
    std::unique_ptr<tcp_server> server;
    // Keeps run() going while the listener is closed and no connection is served.
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::thread thread;
    bool started = false;
    bool stopped = false;
    bool listening = true;   // the state start() leaves the listener in
    std::mutex change_mutex; // a listener change and stop() one at a time

    ~impl()
    {
        // Coroutines that outlived stop() (none, normally) are destroyed first, while the server
        // they refer to exists; then the server's timers and sockets, while the services they
        // belong to exist; then the io_context.
        ioc->shutdown();
        server.reset();
        ioc.reset();
    }
};

tcp_service::tcp_service(std::string what, const std::string& address, serve_function serve,
                         std::chrono::steady_clock::duration grace)
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
    impl_->grace = grace;
}

tcp_service::~tcp_service()
{
    stop();
}

void tcp_service::start()
{
    std::lock_guard one_at_a_time(impl_->change_mutex);
    if (impl_->started) {
        return;
    }
    impl_->server = std::make_unique<tcp_server>(impl_->ioc->get_executor(), impl_->what,
                                                 impl_->endpoint, impl_->serve);
    impl_->server->listen();
    impl_->endpoint = impl_->server->endpoint();
    impl_->server->start();
    if (!impl_->listening) {
        impl_->server->set_listening(false);
    }
    impl_->work.emplace(impl_->ioc->get_executor());
    impl_->thread = std::thread([ioc = impl_->ioc.get()] { ioc->run(); });
    impl_->started = true;
}

void tcp_service::stop()
{
    std::lock_guard one_at_a_time(impl_->change_mutex);
    if (!impl_->started || impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    auto& d = *impl_;
    d.work.reset();
    net::co_spawn(*d.ioc, d.server->stop(d.grace),
                  [ioc = d.ioc.get()](std::exception_ptr) { ioc->stop(); });
    if (d.thread.joinable()) {
        d.thread.join();
    }
}

void tcp_service::set_listening(bool listening)
{
    std::lock_guard one_at_a_time(impl_->change_mutex);
    if (!impl_->started) {
        impl_->listening = listening;
        return;
    }
    if (impl_->stopped) {
        return;
    }
    // On the service's thread, which owns the listener; its errors come back here.
    auto done = net::co_spawn(
        *impl_->ioc,
        [](tcp_server& server, bool open) -> net::awaitable<void> {
            server.set_listening(open);
            co_return;
        }(*impl_->server, listening),
        net::use_future);
    done.get();
    impl_->listening = listening;
}

std::string tcp_service::address() const
{
    return to_string(impl_->endpoint);
}

std::uint64_t tcp_service::accepted() const noexcept
{
    return impl_->server ? impl_->server->accepted() : 0;
}

const tcp::endpoint& tcp_service::endpoint() const noexcept
{
    return impl_->endpoint;
}

} // namespace io
