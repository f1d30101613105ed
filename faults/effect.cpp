#include "faults/effect.hpp"

#include <boost/json/object.hpp>

namespace faults {

namespace effects {
// Defined in faults/effects/, one file each.
extern const effect_type delay, reply, raw, trickle, hang, close, after_bytes, tls, command;
extern const effect_type deliver;
// How the mock's DNS server answers (phase dns).
extern const effect_type dns;
// Effects that decide whether their rule fires (with memory, or expiring).
extern const effect_type greylist, rate_limit, fail_first, expires;
// The effect whose instructions come from the address.
extern const effect_type address_faults;
// The effect whose instructions come from the client's EHLO or HELO name.
extern const effect_type ehlo_switches;
} // namespace effects

const std::vector<const effect_type*>& effect_types()
{
    // The order of the scenario format: when to send, what, how fast, how it ends, then the
    // handshake and the command, then what becomes of an accepted message; then the effects that
    // decide whether the rule fires.
    static const std::vector<const effect_type*> types = {
        &effects::delay,      &effects::reply,      &effects::raw,         &effects::trickle,
        &effects::hang,       &effects::close,      &effects::after_bytes, &effects::tls,
        &effects::command,    &effects::deliver,    &effects::dns,         &effects::greylist,
        &effects::rate_limit, &effects::fail_first, &effects::expires,     &effects::address_faults,
        &effects::ehlo_switches,
    };
    return types;
}

const std::vector<std::string_view>& effect_keys()
{
    static const std::vector<std::string_view> keys = [] {
        std::vector<std::string_view> out;
        for (const auto* t : effect_types()) {
            out.push_back(t->key);
        }
        return out;
    }();
    return keys;
}

std::optional<rule_problem> effect::check(const rule&) const
{
    return std::nullopt;
}

void effect::apply_at(action&, const effect_context&) const {}

std::unique_ptr<effect_state> effect::make_state() const
{
    return nullptr;
}

bool effect::admits(const effect_context&, effect_state*) const
{
    return true;
}

void effect_list::add(std::shared_ptr<const effect> e)
{
    if (e) {
        items_.push_back(std::move(e));
    }
}

const effect* effect_list::find(std::string_view key) const noexcept
{
    for (const auto& e : items_) {
        if (e->key() == key) {
            return e.get();
        }
    }
    return nullptr;
}

bool operator==(const effect_list& a, const effect_list& b)
{
    if (a.items_.size() != b.items_.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.items_.size(); ++i) {
        if (!a.items_[i]->equals(*b.items_[i])) {
            return false;
        }
    }
    return true;
}

action compose(const effect_list& effects)
{
    action a;
    for (const auto& e : effects.items()) {
        e->apply(a);
    }
    return a;
}

boost::json::value to_json(const effect_list& effects)
{
    boost::json::object o;
    for (const auto& e : effects.items()) {
        o[e->key()] = e->to_json();
    }
    return o;
}

} // namespace faults
