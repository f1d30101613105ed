#pragma once

// I/O file: the one accept loop of the project, and the TCP servers built on it. Every small
// service (the control API, POP3, watch's status service, the webhook receiver, the exporter)
// accepts with accept_loop() and runs each connection as a task of an io::task_group, so that
// stopping is cancellation: the listener closes, connections in flight get a grace period
// (partial cancellation), then the rest are ended (terminal cancellation).
//
//   tcp_server    on an executor the caller runs (watch's status service)
//   tcp_service   on an io_context and thread of its own (the control API, POP3)

#include "io/awaitable.hpp"
#include "io/task_group.hpp"

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace io {

/// Opens, binds and listens: SO_REUSEADDR, IPv6-only for IPv6 addresses. Throws
/// std::system_error "cannot listen on WHAT ADDR: reason".
std::shared_ptr<tcp_acceptor> open_listener(const boost::asio::any_io_executor& executor,
                                            const boost::asio::ip::tcp::endpoint& endpoint,
                                            int backlog, std::string_view what);

/// Where an accepted socket should live; by default, on the acceptor's executor.
using socket_executor_function = std::function<boost::asio::any_io_executor()>;

/// Accepts on `acceptor` until it is closed or the loop is cancelled, handing each connection
/// to `on_accept`. Other errors (out of descriptors, a connection reset before it was accepted)
/// back off for 50 ms rather than spin.
boost::asio::awaitable<void>
accept_loop(tcp_acceptor& acceptor, std::function<void(boost::asio::ip::tcp::socket)> on_accept,
            socket_executor_function socket_executor = {});

/// What runs for each accepted connection.
using serve_function = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

/// A TCP server on an executor that the caller runs. Every member function must be called on
/// that executor's thread; the server must outlive the completion of stop().
class tcp_server {
public:
    /// `what` names the service in errors (e.g. "--control").
    tcp_server(boost::asio::any_io_executor executor, std::string what,
               boost::asio::ip::tcp::endpoint endpoint, serve_function serve);
    tcp_server(const tcp_server&) = delete;
    tcp_server& operator=(const tcp_server&) = delete;

    /// Binds and listens. Throws std::system_error naming the service and the address.
    void listen(int backlog = boost::asio::socket_base::max_listen_connections);
    /// Starts accepting (listening first if listen() was not called).
    void start();
    /// Closes the listener, so that connecting is refused (ECONNREFUSED), or listens again on
    /// the endpoint it had and accepts; connections being served go on either way. Only after
    /// start().
    void set_listening(bool listening);
    /// Closes the listener; asks every connection to finish what it is doing (partial
    /// cancellation) and, after `grace`, ends the rest (terminal cancellation). Completes when
    /// every connection has ended.
    boost::asio::awaitable<void> stop(std::chrono::steady_clock::duration grace);

    /// The bound endpoint once listening (the configured one before).
    const boost::asio::ip::tcp::endpoint& endpoint() const noexcept { return endpoint_; }
    /// Connections being served now.
    std::size_t connections() const noexcept { return connections_.size(); }
    /// Connections accepted since the start; safe to read from any thread.
    std::uint64_t accepted() const noexcept { return accepted_.load(std::memory_order_relaxed); }

private:
    void accept();

    boost::asio::any_io_executor executor_;
    std::string what_;
    boost::asio::ip::tcp::endpoint endpoint_;
    serve_function serve_;
    std::shared_ptr<tcp_acceptor> acceptor_;
    std::atomic<std::uint64_t> accepted_{0};
    task_group accepting_;
    task_group connections_;
};

/// A tcp_server on an io_context and thread of its own: nothing it does can stall the caller.
class tcp_service {
public:
    /// What runs for each accepted connection.
    using serve_function = io::serve_function;

    /// `what` names the service in errors (e.g. "--pop3"); `address` is "ADDR:PORT" with a
    /// literal IP (port 0: ephemeral). Throws std::runtime_error when it does not parse.
    /// stop() gives connections in flight `grace` to finish.
    tcp_service(std::string what, const std::string& address, serve_function serve,
                std::chrono::steady_clock::duration grace = std::chrono::seconds(1));
    ~tcp_service();
    tcp_service(const tcp_service&) = delete;
    tcp_service& operator=(const tcp_service&) = delete;

    /// Binds and starts the thread. Throws std::system_error naming the address on failure.
    void start();
    /// Closes the listener, gives connections in flight the grace period, ends the rest and
    /// joins the thread. Idempotent.
    void stop();
    /// Closes the listener (connecting is then refused) or opens it again on the same address;
    /// connections being served go on. Before start(): the state start() leaves it in (it binds
    /// even when closed, to learn an ephemeral port). After stop(): nothing. Returns once done;
    /// throws std::system_error naming the address when it cannot listen again.
    void set_listening(bool listening);

    /// The bound address, e.g. "127.0.0.1:8025".
    std::string address() const;
    /// The configured or bound endpoint.
    const boost::asio::ip::tcp::endpoint& endpoint() const noexcept;
    /// Connections accepted since the start; safe to read from any thread.
    std::uint64_t accepted() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace io
