#include "mockserver/pop3/pop3_server.hpp"

#include "io/awaitable.hpp"
#include "io/endpoint.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace mock::pop3 {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

net::awaitable<void> run_session(io::tcp_socket socket, maildrop_source& maildrops,
                                 const session_config& config)
{
    pop3_session session(maildrops, config);
    std::array<char, 8192> buffer;
    auto action = session.start(clock_type::now());
    for (;;) {
        if (auto* w = std::get_if<write_action>(&action)) {
            // A client that stops reading is dropped after the autologout time.
            auto result = co_await io::with_deadline(
                net::async_write(socket, net::buffer(w->bytes), io::use_tuple),
                clock_type::now() + config.idle_timeout);
            action = !result || std::get<0>(*result) ? session.on_peer_closed()
                                                     : session.on_written(clock_type::now());
        } else if (auto* r = std::get_if<read_action>(&action)) {
            auto result = co_await io::with_deadline(socket.async_read_some(net::buffer(buffer)),
                                                     r->deadline);
            if (!result) {
                action = session.on_timeout(clock_type::now());
                continue;
            }
            auto [ec, n] = *result;
            action = ec ? session.on_peer_closed()
                        : session.on_read(std::string_view(buffer.data(), n), clock_type::now());
        } else {
            break; // close_action
        }
    }
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

} // namespace

struct pop3_server::impl {
    maildrop_source& maildrops;
    session_config config;
    tcp::endpoint endpoint;
    net::io_context ioc{1};
    std::shared_ptr<io::tcp_acceptor> acceptor;
    std::thread thread;
    bool started = false;
    bool stopped = false;

    impl(maildrop_source& m, session_config c, tcp::endpoint ep)
        : maildrops(m)
        , config(std::move(c))
        , endpoint(ep)
    {
    }

    net::awaitable<void> accept_loop(std::shared_ptr<io::tcp_acceptor> acc)
    {
        for (;;) {
            auto [ec, socket] = co_await acc->async_accept();
            if (!acc->is_open() || ec == net::error::operation_aborted) {
                co_return;
            }
            if (ec) {
                co_await io::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            net::co_spawn(ioc, run_session(io::tcp_socket(std::move(socket)), maildrops, config),
                          net::detached);
        }
    }
};

pop3_server::pop3_server(const std::string& address, maildrop_source& maildrops,
                         session_config config)
{
    auto ep = io::parse_endpoint(address);
    if (!ep) {
        throw std::runtime_error("--pop3 " + address +
                                 ": expected ADDR:PORT with a literal IP address");
    }
    impl_ = std::make_unique<impl>(maildrops, std::move(config), *ep);
}

pop3_server::~pop3_server()
{
    stop();
}

void pop3_server::start()
{
    if (impl_->started) {
        return;
    }
    auto acc = std::make_shared<io::tcp_acceptor>(impl_->ioc);
    error_code ec;
    acc->open(impl_->endpoint.protocol(), ec);
    if (!ec) {
        acc->set_option(net::socket_base::reuse_address(true), ec);
        if (impl_->endpoint.address().is_v6()) {
            acc->set_option(net::ip::v6_only(true), ec);
        }
        acc->bind(impl_->endpoint, ec);
    }
    if (!ec) {
        acc->listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::system_error(ec, "cannot listen on --pop3 " + io::to_string(impl_->endpoint));
    }
    impl_->endpoint = acc->local_endpoint();
    impl_->acceptor = acc;
    net::co_spawn(impl_->ioc, impl_->accept_loop(acc), net::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
    impl_->started = true;
}

void pop3_server::stop()
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

std::string pop3_server::address() const
{
    return io::to_string(impl_->endpoint);
}

} // namespace mock::pop3
