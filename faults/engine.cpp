#include "faults/engine.hpp"

#include "faults/scenario_loader.hpp"

#include <algorithm>

namespace faults {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): spreads (seed, ordinal) over the whole seed space.
std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

} // namespace

decision_rng::decision_rng(std::uint64_t seed, std::uint64_t ordinal)
    : state_(splitmix64(splitmix64(seed) ^ ordinal))
{
}

double decision_rng::next()
{
    // Each step adds the golden-ratio increment and mixes (splitmix64 does both); the top 53
    // bits become the fraction, so draws are the same on every platform.
    state_ += 0x9e3779b97f4a7c15ULL;
    return static_cast<double>(splitmix64(state_) >> 11) * 0x1.0p-53;
}

compiled_rule::compiled_rule(rule r, std::uint64_t connections_before,
                             std::chrono::milliseconds added_after_load)
    : rule_(std::move(r))
    , connections_before_(connections_before)
    , added_after_load_(added_after_load)
{
    validate_rule(rule_, "rule " + rule_.id, "");
    action_ = compose(rule_.effects);
    for (const auto& e : rule_.effects.items()) {
        states_.push_back(e->make_state());
    }
}

bool compiled_rule::matches(const connection_context& context, const decision_point& at,
                            std::chrono::milliseconds since_load) const
{
    const rule_when& w = rule_.when;
    // A rule without phases applies at every SMTP phase; the DNS server's only names dns.
    if (w.phases.empty()
            ? at.phase == smtp::phase::dns
            : std::find(w.phases.begin(), w.phases.end(), at.phase) == w.phases.end()) {
        return false;
    }
    // RE2: linear in the length of the text, whatever the pattern (faults/pattern.hpp).
    if (w.command && !w.command->full_match(at.command)) {
        return false;
    }
    if (w.argument && !w.argument->partial_match(at.argument)) {
        return false;
    }
    if (!w.connections.empty() &&
        (context.ordinal <= connections_before_ ||
         std::none_of(w.connections.begin(), w.connections.end(), [&](const connection_range& r) {
             return r.contains(context.ordinal - connections_before_);
         }))) {
        return false;
    }
    if (!w.client.empty() && (!context.peer || std::none_of(w.client.begin(), w.client.end(),
                                                            [&](const client_network& n) {
                                                                return n.contains(*context.peer);
                                                            }))) {
        return false;
    }
    if (w.after && since_load < *w.after) {
        return false;
    }
    if (w.until && since_load >= *w.until) {
        return false;
    }
    return true;
}

bool compiled_rule::try_fire() const noexcept
{
    if (!rule_.when.times) {
        fired_.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    std::uint64_t current = fired_.load(std::memory_order_relaxed);
    do {
        if (current >= *rule_.when.times) {
            return false;
        }
    } while (!fired_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
    return true;
}

bool compiled_rule::admitted(const effect_context& context) const
{
    const auto& effects = rule_.effects.items();
    for (std::size_t i = 0; i < effects.size(); ++i) {
        if (!effects[i]->admits(context, states_[i].get())) {
            return false;
        }
    }
    return true;
}

boost::json::object compiled_rule::state() const
{
    boost::json::object o;
    const auto& effects = rule_.effects.items();
    for (std::size_t i = 0; i < effects.size(); ++i) {
        if (states_[i]) {
            o[effects[i]->key()] = states_[i]->to_json();
        }
    }
    return o;
}

action compiled_rule::make_action(const effect_context& context) const
{
    action a = action_;
    for (const auto& e : rule_.effects.items()) {
        e->apply_at(a, context);
    }
    a.fired = fired_rule{rule_.id, context.at.phase};
    return a;
}

std::vector<std::shared_ptr<const compiled_rule>> compile_rules(const std::vector<rule>& rules)
{
    std::vector<std::shared_ptr<const compiled_rule>> out;
    out.reserve(rules.size());
    for (const auto& r : rules) {
        out.push_back(std::make_shared<const compiled_rule>(r));
    }
    return out;
}

engine::engine(std::vector<std::shared_ptr<const compiled_rule>> rules,
               std::chrono::steady_clock::time_point loaded_at,
               std::shared_ptr<std::atomic<std::uint64_t>> fired_total)
    : rules_(std::move(rules))
    , loaded_at_(loaded_at)
    , fired_total_(std::move(fired_total))
{
}

action engine::decide(const connection_context& context, const decision_point& at,
                      std::chrono::steady_clock::time_point now, decision_rng& rng) const
{
    const auto since_load = std::chrono::duration_cast<std::chrono::milliseconds>(now - loaded_at_);
    for (const auto& r : rules_) {
        if (!r->matches(context, at, since_load)) {
            continue;
        }
        const double probability = r->definition().when.probability;
        if (probability < 1.0 && !(rng.next() < probability)) {
            continue;
        }
        const effect_context here{context, at, since_load, since_load - r->added_after_load()};
        if (!r->admitted(here)) {
            continue;
        }
        if (!r->try_fire()) {
            continue;
        }
        if (fired_total_) {
            fired_total_->fetch_add(1, std::memory_order_relaxed);
        }
        return r->make_action(here);
    }
    return action{};
}

engine_session::engine_session(std::shared_ptr<const engine> snapshot, connection_context context,
                               decision_rng rng)
    : engine_(std::move(snapshot))
    , context_(std::move(context))
    , rng_(std::move(rng))
{
}

action engine_session::decide(const decision_point& at, std::chrono::steady_clock::time_point now)
{
    return engine_->decide(context_, at, now, rng_);
}

} // namespace faults
