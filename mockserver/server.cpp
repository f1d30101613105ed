#include "mockserver/server.hpp"

#include "io/awaitable.hpp"
#include "io/endpoint.hpp"
#include "io/tcp_service.hpp"
#include "mockserver/connection.hpp"
#include "mockserver/credentials.hpp"
#include "mockserver/session_driver.hpp"
#include "mockserver/tls_contexts.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <fstream>
#include <future>
#include <list>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace mock {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

struct worker {
    // Declared first, destroyed last: sessions still suspended when the io_context is destroyed
    // take themselves off this list as their frames are destroyed.
    session_list live;
    net::io_context ioc{1};
    net::executor_work_guard<net::io_context::executor_type> guard{ioc.get_executor()};
    std::thread thread;
};

// One configured address: its acceptor while open, or a full-queue socket while black-holed.
struct listener {
    tcp::endpoint endpoint;
    bool implicit_tls = false;
    std::shared_ptr<io::tcp_acceptor> acceptor;
    std::shared_ptr<io::tcp_acceptor> blackhole;
    std::vector<tcp::socket> fillers;
};

tcp::endpoint parse_or_throw(const std::string& text, const char* option)
{
    auto ep = io::parse_endpoint(text);
    if (!ep) {
        throw std::runtime_error(std::string(option) + " " + text +
                                 ": expected ADDR:PORT with a literal IP address");
    }
    return *ep;
}

} // namespace

struct server::impl {
    server& owner;
    server_options options;
    std::list<worker> workers;
    std::vector<worker*> worker_list;
    std::size_t next_worker = 0;
    std::vector<listener> listeners;
    std::unique_ptr<user_table> users;
    listener_mode mode = listener_mode::open;
    mutable std::mutex mode_mutex;
    bool started = false;
    bool stopped = false;

    impl(server& o, const server_options& opts)
        : owner(o)
        , options(opts)
    {
    }

    worker& main_worker() { return *worker_list.front(); }

    worker& pick_worker()
    {
        worker& w = *worker_list[next_worker];
        next_worker = (next_worker + 1) % worker_list.size();
        return w;
    }

    void open_acceptor(listener& l)
    {
        auto acc = io::open_listener(main_worker().ioc.get_executor(), l.endpoint,
                                     options.backlog,
                                     l.implicit_tls ? "--listen-tls" : "--listen");
        l.endpoint = acc->local_endpoint(); // the real port when 0 was asked for
        l.acceptor = acc;
        net::co_spawn(main_worker().ioc, accept_loop(acc, l.implicit_tls), net::detached);
    }

