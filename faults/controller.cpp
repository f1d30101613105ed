#include "faults/controller.hpp"

#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"

#include <algorithm>
#include <unordered_set>

namespace faults {

// One immutable state: the scenario, its engine, and the per-load connection counter.
// add_rule/remove_rule/set_listener derive a new snapshot sharing the counter and the compiled
// rules; replace/clear start a fresh one.
struct controller::snapshot {
    scenario definition;
    std::shared_ptr<const engine> rules;
    std::shared_ptr<std::atomic<std::uint64_t>> connections;
    std::shared_ptr<std::atomic<std::uint64_t>> mailbox_connections; // POP3 and IMAP
    std::shared_ptr<std::atomic<std::uint64_t>> queries;
};

controller::controller(scenario initial, std::uint64_t seed,
                       std::chrono::steady_clock::time_point now)
    : seed_(seed)
    , fired_total_(std::make_shared<std::atomic<std::uint64_t>>(0))
{
    replace(std::move(initial), now);
}

std::shared_ptr<const controller::snapshot> controller::load() const
{
    std::lock_guard lock(mutex_);
    return current_;
}

std::unique_ptr<engine_session> controller::open_session(std::uint64_t session_id,
                                                         std::string_view peer_address,
                                                         std::chrono::steady_clock::time_point)
{
    const auto snap = load();
    connection_context context;
    context.session_id = session_id;
    context.ordinal = snap->connections->fetch_add(1, std::memory_order_relaxed) + 1;
    context.peer = parse_ip_address(peer_address);
    return std::make_unique<engine_session>(snap->rules, context,
                                            decision_rng(seed_, context.ordinal));
}

std::unique_ptr<engine_session>
controller::open_mailbox_session(std::string_view peer_address,
                                 std::chrono::steady_clock::time_point)
{
    const auto snap = load();
    connection_context context;
    context.ordinal = snap->mailbox_connections->fetch_add(1, std::memory_order_relaxed) + 1;
    context.peer = parse_ip_address(peer_address);
    // Another stream of draws than the SMTP connection with the same ordinal.
    return std::make_unique<engine_session>(
        snap->rules, context, decision_rng(seed_ ^ 0x6d61696c626f78ULL, context.ordinal));
}

action controller::decide_query(const decision_point& at, std::string_view client_address,
                                std::chrono::steady_clock::time_point now)
{
    const auto snap = load();
    connection_context context;
    context.ordinal = 0; // matches no `connections` range
    context.peer = parse_ip_address(client_address);
    const auto ordinal = snap->queries->fetch_add(1, std::memory_order_relaxed) + 1;
    // Draws of queries are apart from those of connections: the high bit marks them.
    decision_rng rng(seed_, ordinal | (std::uint64_t{1} << 63));
    return snap->rules->decide(context, at, now, rng);
}

void controller::replace(scenario s, std::chrono::steady_clock::time_point now)
{
    for (std::size_t i = 0; i < s.rules.size(); ++i) {
        validate_rule(s.rules[i], "scenario " + s.name, "rules[" + std::to_string(i) + "]");
    }
    std::unordered_set<std::string_view> ids;
    for (std::size_t i = 0; i < s.rules.size(); ++i) {
        const std::string& id = s.rules[i].id;
        if (!id.empty() && !ids.insert(id).second) {
            throw scenario_error("scenario " + s.name, 0, 0, "rules[" + std::to_string(i) + "].id",
                                 "duplicate rule id '" + id + "'");
        }
    }
    assign_rule_ids(s.rules);
    auto next = std::make_shared<snapshot>();
    next->rules = std::make_shared<const engine>(compile_rules(s.rules), now, fired_total_);
    next->connections = std::make_shared<std::atomic<std::uint64_t>>(0);
    next->mailbox_connections = std::make_shared<std::atomic<std::uint64_t>>(0);
    next->queries = std::make_shared<std::atomic<std::uint64_t>>(0);
    next->definition = std::move(s);
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
}

void controller::clear(std::chrono::steady_clock::time_point now)
{
    replace(healthy_scenario(), now);
}

std::string controller::add_rule(rule r, std::chrono::steady_clock::time_point now)
{
    validate_rule(r, "rule", "");
    std::lock_guard lock(mutex_);
    const auto& rules = current_->definition.rules;
    if (r.id.empty()) {
        r.id = next_free_rule_id(rules);
    } else if (std::any_of(rules.begin(), rules.end(),
                           [&](const faults::rule& x) { return x.id == r.id; })) {
        throw scenario_error("rule", 0, 0, "id", "a rule with id '" + r.id + "' already exists");
    }
    auto compiled = current_->rules->rules();
    // Its connection ordinals count from now: `connections: 1` is the next connection.
    const auto loaded_at = current_->rules->loaded_at();
    const auto added_after_load =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::max(now, loaded_at) - loaded_at);
    // A rule for the mailbox services alone counts mailbox connections (see
    // open_mailbox_session).
    const bool mailbox_only = r.when.phases == std::vector{smtp::phase::verify};
    const auto& counter = mailbox_only ? current_->mailbox_connections : current_->connections;
    compiled.push_back(std::make_shared<const compiled_rule>(r, counter->load(), added_after_load));
    auto next = std::make_shared<snapshot>(*current_);
    next->rules = std::make_shared<const engine>(std::move(compiled), current_->rules->loaded_at(),
                                                 fired_total_);
    next->definition.rules.push_back(r);
    current_ = std::move(next);
    return r.id;
}

bool controller::remove_rule(std::string_view id)
{
    std::lock_guard lock(mutex_);
    const auto& rules = current_->definition.rules;
    const auto it =
        std::find_if(rules.begin(), rules.end(), [&](const rule& r) { return r.id == id; });
    if (it == rules.end()) {
        return false;
    }
    const auto index = static_cast<std::size_t>(it - rules.begin());
    auto compiled = current_->rules->rules();
    compiled.erase(compiled.begin() + static_cast<std::ptrdiff_t>(index));
    auto next = std::make_shared<snapshot>(*current_);
    next->rules = std::make_shared<const engine>(std::move(compiled), current_->rules->loaded_at(),
                                                 fired_total_);
    next->definition.rules.erase(next->definition.rules.begin() +
                                 static_cast<std::ptrdiff_t>(index));
    current_ = std::move(next);
    return true;
}

void controller::set_listener(listener_state state)
{
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<snapshot>(*current_);
    next->definition.listener = state;
    current_ = std::move(next);
}

void controller::set_mailbox_listener(listener_state state)
{
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<snapshot>(*current_);
    next->definition.mailbox_listener = state;
    current_ = std::move(next);
}

scenario controller::current() const
{
    return load()->definition;
}

listener_state controller::listener() const
{
    return load()->definition.listener;
}

listener_state controller::mailbox_listener() const
{
    return load()->definition.mailbox_listener;
}

std::vector<rule_status> controller::rules() const
{
    const auto snap = load();
    std::vector<rule_status> out;
    for (const auto& r : snap->rules->rules()) {
        out.push_back(rule_status{r->definition(), r->fired(), r->state()});
    }
    return out;
}

std::uint64_t controller::faults_fired() const noexcept
{
    return fired_total_->load(std::memory_order_relaxed);
}

} // namespace faults
