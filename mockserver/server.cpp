#include "mockserver/server.hpp"

#include "io/awaitable.hpp"
#include "io/endpoint.hpp"
#include "io/task_group.hpp"
#include "io/tcp_service.hpp"
#include "mockserver/connection.hpp"
#include "mockserver/credentials.hpp"
#include "mockserver/session_driver.hpp"
#include "mockserver/tls_contexts.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <condition_variable>
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
using clock_type = std::chrono::steady_clock;

namespace {

// After the grace period, sessions are stopped at once; this bounds how long the server then
// waits for them (a store in progress, a close) before it stops its threads.
constexpr auto stop_now_bound = std::chrono::seconds(2);

struct worker {
    net::io_context ioc{1};
    net::executor_work_guard<net::io_context::executor_type> guard{ioc.get_executor()};
    // The sessions of this worker; destroyed before the io_context, which it uses.
    io::task_group sessions{ioc.get_executor()};
    std::thread thread;
};

// One configured address: its acceptor while open, or a full-queue socket while black-holed.
struct listener {
    tcp::endpoint endpoint;
    bool implicit_tls = false;
    std::shared_ptr<io::tcp_acceptor> acceptor;
    std::shared_ptr<io::tcp_acceptor> blackhole;
    std::vector<tcp::socket> fillers;
    // A scenario listener (--scenario-ports): its own faults, its own fixed mode.
    scenario_listener own;
    std::optional<listener_mode> fixed;
    // The local end of every connection, as text, when the listener is bound to one address
    // (empty for a wildcard); set at the first open and kept (a reopen binds the same port), so
    // that sessions may read it from any thread.
    std::string local_text;
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

// One change of the listener mode, as the thread that asked for it waits for it: it ends when
// the change is applied, or when the server stops (whichever comes first).
class listener_change {
public:
    void complete(std::exception_ptr error)
    {
        std::lock_guard lock(mutex_);
        if (!done_) {
            done_ = true;
            error_ = std::move(error);
            cv_.notify_all();
        }
    }

    void wait()
    {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return done_; });
        if (error_) {
            std::rethrow_exception(error_);
        }
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    std::exception_ptr error_;
};

} // namespace

struct server::impl {
    server& owner;
    server_options options;
    std::list<worker> workers;
    std::vector<worker*> worker_list;
    std::size_t next_worker = 0;
    std::vector<listener> listeners;
    // The accept loops, black-hole set-ups and listener changes, on the main worker; declared
    // after the workers so that it goes before their io_contexts.
    std::optional<io::task_group> accepting;
    // Where stores that may block run (a Maildir write and its fsyncs), and its executor.
    std::optional<net::thread_pool> store_pool;
    std::optional<net::any_io_executor> store_executor;
    std::unique_ptr<user_table> users;

