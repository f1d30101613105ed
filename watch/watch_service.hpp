#pragma once

#include "watch/watch_config.hpp"

#include <functional>
#include <memory>
#include <string>

namespace watch {

/// The whole of `smtp-probe watch` as one object: one check loop per target, the alerting
/// state machines, the notifiers, the state file and the status endpoints, on one io_context
/// run by the thread that calls run().
class watch_service {
public:
    /// Called once everything is bound, with the status address ("" when none is served).
    using ready_function = std::function<void(const std::string& status_address)>;

    /// A service for `config`; nothing runs until run().
    explicit watch_service(watch_config config);
    ~watch_service();
    watch_service(const watch_service&) = delete;
    watch_service& operator=(const watch_service&) = delete;

    /// Restores the state file, starts everything and runs until stop() (or SIGINT/SIGTERM
    /// when `handle_signals`). Returns 0, or 3 when it could not start (the reason is logged).
    int run(ready_function on_ready = {}, bool handle_signals = false);

    /// Asks run() to return: waits are cancelled, the state is saved. Safe from any thread.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace watch
