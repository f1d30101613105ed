#pragma once

// The thread-safe holder of the live scenario, used by the server (one decider per session)
// and by the control API (replace, clear, add and remove rules, listener state).
//
//   controller c(load_scenario_file(path), seed, clock.now());
//   auto decider = c.open_session(id, "127.0.0.1", clock.now()); // the session's snapshot
//   c.replace(other, clock.now());  // new sessions only; ordinals and after/until restart
//   auto id = c.add_rule(r);        // new sessions see it; counts of other rules are kept

#include "faults/engine.hpp"
#include "faults/scenario.hpp"

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace faults {

/// A rule as listed by GET /api/v1/rules: the rule and how often it fired.
struct rule_status {
    rule definition;           ///< the rule, with its id
    std::uint64_t fired = 0;   ///< how many times it fired since it was added
    boost::json::object state; ///< what its effects with memory remember, by `do` key
};

/// Holds the scenario in force. Every member is safe to call from any thread.
class controller {
public:
    /// Starts with `initial`, loaded at `now`; `seed` seeds every probability draw.
    /// Throws scenario_error when a rule of `initial` is invalid.
    controller(scenario initial, std::uint64_t seed, std::chrono::steady_clock::time_point now);

    /// A decider for a new connection from `peer_address` (textual IP, a port is ignored),
    /// accepted at `now`. Assigns the next connection ordinal; the session keeps the rule
    /// snapshot it started with. Decisions use the time given to each decide() call.
    std::unique_ptr<engine_session> open_session(std::uint64_t session_id,
                                                 std::string_view peer_address,
                                                 std::chrono::steady_clock::time_point now);

    /// A decider for a new POP3 or IMAP connection (decisions at phase verify). Mailbox
    /// connections have ordinals of their own, so they never shift the SMTP connections'.
    std::unique_ptr<engine_session> open_mailbox_session(std::string_view peer_address,
                                                         std::chrono::steady_clock::time_point now);

    /// The action for one query to the mock's DNS server (`at.phase` dns, `at.command` the
    /// query type, `at.argument` the name asked) from `client_address`, at `now`: decided alone,
    /// with the rules in force. A query is not a connection: connection ordinals do not move;
    /// probability draws come from the seed and the query's own ordinal.
    action decide_query(const decision_point& at, std::string_view client_address,
                        std::chrono::steady_clock::time_point now);

    /// Swaps in `s` atomically. The time base of after/until becomes `now`, connection ordinals
    /// restart at 1, fire counts restart at 0. Sessions in flight keep their snapshot. Throws
    /// scenario_error (and changes nothing) when a rule is invalid.
    void replace(scenario s, std::chrono::steady_clock::time_point now);

    /// Back to the healthy scenario, as replace(healthy_scenario(), now).
    void clear(std::chrono::steady_clock::time_point now);

    /// Appends a rule at `now`; new sessions see it, its `connections` ordinals count from the
    /// next connection (ordinal 1) and its `expires` from `now`. Returns its id (generated when
    /// empty). Throws scenario_error when the rule is invalid or its id is taken.
    std::string add_rule(rule r, std::chrono::steady_clock::time_point now);

    /// Removes the rule with this id; new sessions no longer see it. False when there is none.
    bool remove_rule(std::string_view id);

    /// Sets the listener state (PUT /api/v1/listener); it is also part of current().
    void set_listener(listener_state state);

    /// Sets the state of the mailbox listeners, open or closed (PUT /api/v1/listener with
    /// "mailbox"); it is also part of current().
    void set_mailbox_listener(listener_state state);

    /// The scenario in force, with its current rules and listener states.
    scenario current() const;

    /// The listener state in force.
    listener_state listener() const;

    /// The state of the mailbox listeners in force.
    listener_state mailbox_listener() const;

    /// The seed of every probability draw.
    std::uint64_t seed() const noexcept { return seed_; }

    /// The rules in force, with their fire counts.
    std::vector<rule_status> rules() const;

    /// Every rule firing since the controller was made, across scenarios.
    std::uint64_t faults_fired() const noexcept;

private:
    struct snapshot;

    std::shared_ptr<const snapshot> load() const;

    const std::uint64_t seed_;
    const std::shared_ptr<std::atomic<std::uint64_t>> fired_total_;
    mutable std::mutex mutex_;
    std::shared_ptr<const snapshot> current_;
};

} // namespace faults