    std::mutex change_mutex;        // one listener change at a time
    mutable std::mutex state_mutex; // guards what follows
    listener_mode mode = listener_mode::open;
    bool started = false;
    bool stopping = false;
    std::shared_ptr<listener_change> pending_change;

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
        auto acc = io::open_listener(main_worker().ioc.get_executor(), l.endpoint, options.backlog,
                                     l.fixed          ? "--scenario-ports"
                                     : l.implicit_tls ? "--listen-tls"
                                                      : "--listen");
        l.endpoint = acc->local_endpoint(); // the real port when 0 was asked for
        l.acceptor = acc;
        // Sessions answer at once (a reply is never held back for the client's ACK: RFC 2920
        // pipelining, trickles). Linux gives an accepted socket its listener's TCP_NODELAY:
        // one setsockopt per listener, not one per connection.
        error_code ignored;
        acc->set_option(tcp::no_delay(true), ignored);
        if (l.local_text.empty() && !l.endpoint.address().is_unspecified()) {
            l.local_text = io::to_string(l.endpoint);
        }
        const auto* local = l.local_text.empty() ? nullptr : &l.local_text;
        accepting->spawn(accept_loop(acc, local, l.implicit_tls, l.fixed ? &l.own : nullptr));
    }

    // `local` and `scenario`: the listener's (it outlives the loop), or null.
    net::awaitable<void> accept_loop(std::shared_ptr<io::tcp_acceptor> acc,
                                     const std::string* local, bool implicit_tls,
                                     const scenario_listener* scenario)
    {
        co_await net::this_coro::throw_if_cancelled(false);
        io::steady_timer backoff(co_await net::this_coro::executor);
        for (;;) {
            worker& w = pick_worker();
            tcp::endpoint peer; // kept from accept(): remote_endpoint() fails once the peer is gone
            auto [ec, socket] = co_await acc->async_accept(w.ioc, peer);
            if (ec == net::error::operation_aborted || !acc->is_open()) {
                co_return;
            }
            if (ec) {
                // Out of descriptors or a transient error: back off rather than spin.
                backoff.expires_after(std::chrono::milliseconds(50));
                if (auto [bec] = co_await backoff.async_wait(); bec) {
                    co_return;
                }
                continue;
            }
            // The session lives on its worker, in that worker's group.
            net::dispatch(w.ioc, [this, &w, s = std::move(socket), peer, local, implicit_tls,
                                  scenario]() mutable {
                w.sessions.spawn(run_session(
                    {io::tcp_socket(std::move(s)), peer, local, implicit_tls, scenario},
                    owner.context_, store_executor ? &*store_executor : nullptr));
            });
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
        auto acc =
            io::open_listener(main_worker().ioc.get_executor(), l.endpoint, 0, "a black hole at");
        l.endpoint = acc->local_endpoint(); // the real port when 0 was asked for
        l.blackhole = std::move(acc);
        for (int i = 0; i < 4 && !accepting->stopping(); ++i) {
            tcp::socket filler(main_worker().ioc);
            auto deadline = clock_type::now() + std::chrono::milliseconds(100);
            auto done = co_await io::with_deadline(filler.async_connect(l.endpoint, io::use_tuple),
                                                   deadline);
            if (!done || std::get<0>(*done) || accepting->stopping()) {
                break; // the queue is full (this SYN was dropped), or the server stops
            }
            l.fillers.push_back(std::move(filler));
        }
    }

    // Applies a listener mode to every listener; a stop of the server ends it early.
    net::awaitable<void> apply_mode(listener_mode m, std::shared_ptr<listener_change> change)
    {
        co_await net::this_coro::throw_if_cancelled(false);
        std::exception_ptr error;
        try {
            for (auto& l : listeners) {
                if (accepting->stopping()) {
                    break;
                }
                if (l.fixed) {
                    continue; // a scenario listener keeps its scenario's state
                }
                close_listener(l);
                switch (m) {
                case listener_mode::open:
                    open_acceptor(l);
                    break;
                case listener_mode::closed:
                    break;
                case listener_mode::blackhole:
                    co_await open_blackhole(l);
                    break;
                }
            }
        } catch (...) {
            error = std::current_exception();
        }
        change->complete(error);
    }

    // Puts every scenario listener whose scenario black-holes it in that state.
    net::awaitable<void> open_fixed_blackholes(std::shared_ptr<listener_change> change)
    {
        co_await net::this_coro::throw_if_cancelled(false);
        std::exception_ptr error;
        try {
            for (auto& l : listeners) {
                if (l.fixed == listener_mode::blackhole && !accepting->stopping()) {
                    co_await open_blackhole(l);
                }
            }
        } catch (...) {
            error = std::current_exception();
        }
        change->complete(error);
    }

    // Opens the listeners at start: a closed scenario listener is bound only to learn its port
    // (then it refuses), a black-holed one is set up once the workers run.
    void open_listeners()
    {
        for (auto& l : listeners) {
            if (!l.fixed || *l.fixed == listener_mode::open) {
                open_acceptor(l);
            } else if (*l.fixed == listener_mode::closed && l.endpoint.port() == 0) {
                auto acc = io::open_listener(main_worker().ioc.get_executor(), l.endpoint, 1,
                                             "--scenario-ports");
                l.endpoint = acc->local_endpoint();
                error_code ignored;
                acc->close(ignored);
            }
        }
    }

    // Asks every worker's sessions to stop (`type`) and waits until they have, or `deadline`.
    void stop_sessions(net::cancellation_type type, clock_type::time_point deadline)
    {
        std::vector<std::future<bool>> done;
        for (auto* w : worker_list) {
            net::post(w->ioc, [w, type] { w->sessions.stop(type); });
            done.push_back(
                net::co_spawn(w->ioc, w->sessions.wait_until_empty(deadline), net::use_future));
        }
        for (auto& f : done) {
            f.wait();
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
    context_.config.command_timeout = options.command_timeout;
    context_.config.max_connections = options.max_connections;
    context_.config.require_auth = options.require_auth;
    context_.config.auth_requires_tls = options.auth_requires_tls;
    context_.store = &store;
    context_.registry = &registry_;
    context_.faults = faults;
    if (!options.no_tls) {
        tls_ = std::make_unique<tls_contexts>(options.hostname, options.tls_cert, options.tls_key);
        context_.tls = tls_.get();
        context_.config.tls_available = true;
        // The PEM is asked for only when a file wants it: asking waits for the certificate.
        auto write_pem = [](const std::optional<std::filesystem::path>& file, auto pem,
                            std::string_view what) {
            if (!file) {
                return;
            }
            std::ofstream out(*file);
            out << pem();
            if (!out) {
                throw std::runtime_error(file->string() + ": cannot write " + std::string(what));
            }
        };
        write_pem(options.write_ca, [this] { return tls_->ca_certificate(); }, "CA file");
        write_pem(options.write_cert, [this] { return tls_->certificate_chain(); },
                  "certificate file");
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
        impl_->listeners.emplace_back().endpoint = parse_or_throw(text, "--listen");
    }
    for (const auto& text : options.listen_tls) {
        auto& l = impl_->listeners.emplace_back();
        l.endpoint = parse_or_throw(text, "--listen-tls");
        l.implicit_tls = true;
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
    impl_->accepting.emplace(impl_->main_worker().ioc.get_executor());
    if (context_.store->persists()) {
        impl_->store_pool.emplace(std::clamp(impl_->options.threads, 2u, 8u));
        impl_->store_executor.emplace(impl_->store_pool->get_executor());
    }
    impl_->open_listeners();
    for (auto* w : impl_->worker_list) {
        w->thread = std::thread([w] { w->ioc.run(); });
    }
    const bool blackholes =
        std::any_of(impl_->listeners.begin(), impl_->listeners.end(),
                    [](const listener& l) { return l.fixed == listener_mode::blackhole; });
    if (blackholes) {
        auto change = std::make_shared<listener_change>();
        net::post(impl_->main_worker().ioc, [this, change] {
            impl_->accepting->spawn(impl_->open_fixed_blackholes(change));
        });
        change->wait();
    }
    listener_mode mode;
    {
        std::lock_guard lock(impl_->state_mutex);
        impl_->started = true;
        // A scenario chose the mode before the start: bind first (to learn the ports), then apply.
        mode = std::exchange(impl_->mode, listener_mode::open);
    }
    if (mode != listener_mode::open) {
        set_listener_mode(mode);
    }
}

void server::stop()
{
    {
        std::lock_guard lock(impl_->state_mutex);
        if (!impl_->started || impl_->stopping) {
            return;
        }
        impl_->stopping = true;
    }
    // Stop accepting: wake the accept loops and any listener change, close every listener.
    std::promise<void> closed;
    net::post(impl_->main_worker().ioc, [this, &closed] {
        impl_->accepting->stop(net::cancellation_type::terminal);
        for (auto& l : impl_->listeners) {
            impl_->close_listener(l);
        }
        closed.set_value();
    });
    closed.get_future().wait();
    // Idle sessions say 421 and close; a transaction in progress gets the grace period.
    impl_->stop_sessions(net::cancellation_type::partial, clock_type::now() + impl_->options.grace);
    // Then whatever is left closes now (a store in progress still finishes).
    impl_->stop_sessions(net::cancellation_type::terminal, clock_type::now() + stop_now_bound);
    if (impl_->store_pool) {
        impl_->store_pool->join();
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
    // A listener change that never got to run is over too: its caller must not wait forever.
    std::lock_guard lock(impl_->state_mutex);
    if (impl_->pending_change) {
        impl_->pending_change->complete(nullptr);
    }
}

void server::add_scenario_listener(const std::string& address, fault_source* faults,
                                   listener_mode mode, std::string scenario)
{
    if (impl_->started) {
        throw std::logic_error("add_scenario_listener() after start()");
    }
    listener l;
    l.endpoint = parse_or_throw(address, "--scenario-ports");
    l.own = {faults, std::move(scenario)};
    l.fixed = mode;
    impl_->listeners.push_back(std::move(l));
}

std::vector<net::ip::tcp::endpoint> server::scenario_endpoints() const
{
    std::vector<net::ip::tcp::endpoint> out;
    for (const auto& l : impl_->listeners) {
        if (l.fixed) {
            out.push_back(l.endpoint);
        }
    }
    return out;
}

std::vector<net::ip::tcp::endpoint> server::smtp_endpoints() const
{
    std::vector<net::ip::tcp::endpoint> out;
    for (const auto& l : impl_->listeners) {
        if (!l.implicit_tls && !l.fixed) {
            out.push_back(l.endpoint);
        }
    }
    return out;
}

std::vector<net::ip::tcp::endpoint> server::smtp_tls_endpoints() const
{
    std::vector<net::ip::tcp::endpoint> out;
    for (const auto& l : impl_->listeners) {
        if (l.implicit_tls && !l.fixed) {
            out.push_back(l.endpoint);
        }
    }
    return out;
}

void server::set_listener_mode(listener_mode mode)
{
    std::lock_guard one_at_a_time(impl_->change_mutex);
    std::shared_ptr<listener_change> change;
    {
        std::lock_guard lock(impl_->state_mutex);
        if (impl_->stopping) {
            return; // the listeners are closed for good
        }
        if (mode == impl_->mode || !impl_->started) {
            impl_->mode = mode;
            return;
        }
        impl_->mode = mode;
        change = impl_->pending_change = std::make_shared<listener_change>();
        net::post(impl_->main_worker().ioc, [this, mode, change] {
            impl_->accepting->spawn(impl_->apply_mode(mode, change));
        });
    }
    change->wait();
}

listener_mode server::get_listener_mode() const
{
    std::lock_guard lock(impl_->state_mutex);
    return impl_->mode;
}

} // namespace mock
