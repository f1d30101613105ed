#include "harness/scenario_result.hpp"

#include <algorithm>
#include <cmath>

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

namespace {

// Checks one rule needs: see checks_needed.
std::uint64_t rule_checks(const faults::rule_when& w)
{
    std::uint64_t n = 1;
    for (const auto& c : w.connections) {
        n = std::max(n, c.last ? *c.last + 1 : (c.every > 1 ? c.first + c.every : c.first));
    }
    if (w.times) {
        n = std::max(n, *w.times + 1);
    }
    if (w.probability > 0 && w.probability < 1) {
        // (1 - p)^n <= 0.01: the rule has fired at least once with 99 % chance.
        n = std::max(
            n, static_cast<std::uint64_t>(std::ceil(std::log(0.01) / std::log1p(-w.probability))));
    }
    return n;
}

} // namespace

unsigned checks_needed(const faults::scenario& s, unsigned cap)
{
    std::uint64_t n = 1;
    for (const auto& rule : s.rules) {
        n = std::max(n, rule_checks(rule.when));
    }
    return static_cast<unsigned>(std::clamp<std::uint64_t>(n, 1, std::max(1u, cap)));
}

check_record record_check(const scenario_result& r, bool fault_fired)
{
    check_record c;
    c.outcome = r.outcome;
    c.fault_fired = fault_fired;
    c.alerted = r.observed.status && *r.observed.status != monitor_status::ok;
    if (!fault_fired && c.outcome != verdict::error && c.outcome != verdict::no_contact) {
        c.outcome = c.alerted ? verdict::false_alarm : verdict::passed;
    }
    return c;
}

void judge_checks(scenario_result& r, std::vector<check_record> checks)
{
    r.fired_checks = 0;
    r.caught_checks = 0;
    bool error = false;
    bool no_contact = false;
    bool quiet_alarm = false;
    std::optional<verdict> first_fired;
    for (const auto& c : checks) {
        error = error || c.outcome == verdict::error;
        no_contact = no_contact || c.outcome == verdict::no_contact;
        quiet_alarm = quiet_alarm || (!c.fault_fired && c.alerted);
        if (c.fault_fired) {
            ++r.fired_checks;
            r.caught_checks += c.outcome == verdict::caught ? 1 : 0;
            first_fired = first_fired.value_or(c.outcome);
        }
    }
    r.checks = std::move(checks);
    if (error) {
        r.outcome = verdict::error;
    } else if (no_contact) {
        r.outcome = verdict::no_contact;
    } else if (quiet_alarm) {
        r.outcome = verdict::false_alarm;
    } else if (r.caught_checks > 0) {
        r.outcome = verdict::caught;
    } else if (first_fired) {
        r.outcome = *first_fired;
    }
    if (r.outcome != verdict::caught && r.outcome != verdict::misreported) {
        r.time_to_detect.reset();
    }
    const auto& v = r.expected.verdicts;
    r.as_expected = std::find(v.begin(), v.end(), r.outcome) != v.end();
}

bool contact_observable(const faults::scenario& s) noexcept
{
    // A closed mailbox listener: a monitor that only reads the mailbox can leave no session.
    return s.listener == faults::listener_state::open &&
           s.mailbox_listener == faults::listener_state::open;
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
    r.series = read_series(expected.series, observed.series, observed.observed_at);
    if (r.outcome == verdict::caught || r.outcome == verdict::misreported) {
        r.time_to_detect = observed.duration;
    }
    r.observed = std::move(observed);
    r.as_expected = std::find(expected.verdicts.begin(), expected.verdicts.end(), r.outcome) !=
                    expected.verdicts.end();
    return r;
}

} // namespace harness
