#pragma once

// I/O file: TCP listeners. open_listener() binds one the same way everywhere; tcp_service runs a
// small service (the control API, POP3) on an io_context and thread of its own.

#include "io/awaitable.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace io {

/// Opens, binds and listens: SO_REUSEADDR, IPv6-only for IPv6 addresses. Throws
/// std::system_error "cannot listen on WHAT ADDR: reason".
std::shared_ptr<tcp_acceptor> open_listener(const boost::asio::any_io_executor& executor,
                                            const boost::asio::ip::tcp::endpoint& endpoint,
                                            int backlog, std::string_view what);

/// A TCP service on its own io_context and thread: it accepts connections and runs `serve` for
/// each, on that thread, until stopped.
class tcp_service {
public:
    /// What runs for each accepted connection.
    using serve_function =
        std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

    /// `what` names the service in errors (e.g. "--pop3"); `address` is "ADDR:PORT" with a
    /// literal IP (port 0: ephemeral). Throws std::runtime_error when it does not parse.
    tcp_service(std::string what, const std::string& address, serve_function serve);
    ~tcp_service();
    tcp_service(const tcp_service&) = delete;
    tcp_service& operator=(const tcp_service&) = delete;

    /// Binds and starts the thread. Throws std::system_error naming the address on failure.
    void start();
    /// Closes the listener and every connection, then joins the thread. Idempotent.
    void stop();

    /// The bound address, e.g. "127.0.0.1:8025".
    std::string address() const;
    /// The configured or bound endpoint.
    const boost::asio::ip::tcp::endpoint& endpoint() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace io
