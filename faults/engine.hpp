#pragma once

// The fault engine: a pure decision function over an immutable rule set, plus the counters
// the rules share.
//
//   engine e(compile_rules(s.rules), loaded_at, fired_total);
//   decision_rng rng(seed, ordinal);                       // one per session
//   action a = e.decide(context, {phase, verb, argument}, now, rng);
//
// The first rule (in order) whose conditions all hold fires; later rules are not evaluated for
// that decision point, so their `times` are not consumed.

#include "faults/action.hpp"
#include "faults/client_network.hpp"
#include "faults/scenario.hpp"

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faults {

/// The random source of one session: seeded from (seed, connection ordinal), so the decisions
/// for a given connection are the same run after run, whatever the thread interleaving.
class decision_rng {
public:
    /// Seeds the generator from the run's seed and the connection ordinal.
    decision_rng(std::uint64_t seed, std::uint64_t ordinal);

    /// The next draw, uniform in [0, 1). Exactly reproducible on every platform.
    double next();

private:
    // SplitMix64 as a stream (Steele, Lea, Flood 2014): eight bytes of state per session, so
    // ten thousand held sessions do not carry a Mersenne Twister each.
    std::uint64_t state_;
};

/// A rule ready for matching: its action composed once, the state of its effects that have
/// memory, and its fire counter. Shared between engine snapshots, so counts, `times` and that
/// state survive adding other rules.
class compiled_rule {
public:
    /// Compiles `r`; throws scenario_error when it is invalid (see validate_rule).
    /// `connections_before`: connections already counted when the rule was added to a running
    /// scenario; its `connections` ordinals count from there (the next connection is its 1).
    /// `added_after_load`: how long after the scenario was loaded the rule was added (the
    /// origin of effect_context::since_added).
    explicit compiled_rule(rule r, std::uint64_t connections_before = 0,
                           std::chrono::milliseconds added_after_load = {});

    compiled_rule(const compiled_rule&) = delete;
    compiled_rule& operator=(const compiled_rule&) = delete;

    /// The rule as written.
    const rule& definition() const noexcept { return rule_; }

    /// How many times it has fired.
    std::uint64_t fired() const noexcept { return fired_.load(std::memory_order_relaxed); }

    /// How long after the scenario was loaded the rule was added.
    std::chrono::milliseconds added_after_load() const noexcept { return added_after_load_; }

    /// What its effects with memory remember, by `do` key (empty when none has memory).
    boost::json::object state() const;

    /// True when every condition except probability and `times` holds.
    bool matches(const connection_context& context, const decision_point& at,
                 std::chrono::milliseconds since_load) const;

    /// True when every effect admits firing here (effects with memory decide; see
    /// effect::admits). Asked after matches() and the probability draw.
    bool admitted(const effect_context& context) const;

    /// Counts one firing; false (and nothing counted) when `times` is used up. Atomic.
    bool try_fire() const noexcept;

    /// The action this rule produces at the decision point of `context`.
    action make_action(const effect_context& context) const;

private:
    rule rule_;
    std::uint64_t connections_before_;
    std::chrono::milliseconds added_after_load_;
    action action_;                                     // compose(rule_.effects)
    std::vector<std::unique_ptr<effect_state>> states_; // one per effect, null when stateless
    mutable std::atomic<std::uint64_t> fired_{0};
};

/// Compiles a rule list in order. Throws scenario_error on the first invalid rule.
std::vector<std::shared_ptr<const compiled_rule>> compile_rules(const std::vector<rule>& rules);

/// An immutable snapshot of a rule set with its time base. decide() is thread-safe.
class engine {
public:
    /// `loaded_at` is when the scenario was loaded: the origin of `after` and `until`.
    /// `fired_total`, when given, counts every firing of every rule.
    engine(std::vector<std::shared_ptr<const compiled_rule>> rules,
           std::chrono::steady_clock::time_point loaded_at,
           std::shared_ptr<std::atomic<std::uint64_t>> fired_total = nullptr);

    /// The action for decision point `at` of the connection `context` at time `now`. Draws from
    /// `rng` once for each rule with a probability below 1 whose other conditions hold.
    action decide(const connection_context& context, const decision_point& at,
                  std::chrono::steady_clock::time_point now, decision_rng& rng) const;

    /// The rules, in order.
    const std::vector<std::shared_ptr<const compiled_rule>>& rules() const noexcept
    {
        return rules_;
    }

    /// The origin of `after` and `until`.
    std::chrono::steady_clock::time_point loaded_at() const noexcept { return loaded_at_; }

private:
    std::vector<std::shared_ptr<const compiled_rule>> rules_;
    std::chrono::steady_clock::time_point loaded_at_;
    std::shared_ptr<std::atomic<std::uint64_t>> fired_total_;
};

/// A session_decider over one engine snapshot: what the server holds for one connection.
/// Keeps the snapshot it started with; each action names the rule that fired, if one did (the
/// session's record keeps them: a second list here would cost every held connection). Used by
/// one thread (the session's); the snapshot it shares with other sessions is thread-safe.
class engine_session final : public session_decider {
public:
    /// Decides for the connection `context` with `snapshot`, drawing from `rng`.
    engine_session(std::shared_ptr<const engine> snapshot, connection_context context,
                   decision_rng rng);

    action decide(const decision_point& at, std::chrono::steady_clock::time_point now) override;

    /// The connection this session decides for.
    const connection_context& context() const noexcept { return context_; }

private:
    std::shared_ptr<const engine> engine_;
    connection_context context_;
    decision_rng rng_;
};

} // namespace faults
