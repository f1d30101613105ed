#pragma once

// The harness's built-in webhook receiver: records every POST with its arrival time.

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
