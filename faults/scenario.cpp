#include "faults/scenario.hpp"

#include <algorithm>

namespace faults {

std::string_view to_string(listener_state s) noexcept
{
    switch (s) {
    case listener_state::open:
        return "open";
    case listener_state::closed:
        return "closed";
    case listener_state::blackhole:
        return "blackhole";
    }
    return "open";
}

std::optional<listener_state> parse_listener_state(std::string_view name) noexcept
{
    for (auto s : {listener_state::open, listener_state::closed, listener_state::blackhole}) {
        if (to_string(s) == name) {
            return s;
        }
    }
    return std::nullopt;
}

bool rule_when::has_phase(smtp::phase p) const noexcept
{
    return std::find(phases.begin(), phases.end(), p) != phases.end();
}

bool rule_when::only_phase(smtp::phase p) const noexcept
{
    return phases.size() == 1 && phases.front() == p;
}

scenario healthy_scenario()
{
    scenario s;
    s.name = "healthy";
    s.summary = "A correct RFC 5321 server: no rules.";
    return s;
}

} // namespace faults