    net::awaitable<void> accept_loop(std::shared_ptr<io::tcp_acceptor> acc, bool implicit_tls)
    {
        for (;;) {
            worker& w = pick_worker();
            auto [ec, socket] = co_await acc->async_accept(w.ioc);
            if (!acc->is_open() || ec == net::error::operation_aborted) {
                co_return;
            }
            if (ec) {
                // Out of descriptors or a transient error: back off rather than spin.
                co_await io::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            net::co_spawn(w.ioc,
                          run_session(io::tcp_socket(std::move(socket)), owner.context_, w.live,
                                      implicit_tls),
                          net::detached);
        }
    }

    void close_listener(listener& l)
    {
        error_code ignored;
        if (l.acceptor) {
            l.acceptor->close(ignored);
            l.acceptor.reset();
        }
        for (auto& s : l.fillers) {
            s.close(ignored);
        }
        l.fillers.clear();
        if (l.blackhole) {
            l.blackhole->close(ignored);
            l.blackhole.reset();
        }
    }

    // A listener that never accepts, with a queue of length 0 that our own connections fill:
    // the kernel then drops every further SYN, so a client's connect() times out, on loopback.
    net::awaitable<void> open_blackhole(listener& l)
    {
        auto acc = io::open_listener(main_worker().ioc.get_executor(), l.endpoint, 0,
                                     "a black hole at");
        l.blackhole = std::move(acc);
        for (int i = 0; i < 4; ++i) {
            tcp::socket filler(main_worker().ioc);
            auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
            auto done = co_await io::with_deadline(
                filler.async_connect(l.endpoint, io::use_tuple), deadline);
            if (!done) {
                break; // the queue is full: this SYN was dropped
            }
            l.fillers.push_back(std::move(filler));
        }
    }

    net::awaitable<void> apply_mode(listener_mode m)
    {
        for (auto& l : listeners) {
            close_listener(l);
            switch (m) {
            case listener_mode::open: open_acceptor(l); break;
            case listener_mode::closed: break;
            case listener_mode::blackhole: co_await open_blackhole(l); break;
            }
        }
    }
};

server::server(const server_options& options, fault_source* faults, message_store& store)
    : registry_(options.session_history)
    , impl_(std::make_unique<impl>(*this, options))
{
    context_.config.hostname = options.hostname;
    context_.config.max_message_size = options.max_message_size;
    context_.config.idle_timeout = options.idle_timeout;
    context_.config.require_auth = options.require_auth;
    context_.config.auth_requires_tls = options.auth_requires_tls;
    context_.store = &store;
    context_.registry = &registry_;
    context_.faults = faults;
    context_.max_connections = options.max_connections;
    if (!options.no_tls) {
        tls_ = std::make_unique<tls_contexts>(options.hostname, options.tls_cert, options.tls_key);
        context_.tls = tls_.get();
        context_.config.tls_available = true;
        if (options.write_ca) {
            std::ofstream out(*options.write_ca);
            out << tls_->ca_certificate();
            if (!out) {
                throw std::runtime_error(options.write_ca->string() + ": cannot write CA file");
            }
        }
    } else if (!options.listen_tls.empty()) {
        throw std::runtime_error("--listen-tls needs TLS, but --no-tls was given");
    }
    if (options.users) {
        impl_->users = std::make_unique<user_table>(user_table::load(*options.users));
        context_.config.credentials = impl_->users.get();
    } else if (options.require_auth) {
        throw std::runtime_error("--require-auth needs --users FILE");
    }
    if (options.threads == 0) {
        throw std::runtime_error("--threads must be at least 1");
    }
    for (const auto& text : options.listen) {
        impl_->listeners.push_back({parse_or_throw(text, "--listen"), false, {}, {}, {}});
    }
    for (const auto& text : options.listen_tls) {
        impl_->listeners.push_back({parse_or_throw(text, "--listen-tls"), true, {}, {}, {}});
    }
}

server::~server()
{
    stop();
}

void server::start()
{
    if (impl_->started) {
        return;
    }
    for (unsigned i = 0; i < impl_->options.threads; ++i) {
        impl_->worker_list.push_back(&impl_->workers.emplace_back());
    }
    for (auto& l : impl_->listeners) {
        impl_->open_acceptor(l);
    }
    for (auto* w : impl_->worker_list) {
        w->thread = std::thread([w] { w->ioc.run(); });
    }
    impl_->started = true;
    if (impl_->mode != listener_mode::open) {
        // A scenario chose the mode before the start: bind first (to learn the ports), then apply.
        auto mode = std::exchange(impl_->mode, listener_mode::open);
        set_listener_mode(mode);
    }
}

void server::stop()
{
    if (!impl_->started || impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    // Stop accepting.
    std::promise<void> closed;
    net::post(impl_->main_worker().ioc, [this, &closed] {
        for (auto& l : impl_->listeners) {
            impl_->close_listener(l);
        }
        closed.set_value();
    });
    closed.get_future().wait();
    // Wake every idle session so it says 421 and closes.
    for (auto* w : impl_->worker_list) {
        net::post(w->ioc, [w] {
            for (auto& h : w->live) {
                h.stop_requested = true;
                h.conn->cancel();
            }
        });
    }
    auto deadline = std::chrono::steady_clock::now() + impl_->options.grace;
    while (context_.counters.connections_active.load() > 0 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto* w : impl_->worker_list) {
        w->guard.reset();
        w->ioc.stop();
    }
    for (auto* w : impl_->worker_list) {
        if (w->thread.joinable()) {
            w->thread.join();
        }
    }
}

std::vector<net::ip::tcp::endpoint> server::smtp_endpoints() const
{
    std::vector<net::ip::tcp::endpoint> out;
    for (const auto& l : impl_->listeners) {
        if (!l.implicit_tls) {
            out.push_back(l.endpoint);
        }
    }
    return out;
}

std::vector<net::ip::tcp::endpoint> server::smtp_tls_endpoints() const
{
    std::vector<net::ip::tcp::endpoint> out;
    for (const auto& l : impl_->listeners) {
        if (l.implicit_tls) {
            out.push_back(l.endpoint);
        }
    }
    return out;
}

void server::set_listener_mode(listener_mode mode)
{
    std::lock_guard lock(impl_->mode_mutex);
    if (mode == impl_->mode || !impl_->started || impl_->stopped) {
        impl_->mode = mode;
        return;
    }
    std::promise<void> done;
    net::co_spawn(impl_->main_worker().ioc, impl_->apply_mode(mode),
                  [&done](std::exception_ptr e) {
                      if (e) {
                          done.set_exception(e);
                      } else {
                          done.set_value();
                      }
                  });
    impl_->mode = mode;
    done.get_future().get();
}

listener_mode server::get_listener_mode() const
{
    std::lock_guard lock(impl_->mode_mutex);
    return impl_->mode;
}

} // namespace mock
