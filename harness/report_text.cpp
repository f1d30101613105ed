#include "harness/report.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace harness {

namespace {

std::string seconds(std::chrono::milliseconds d)
{
    return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

std::string kind_at_phase(const std::optional<smtp::failure_kind>& kind,
                          const std::optional<smtp::phase>& phase)
{
    std::string out;
    if (kind) {
        out += " ";
        out += smtp::to_string(*kind);
    }
    if (phase) {
        out += kind ? " at " : " at ";
        out += smtp::to_string(*phase);
    }
    return out;
}

std::string pad(std::string_view s, std::size_t width)
{
    std::string out(s);
    if (out.size() < width) {
        out.append(width - out.size(), ' ');
    }
    return out;
}

} // namespace

std::string monitor_said(const observation& o)
{
    constexpr std::size_t limit = 100;
    auto text = o.summary.empty() ? std::string("-") : o.summary;
    if (text.size() > limit) {
        auto cut = limit - 3;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
            --cut; // not inside a UTF-8 sequence
        }
        text = text.substr(0, cut) + "...";
    }
    return text;
}

std::string describe_expected(const expected_outcome& e)
{
    std::string out;
    for (const auto s : e.statuses) {
        if (!out.empty()) {
            out += '|';
        }
        out += to_string(s);
    }
    out += kind_at_phase(e.kind, e.phase);
    for (const auto& c : e.series) {
        out += ", " + describe(c);
    }
    return out;
}

std::string describe_series(const scenario_result& r)
{
    std::string out;
    for (const auto& reading : r.series) {
        out += (out.empty() ? "" : "; ") + describe(reading);
    }
    return out;
}

std::string describe_observed(const observation& o)
{
    if (!o.status) {
        return "error: " + o.error;
    }
    std::string out(to_string(*o.status));
    if (*o.status != monitor_status::ok) {
        out += kind_at_phase(o.kind, o.phase);
    }
    return out;
}

std::string describe_verdicts(const std::vector<verdict>& verdicts)
{
    std::string out;
    for (const auto v : verdicts) {
        if (!out.empty()) {
            out += '|';
        }
        out += to_string(v);
    }
    return out;
}

std::string describe_outcome(const scenario_result& r)
{
    std::string out(to_string(r.outcome));
    if (!r.checks.empty()) {
        out += fmt::format(" {}/{} (fault fired on {})", r.caught_checks, r.checks.size(),
                           r.fired_checks);
    }
    if (r.fault_never_fired && (r.outcome == verdict::missed || r.outcome == verdict::passed)) {
        return out + " (fault never fired)";
    }
    return r.unproven ? out + " (unproven)" : out;
}

std::string describe_unfired(const std::vector<scenario_result>& results)
{
    std::string names;
    std::size_t count = 0;
    for (const auto& r : results) {
        if (!r.fault_never_fired) {
            continue;
        }
        ++count;
        std::string rules;
        for (const auto& id : r.unfired_rules) {
            rules += (rules.empty() ? "" : ", ") + id;
        }
        names += fmt::format("{}{} (rule {})", names.empty() ? "" : ", ", r.scenario, rules);
    }
    if (count == 0) {
        return {};
    }
    return fmt::format("fault never fired: no rule of {} acted during the monitor's checks, so "
                       "the monitor never met {} fault{}",
                       names, count == 1 ? "that" : "those", count == 1 ? "" : "s");
}

std::string describe_unproven(const std::vector<scenario_result>& results)
{
    const auto controls = false_alarm_controls(results);
    if (controls.empty()) {
        return {};
    }
    const auto unproven = std::count_if(results.begin(), results.end(),
                                        [](const scenario_result& r) { return r.unproven; });
    std::string names;
    for (const auto& c : controls) {
        names += (names.empty() ? "" : ", ") + c;
    }
    return fmt::format("unproven: the healthy control ({}) raised a false alarm, so this monitor "
                       "alerts on a working server; its {} caught verdict{} prove{} nothing",
                       names, unproven, unproven == 1 ? "" : "s", unproven == 1 ? "s" : "");
}

