// `do.ehlo_switches: true` with phase ehlo and/or helo: the leading part of the client's name
// switches extensions off or picks the fault, e.g. EHLO nostarttls.client.example (grammar in
// faults/ehlo_switch.hpp). An ordinary name leaves the rule unfired.
#include "faults/effects/memory.hpp"
#include "faults/ehlo_switch.hpp"

#include <algorithm>

namespace faults::effects {
namespace {

std::optional<action> decoded(const decision_point& at)
{
    if (at.phase != smtp::phase::ehlo && at.phase != smtp::phase::helo) {
        return std::nullopt;
    }
    return decode_ehlo_switch(at.argument);
}

class ehlo_switches_effect final : public effect_of<ehlo_switches_effect> {
public:
    static constexpr std::string_view name = "ehlo_switches";

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        // `ehlo_switches: false` asks for nothing.
        return in.boolean(value) ? std::make_shared<ehlo_switches_effect>() : nullptr;
    }

    boost::json::value to_json() const override { return true; }

    std::optional<rule_problem> check(const rule& r) const override
    {
        const auto& phases = r.when.phases;
        const bool only_greetings =
            !phases.empty() && std::all_of(phases.begin(), phases.end(), [](smtp::phase p) {
                return p == smtp::phase::ehlo || p == smtp::phase::helo;
            });
        if (!only_greetings) {
            return rule_problem{"do.ehlo_switches",
                                "the client's name picks the fault at EHLO or HELO: the rule "
                                "needs when: {phase: [ehlo, helo]} (or one of them)"};
        }
        for (const auto& e : r.effects.items()) {
            if (e->key() != name && !only_decides(e->key())) {
                return rule_problem{"do.ehlo_switches", "the client's name says what to do; " +
                                                            std::string(e->key()) +
                                                            " would contradict it"};
            }
        }
        return std::nullopt;
    }

    void apply(action&) const override {}

    void apply_at(action& a, const effect_context& c) const override
    {
        if (auto from_name = decoded(c.at)) {
            a.delay = from_name->delay;
            a.send = std::move(from_name->send);
            a.end = from_name->end;
            a.withhold = std::move(from_name->withhold);
        }
    }

    bool admits(const effect_context& c, effect_state*) const override
    {
        return decoded(c.at).has_value();
    }

    friend bool operator==(const ehlo_switches_effect&, const ehlo_switches_effect&) = default;
};

} // namespace

extern const effect_type ehlo_switches;
const effect_type ehlo_switches{ehlo_switches_effect::name, &ehlo_switches_effect::read};

} // namespace faults::effects
