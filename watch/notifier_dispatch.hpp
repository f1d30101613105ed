#pragma once

// Delivers notifications to notifiers with retries and backoff. A failing notifier is logged
// and counted; it never stops the probing. Include only from I/O files.

#include "watch/shutdown_gate.hpp"
#include "watch/status_report.hpp"
#include "watch/watch_config.hpp"
#include "watch/watch_state.hpp"

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace watch {

/// The outbox of watch and the coroutines that empty it.
class notifier_dispatch {
public:
    /// Called whenever the outbox changes, so that the state file follows it.
    using persist_function = std::function<void()>;

    /// A dispatcher for the notifiers and routes of `config` (which must outlive it).
    notifier_dispatch(boost::asio::any_io_executor ex, const watch_config& config,
                      shutdown_gate& gate, persist_function persist);

    /// Routes an event and queues one delivery per selected notifier.
    void submit(const alert_event& event);

    /// Resumes deliveries left over from a previous run (notifiers no longer configured are
    /// dropped).
    void resume(std::vector<pending_delivery> outbox, std::uint64_t next_seq);

    /// Deliveries not yet done.
    const std::vector<pending_delivery>& outbox() const noexcept { return outbox_; }

    /// The next delivery number.
    std::uint64_t next_seq() const noexcept { return next_seq_; }

    /// Counters by notifier name.
    const std::map<std::string, notifier_counters>& counters() const noexcept { return counters_; }

private:
    void start(std::uint64_t seq);
    boost::asio::awaitable<void> deliver(std::uint64_t seq);
    boost::asio::awaitable<std::string> attempt(const notifier_config& n, const alert_event& e);
    pending_delivery* find(std::uint64_t seq);
    void remove(std::uint64_t seq);

    boost::asio::any_io_executor ex_;
    const watch_config& config_;
    shutdown_gate& gate_;
    persist_function persist_;
    std::vector<pending_delivery> outbox_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t message_counter_ = 0;
    std::map<std::string, notifier_counters> counters_;
};

} // namespace watch