std::vector<std::size_t> count_verdicts(const std::vector<scenario_result>& results)
{
    std::vector<std::size_t> counts(std::size(all_verdicts), 0);
    for (const auto& r : results) {
        ++counts[static_cast<std::size_t>(r.outcome)];
    }
    return counts;
}

std::string format_progress(std::size_t done, std::size_t total, const scenario_result& r)
{
    auto line = fmt::format("[{}/{}] {} … {} ({})", done, total, r.scenario, describe_outcome(r),
                            seconds(r.observed.duration));
    if (!r.as_expected) {
        std::string failing;
        for (const auto& reading : r.series) {
            if (!reading.holds) {
                failing += "; " + describe(reading);
            }
        }
        line += fmt::format(" (expected {}; observed {}{})", describe_verdicts(r.expected.verdicts),
                            describe_observed(r.observed), failing);
    }
    return line;
}

std::string format_table(const std::vector<scenario_result>& results, const run_info& info)
{
    std::size_t name_w = 8;
    std::size_t obs_w = 8;
    std::size_t exp_w = std::string_view("should report").size();
    std::size_t want_w = 8;
    std::size_t verdict_w = 11;
    for (const auto& r : results) {
        verdict_w = std::max(verdict_w, describe_outcome(r).size());
        name_w = std::max(name_w, r.scenario.size());
        obs_w = std::max(obs_w, std::min<std::size_t>(48, describe_observed(r.observed).size()));
        exp_w = std::max(exp_w, describe_expected(r.expected).size());
        want_w = std::max(want_w, describe_verdicts(r.expected.verdicts).size());
    }
    std::string out;
    out += fmt::format("monitor: {}\n\n", info.monitor);
    out += fmt::format("  {} {} {} {} {} {} {}\n", pad("scenario", name_w),
                       pad("verdict", verdict_w), pad("expected", want_w), pad("observed", obs_w),
                       pad("should report", exp_w), pad("time", 7), "monitor said");
    for (const auto& r : results) {
        auto observed = describe_observed(r.observed);
        if (observed.size() > 48) {
            observed = observed.substr(0, 45) + "...";
        }
        out += fmt::format("{} {} {} {} {} {} {} {}\n", r.as_expected ? ' ' : '!',
                           pad(r.scenario, name_w), pad(describe_outcome(r), verdict_w),
                           pad(describe_verdicts(r.expected.verdicts), want_w),
                           pad(observed, obs_w), pad(describe_expected(r.expected), exp_w),
                           pad(seconds(r.observed.duration), 7), monitor_said(r.observed));
    }
    std::string series;
    for (const auto& r : results) {
        if (!r.series.empty()) {
            series += fmt::format("  {}: {}\n", r.scenario, describe_series(r));
        }
    }
    if (!series.empty()) {
        out += "\nseries read:\n" + series;
    }
    const auto counts = count_verdicts(results);
    std::string summary;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] != 0) {
            summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", counts[i],
                                   to_string(all_verdicts[i]));
        }
    }
    const auto unexpected = std::count_if(results.begin(), results.end(),
                                          [](const scenario_result& r) { return !r.as_expected; });
    out += fmt::format("\n{} scenarios in {}: {}\n", results.size(), seconds(info.duration),
                       summary.empty() ? "none" : summary);
    if (const auto note = describe_unproven(results); !note.empty()) {
        out += note + "\n";
    }
    if (const auto note = describe_unfired(results); !note.empty()) {
        out += note + "\n";
    }
    if (unexpected == 0) {
        out += "every verdict is as expected\n";
    } else {
        out += fmt::format("{} verdict{} from the expectation (marked !)\n", unexpected,
                           unexpected == 1 ? " differs" : "s differ");
    }
    return out;
}

} // namespace harness
