#pragma once

#include "mockserver/message_store.hpp"
#include "mockserver/server.hpp"
#include "mockserver/server_options.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace faults {
class controller;
}

namespace mock {

class maildir_writer;
class user_table;
namespace control {
class controller_fault_source;
class http_server;
struct api_state;
} // namespace control
namespace pop3 {
class store_maildrop;
class pop3_server;
} // namespace pop3

/// The whole of smtp-mock as one object: the message store, the fault engine, the SMTP server,
/// the control API and POP3, wired together from the options. main() runs one; the harness
/// runs one per scenario in its own process.
class mock_app {
public:
    /// Loads everything the options name (scenario, users, certificates, store). Throws
    /// std::runtime_error with a message naming the bad option or file.
    explicit mock_app(const server_options& options);
    ~mock_app();
    mock_app(const mock_app&) = delete;
    mock_app& operator=(const mock_app&) = delete;

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
    /// The live fault controller.
    faults::controller& faults() noexcept { return *controller_; }
    /// The seed of the fault engine (the one picked when --seed was 0).
    std::uint64_t seed() const noexcept { return seed_; }

private:
    server_options options_;
    std::uint64_t seed_ = 0;
    std::unique_ptr<maildir_writer> maildir_;
    std::unique_ptr<message_store> store_;
    std::unique_ptr<faults::controller> controller_;
    std::unique_ptr<control::controller_fault_source> fault_source_;
    std::unique_ptr<server> server_;
    std::unique_ptr<user_table> users_;
    std::unique_ptr<control::api_state> api_state_;
    std::unique_ptr<control::http_server> control_;
    std::unique_ptr<pop3::store_maildrop> maildrop_;
    std::unique_ptr<pop3::pop3_server> pop3_;
};

} // namespace mock
