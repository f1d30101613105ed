#pragma once

// The harness's built-in webhook receiver: an io::http::service on 127.0.0.1 (ephemeral port),
// under the access rules of every HTTP service of the project, that records every POST under
// /hook/ with its arrival time.

#include "io/http_message.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace harness::alerts {

/// One request the receiver got.
struct received_post {
    /// The request target, e.g. "/hook/ops-webhook".
    std::string target;
    /// The body.
    std::string body;
    /// When it arrived, from the receiver's epoch.
    std::chrono::milliseconds t{0};
};

/// What the receiver keeps and how it answers, without any socket. Thread-safe.
class webhook_log {
public:
    /// Times are measured from `epoch`.
    explicit webhook_log(std::chrono::steady_clock::time_point epoch)
        : epoch_(epoch)
    {
    }

    /// Answers one request: a POST under /hook/ is recorded and answered 200 `{}`; any other
    /// path is 404, any other method 405.
    io::http::response answer(const io::http::request& request);

    /// Every request recorded so far, in arrival order.
    std::vector<received_post> received() const;

private:
    std::chrono::steady_clock::time_point epoch_;
    mutable std::mutex mutex_;
    std::vector<received_post> posts_;
};

/// An HTTP server on 127.0.0.1 (ephemeral port) with its own thread; answers 200 to POSTs
/// under /hook/ and records them.
class webhook_receiver {
public:
    /// Starts listening; times are measured from `epoch`. Throws std::runtime_error when it
    /// cannot bind.
    explicit webhook_receiver(std::chrono::steady_clock::time_point epoch);
    ~webhook_receiver();
    webhook_receiver(const webhook_receiver&) = delete;
    webhook_receiver& operator=(const webhook_receiver&) = delete;

    /// The base URL, e.g. "http://127.0.0.1:40123".
    std::string base_url() const;

    /// Every request so far, in arrival order.
    std::vector<received_post> received() const;

    /// Stops the server and joins its thread.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace harness::alerts
