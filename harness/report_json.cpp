#include "harness/report.hpp"
#include "smtp/escape.hpp"
#include "smtp/utf8.hpp"

#include "json/json_text.hpp"
#include "json/rfc3339.hpp"
#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

namespace harness {

namespace {

boost::json::array verdict_list(const std::vector<verdict>& verdicts)
{
    boost::json::array out;
    for (const auto v : verdicts) {
        out.emplace_back(to_string(v));
    }
    return out;
}

boost::json::object expected_json(const expected_outcome& e)
{
    boost::json::object out;
    boost::json::array statuses;
    for (const auto s : e.statuses) {
        statuses.emplace_back(to_string(s));
    }
    out["status"] = std::move(statuses);
    out["kind"] = e.kind ? boost::json::value(smtp::to_string(*e.kind)) : nullptr;
    out["phase"] = e.phase ? boost::json::value(smtp::to_string(*e.phase)) : nullptr;
    boost::json::array series;
    for (const auto& c : e.series) {
        series.emplace_back(describe(c));
    }
    out["series"] = std::move(series);
    out["verdict"] = verdict_list(e.verdicts);
    if (!e.note.empty()) {
        out["note"] = smtp::to_valid_utf8(e.note);
    }
    return out;
}

boost::json::object observed_json(const observation& o)
{
    boost::json::object out;
    out["status"] = o.status ? boost::json::value(to_string(*o.status)) : nullptr;
    out["kind"] = o.kind ? boost::json::value(smtp::to_string(*o.kind)) : nullptr;
    out["phase"] = o.phase ? boost::json::value(smtp::to_string(*o.phase)) : nullptr;
    out["exit_code"] = o.exit_code ? boost::json::value(*o.exit_code) : nullptr;
    out["summary"] = smtp::to_valid_utf8(o.summary);
    out["duration_ms"] = o.duration.count();
    if (!o.error.empty()) {
        out["error"] = smtp::to_valid_utf8(o.error);
    }
    return out;
}

boost::json::array series_json(const std::vector<series_reading>& readings)
{
    boost::json::array out;
    for (const auto& reading : readings) {
        boost::json::array found;
        for (const auto& s : reading.found) {
            boost::json::object labels;
            for (const auto& [name, value] : s.labels) {
                labels[name] = smtp::to_valid_utf8(value);
            }
            found.push_back({{"labels", std::move(labels)}, {"value", s.value}});
        }
        out.push_back({{"condition", describe(reading.condition)},
                       {"name", reading.condition.name},
                       {"found", std::move(found)},
                       {"holds", reading.holds},
                       {"reading", smtp::to_valid_utf8(describe(reading))}});
    }
    return out;
}

} // namespace

std::string format_json(const std::vector<scenario_result>& results, const run_info& info)
{
    boost::json::object root;
    root["schema"] = "smtp-harness/run-report/v1";
    root["monitor"] = info.monitor;
    root["started_at"] = json_text::rfc3339_seconds(info.started_at);
    root["duration_ms"] = info.duration.count();
    root["seed"] = info.seed;
    boost::json::array list;
    for (const auto& r : results) {
        boost::json::object item;
        item["scenario"] = r.scenario;
        item["verdict"] = to_string(r.outcome);
        item["as_expected"] = r.as_expected;
        item["unproven"] = r.unproven;
        item["fault_fired"] = !r.fault_never_fired;
        boost::json::array unfired;
        for (const auto& id : r.unfired_rules) {
            unfired.emplace_back(id);
        }
        item["unfired_rules"] = std::move(unfired);
        item["checks"] = std::max<std::size_t>(1, r.checks.size());
        item["fired_checks"] = r.fired_checks;
        item["caught_checks"] = r.caught_checks;
        boost::json::array per_check;
        for (const auto& c : r.checks) {
            per_check.push_back({{"verdict", to_string(c.outcome)},
                                 {"fault_fired", c.fault_fired},
                                 {"alerted", c.alerted}});
        }
        item["check_results"] = std::move(per_check);
        item["expected"] = expected_json(r.expected);
        item["observed"] = observed_json(r.observed);
        item["series"] = series_json(r.series);
        item["time_to_detect_ms"] =
            r.time_to_detect ? boost::json::value(r.time_to_detect->count()) : nullptr;
        item["contact"] = r.contact_checked ? boost::json::value(r.sessions > 0) : nullptr;
        item["sessions"] = r.sessions;
        item["output"] = smtp::to_valid_utf8(r.observed.output);
        list.push_back(std::move(item));
    }
    root["results"] = std::move(list);
    boost::json::object summary;
    const auto counts = count_verdicts(results);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        summary[to_string(all_verdicts[i])] = counts[i];
    }
    root["summary"] = std::move(summary);
    std::size_t unexpected = 0;
    for (const auto& r : results) {
        unexpected += r.as_expected ? 0 : 1;
    }
    root["unexpected"] = unexpected;
    boost::json::array controls;
    std::size_t unproven = 0;
    for (const auto& name : false_alarm_controls(results)) {
        controls.emplace_back(name);
    }
    for (const auto& r : results) {
        unproven += r.unproven ? 1 : 0;
    }
    root["false_alarm_controls"] = std::move(controls);
    root["unproven"] = unproven;
    boost::json::array never_fired;
    for (const auto& r : results) {
        if (r.fault_never_fired) {
            never_fired.emplace_back(r.scenario);
        }
    }
    root["fault_never_fired"] = std::move(never_fired);
    root["ok"] = unexpected == 0;
    return json_text::serialize(root) + "\n";
}

} // namespace harness
