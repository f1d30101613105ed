#pragma once

#include "mockserver/fault_source.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/server_context.hpp"
#include "mockserver/server_options.hpp"
#include "mockserver/session_registry.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

namespace mock {

class tls_contexts;

/// The SMTP side of smtp-mock: listeners, worker threads and sessions. Embeddable: the harness
/// runs one per scenario in its own process.
///
/// Each worker thread runs its own io_context; a session lives on one worker, in that worker's
/// io::task_group. Listeners accept on the first worker and hand connections round-robin to all
/// of them. Stores that may block (a Maildir write) run on a small pool of their own threads.
class server {
public:
    /// Prepares the server; nothing is bound yet. `faults` (may be null) and `store` must
    /// outlive the server. Throws std::runtime_error for invalid options.
    server(const server_options& options, fault_source* faults, message_store& store);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds every listener and starts the workers. Throws std::system_error naming the
    /// address that could not be bound.
    void start();

    /// Stops accepting, then stops the sessions by cancellation: gracefully first (idle ones
    /// say 421 and close; a transaction in progress may finish within the grace period), then at
    /// once. Waits for stores in progress, then stops the workers. A listener change in flight
    /// is abandoned, never waited for. Idempotent.
    void stop();

    /// Adds a listener with a scenario of its own (--scenario-ports): whoever connects to it
    /// gets the decisions of `faults`, and `mode` stays its state whatever set_listener_mode()
    /// does. Call before start(); `faults` must outlive the server. Throws std::runtime_error
    /// for an address that is not ADDR:PORT.
    void add_scenario_listener(const std::string& address, fault_source* faults, listener_mode mode,
                               std::string scenario);
    /// The scenario listeners' endpoints, in the order they were added (after start(): with
    /// the ports picked; a closed one's is the port that refuses).
    std::vector<boost::asio::ip::tcp::endpoint> scenario_endpoints() const;

    /// The bound SMTP endpoints (after start(): with the ephemeral ports picked).
    std::vector<boost::asio::ip::tcp::endpoint> smtp_endpoints() const;
    /// The bound implicit-TLS endpoints.
    std::vector<boost::asio::ip::tcp::endpoint> smtp_tls_endpoints() const;

    /// Opens, closes (connection refused) or black-holes (connect timeout) every listener.
    /// Returns once applied; before start() it is applied at start(); once stop() has begun it
    /// does nothing (and a change in flight returns when the stop abandons it).
    void set_listener_mode(listener_mode mode);
    /// The current listener mode.
    listener_mode get_listener_mode() const;

    /// Session records.
    session_registry& sessions() noexcept { return registry_; }
    /// Live counters.
    const server_counters& counters() const noexcept { return context_.counters; }
    /// The TLS contexts, or null when TLS is off.
    tls_contexts* tls() noexcept { return tls_.get(); }

private:
    struct impl;
    session_registry registry_;
    server_context context_;
    std::unique_ptr<tls_contexts> tls_;
    std::unique_ptr<impl> impl_;
};

} // namespace mock
