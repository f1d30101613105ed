#pragma once

#include "mockserver/message_store.hpp"
#include "mockserver/server.hpp"
#include "mockserver/server_options.hpp"

#include <memory>
#include <string>

namespace mock {

/// The whole of smtp-mock as one object: the message store, the fault engine, the SMTP server,
/// the control API and POP3, wired together from the options. main() runs one; the harness
/// runs one per scenario in its own process.
class mock_app {
public:
    /// Loads everything the options name (scenario, users, certificates). Throws
    /// std::runtime_error with a message naming the bad option or file.
    explicit mock_app(const server_options& options);
    ~mock_app();

    /// Binds every listener and starts serving.
    void start();
    /// Graceful stop (DESIGN.md §3): stop accepting, let sessions finish, flush the store.
    void stop();

    /// The JSON ready line naming every bound address (DESIGN.md §3).
    std::string ready_line() const;

    /// Writes one log line to stderr in the configured format.
    void log(const std::string& message) const;

    /// The SMTP server.
    server& smtp() noexcept { return *server_; }
    /// The captured messages.
    message_store& store() noexcept { return *store_; }

private:
    server_options options_;
    std::unique_ptr<message_store> store_;
    std::unique_ptr<server> server_;
};

} // namespace mock
