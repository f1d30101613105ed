#pragma once

// I/O file: the one HTTP/1.1 service loop (Boost.Beast) of every small HTTP service of the
// project: the control API, watch's status service, the webhook receiver, the exporter. It reads
// a request head, screens it with the access middleware (io/http_access.hpp), reads the body,
// hands the request to the service's handler (`request -> response`, plain structs) and writes
// the answer, streaming it piece by piece when the handler gives a body_source. Connections are
// tasks of the server's task_group: a partial cancellation lets the response in progress finish
// and then closes; a terminal one closes at once.
//
//   io::http::service api("--control", "127.0.0.1:0", config,
//                         [&](const io::http::request& r) { return route(r, state); });
//   api.start();  ...  api.stop();

#include "io/awaitable.hpp"
#include "io/http_access.hpp"
#include "io/http_message.hpp"
#include "io/tcp_service.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace io::http {

/// Answers one request. Runs on the service's thread; an exception becomes a 500.
using handler = std::function<response(const request&)>;

/// Answers one request by awaiting something first (the exporter runs a probe), on the
/// service's executor; other connections are served meanwhile. An exception becomes a 500. The
/// connection's cancellation reaches the awaited work: a stop request lets it finish, the end of
/// the grace period (terminal cancellation) interrupts it.
using async_handler = std::function<boost::asio::awaitable<response>(const request&)>;

/// How a service serves HTTP.
struct service_config {
    /// The access rules: allowed host names, bearer token, realm.
    access_policy access;
    /// The `Server` header of every response.
    std::string server_name = "smtp-harness";
    /// Largest request body (413 beyond it).
    std::size_t body_limit = 1024 * 1024;
    /// Largest request head (431 beyond it).
    std::uint32_t header_limit = 64 * 1024;
    /// Time to receive one whole request, and to wait for the next one on a kept-alive
    /// connection.
    std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(30);
    /// Time to write each piece of a response: a client that stops reading is dropped then.
    std::chrono::steady_clock::duration write_timeout = std::chrono::seconds(30);
    /// On stop, how long connections in flight may take to finish their response.
    std::chrono::steady_clock::duration grace = std::chrono::seconds(1);
};

/// Takes over a connection instead of an ordinary response: the seam for WebSocket. When a
/// handler's response has `takeover` set, the loop writes nothing and runs it with the socket,
/// the bytes already read past the request head, and the request; it writes its own answer
/// (e.g. a WebSocket accept writes `101 Switching Protocols`). It runs as the connection's task,
/// so the service's cancellation reaches it.
class connection_takeover {
public:
    virtual ~connection_takeover() = default;
    /// Runs the connection until it ends.
    virtual boost::asio::awaitable<void> run(tcp_socket socket, std::string buffered,
                                             request head) = 0;
};

/// Serves HTTP on one connection until the client closes it, asks to, errs, times out, or the
/// connection is cancelled.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              const service_config& config, const handler& answer);

/// serve_connection() with a handler that awaits.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              const service_config& config,
                                              const async_handler& answer);

/// An HTTP service on an io_context and thread of its own (the control API, the webhook
/// receiver).
class service {
public:
    /// `what` names the service in errors (e.g. "--control"); `address` is "ADDR:PORT" with a
    /// literal IP (port 0: ephemeral). Throws std::runtime_error when it does not parse.
    service(std::string what, const std::string& address, service_config config, handler answer);
    /// A service whose handler awaits (the mock's Learn endpoints run a probe): other
    /// connections are served meanwhile, and stop() cancels what it awaits.
    service(std::string what, const std::string& address, service_config config,
            async_handler answer);

    /// Binds and starts the thread. Throws std::system_error naming the address on failure.
    void start() { tcp_.start(); }
    /// Closes the listener, lets responses in progress finish within the grace period, closes
    /// every connection and joins the thread. Idempotent.
    void stop() { tcp_.stop(); }

    /// The bound address, e.g. "127.0.0.1:8025".
    std::string address() const { return tcp_.address(); }
    /// The configured or bound endpoint.
    const boost::asio::ip::tcp::endpoint& endpoint() const noexcept { return tcp_.endpoint(); }

private:
    service_config config_;
    async_handler answer_;
    tcp_service tcp_;
};

/// An HTTP server on an executor the caller runs (watch's status service, the exporter): a
/// tcp_server whose connections are served by serve_connection(). Call everything on that
/// executor's thread.
class server {
public:
    /// `what` names the service in errors; `endpoint` may have port 0.
    server(boost::asio::any_io_executor executor, std::string what,
           boost::asio::ip::tcp::endpoint endpoint, service_config config, handler answer);
    /// A server whose handler awaits (the exporter's probes).
    server(boost::asio::any_io_executor executor, std::string what,
           boost::asio::ip::tcp::endpoint endpoint, service_config config, async_handler answer);

    /// Binds and listens. Throws std::system_error naming the service and the address.
    void listen() { tcp_.listen(); }
    /// Starts accepting.
    void start() { tcp_.start(); }
    /// Stops as tcp_server::stop() does, with the configured grace period.
    boost::asio::awaitable<void> stop() { return tcp_.stop(config_.grace); }
    /// The bound endpoint once listening.
    const boost::asio::ip::tcp::endpoint& endpoint() const noexcept { return tcp_.endpoint(); }
    /// Connections being served now.
    std::size_t connections() const noexcept { return tcp_.connections(); }

private:
    service_config config_;
    async_handler answer_;
    tcp_server tcp_;
};

} // namespace io::http
