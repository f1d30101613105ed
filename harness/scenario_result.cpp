#include "harness/scenario_result.hpp"

#include <algorithm>

namespace harness {

bool all_as_expected(const std::vector<scenario_result>& results) noexcept
{
    return std::all_of(results.begin(), results.end(),
                       [](const scenario_result& r) { return r.as_expected; });
}

std::vector<std::string> false_alarm_controls(const std::vector<scenario_result>& results)
{
    std::vector<std::string> out;
    for (const auto& r : results) {
        if (is_healthy_name(r.scenario) && r.outcome == verdict::false_alarm) {
            out.push_back(r.scenario);
        }
    }
    return out;
}

void mark_unproven(std::vector<scenario_result>& results)
{
    bool alarmed = false;
    bool alarm_expected = true;
    for (const auto& r : results) {
        if (is_healthy_name(r.scenario) && r.outcome == verdict::false_alarm) {
            alarmed = true;
            alarm_expected = alarm_expected && r.as_expected;
        }
    }
    if (!alarmed) {
        return;
    }
    for (auto& r : results) {
        if (r.outcome == verdict::caught) {
            r.unproven = true;
            r.as_expected = r.as_expected && alarm_expected;
        }
    }
}

void note_unfired_rules(scenario_result& r, const faults::scenario& s,
                        std::vector<std::string> unfired)
{
    r.fault_never_fired =
        !is_healthy_name(s.name) && !s.rules.empty() && unfired.size() == s.rules.size();
    r.unfired_rules = std::move(unfired);
}

bool contact_observable(const faults::scenario& s) noexcept
{
    return s.listener == faults::listener_state::open;
}

scenario_result assess(const faults::scenario& s, const expected_outcome& expected,
                       observation observed, bool contact_checked, std::uint64_t sessions)
{
    scenario_result r;
    r.scenario = s.name;
    r.summary = s.summary;
    r.expected = expected;
    r.contact_checked = contact_checked;
    r.sessions = sessions;
    judgement_context context;
    context.healthy = is_healthy_name(s.name);
    context.contact_checked = contact_checked;
    context.contacted = sessions > 0;
    r.outcome = judge(observed, expected, context);
    if (r.outcome == verdict::caught || r.outcome == verdict::misreported) {
        r.time_to_detect = observed.duration;
    }
    r.observed = std::move(observed);
    r.as_expected = std::find(expected.verdicts.begin(), expected.verdicts.end(), r.outcome) !=
                    expected.verdicts.end();
    return r;
}

} // namespace harness
