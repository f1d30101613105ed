#include "harness/alerts/alerts_report.hpp"

#include "config/duration.hpp"
#include "smtp/escape.hpp"
#include "smtp/utf8.hpp"

#include "json/json_text.hpp"
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace harness::alerts {
namespace {

std::string pad(std::string s, std::size_t width)
{
    if (s.size() < width) {
        s.append(width - s.size(), ' ');
    }
    return s;
}

std::string table(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += i + 1 == row.size() ? row[i] : pad(row[i], widths[i] + 2);
        }
        out += line + '\n';
    }
    return out;
}

// The real-time windows of result `i` (results are in expectation order), or empty.
std::string windows_of(const alerts_run_result& r, std::size_t i)
{
    if (!r.time_scale || i >= r.time_scale->windows.size() ||
        r.time_scale->windows[i].first != r.results[i].name) {
        return {};
    }
    return r.time_scale->windows[i].second;
}

std::string property(const std::string& name, const std::string& value)
{
    return "<property name=\"" + smtp::xml_escape(name) + "\" value=\"" + smtp::xml_escape(value) +
           "\"/>";
}

// The suite's properties of a time-scaled run.
std::string junit_properties(const alerts_run_result& r)
{
    if (!r.time_scale) {
        return {};
    }
    const int n = r.time_scale->factor;
    std::string out = "    <properties>\n";
    out += "      " + property("time_scale", std::to_string(n)) + '\n';
    if (r.time_scale->interval_length_s > 0) {
        out += "      " +
               property("interval_length_s", std::to_string(r.time_scale->interval_length_s)) +
               '\n';
    }
    out += "      " + property("real_duration", real_time(r.tl.total(), n)) + '\n';
    for (const auto& s : r.tl.steps) {
        out +=
            "      " + property("step." + s.id + ".real_duration", real_time(s.duration, n)) + '\n';
    }
    return out + "    </properties>\n";
}

double secs(std::chrono::milliseconds d)
{
    return static_cast<double>(d.count()) / 1000.0;
}

// The steps of the JSON report: as planned, as run and, when scaled, in real time.
boost::json::array steps_json(const alerts_run_result& r)
{
    boost::json::array steps;
    for (std::size_t i = 0; i < r.tl.steps.size(); ++i) {
        boost::json::object s;
        s["id"] = r.tl.steps[i].id;
        s["scenario"] = r.tl.steps[i].scenario;
        s["duration_s"] = secs(r.tl.steps[i].duration);
        if (i < r.times.start.size()) {
            s["start_s"] = secs(r.times.start[i]);
        }
        if (i < r.times.end.size()) {
            s["end_s"] = secs(r.times.end[i]);
        }
        if (r.time_scale) {
            s["real_duration"] = real_time(r.tl.steps[i].duration, r.time_scale->factor);
            s["real_duration_s"] = secs(r.tl.steps[i].duration * r.time_scale->factor);
        }
        steps.push_back(std::move(s));
    }
    return steps;
}

} // namespace

std::string real_time(std::chrono::milliseconds d, int factor)
{
    return config::format_duration(d * factor);
}

std::string real_time_windows(const alert_expectation& e, int n)
{
    std::string out;
    if (e.kind == expectation_kind::quiet) {
        out = "quiet until " + real_time(e.quiet_after, n) + " after the step";
    } else {
        out = "within [" + real_time(e.within.from, n) + ", " + real_time(e.within.to, n) + "]";
    }
    if (e.resolves_within) {
        out += ", resolves within [" + real_time(e.resolves_within->from, n) + ", " +
               real_time(e.resolves_within->to, n) + "]";
    }
    return out;
}

time_scale_info make_time_scale(int factor, int interval_length_s,
                                const std::optional<alert_expectations>& expectations)
{
    time_scale_info info{factor, interval_length_s, {}};
    if (expectations) {
        for (const auto& e : expectations->items) {
            info.windows.emplace_back(e.name, real_time_windows(e, factor));
        }
    }
    return info;
}

bool alerts_run_result::passed() const noexcept
{
    return error.empty() && std::all_of(results.begin(), results.end(),
                                        [](const expectation_result& e) { return e.passed; });
}

std::string format_table(const alerts_run_result& r)
{
    std::string out;
    out += "Notifications captured (" + std::to_string(r.captured.size()) + "):\n";
    std::vector<std::vector<std::string>> rows{
        {"TIME", "STEP", "CHANNEL", "NOTIFIER", "TYPE", "TARGET", "STATUS", "FAILURE"}};
    for (const auto& a : r.captured) {
        std::string step = "-";
        for (std::size_t i = 0; i < r.times.start.size() && i < r.tl.steps.size(); ++i) {
            if (a.t >= r.times.start[i]) {
                step = r.tl.steps[i].id;
            }
        }
        rows.push_back({seconds_text(a.t), step, a.channel, a.notifier, a.type, a.target, a.status,
                        !a.kind.empty()        ? a.kind + " at " + a.phase
                        : !a.alertname.empty() ? a.alertname
                        : !a.detail.empty()
                            ? (a.state_type.empty() ? "" : a.state_type + ' ') + a.detail
                            : "-"});
    }
    out += table(rows);
    if (!r.results.empty()) {
        out += "\nExpectations:\n";
        std::vector<std::vector<std::string>> vrows{{"VERDICT", "EXPECTATION", "STEP", "OBSERVED"}};
        for (const auto& e : r.results) {
            vrows.push_back({e.passed ? "PASS" : "FAIL", e.name, e.step, e.observed});
        }
        out += table(vrows);
        for (const auto& e : r.results) {
            if (!e.passed) {
                out += "  FAIL " + e.name + ": " + e.failure + '\n';
            }
        }
        auto passed = std::count_if(r.results.begin(), r.results.end(),
                                    [](const expectation_result& e) { return e.passed; });
        out += '\n' + std::to_string(passed) + " of " + std::to_string(r.results.size()) +
               " expectations held\n";
    }
    if (!r.error.empty()) {
        out += "ERROR: " + r.error + '\n';
    }
    return out;
}

std::string format_junit(const alerts_run_result& r)
{
    auto failures = std::count_if(r.results.begin(), r.results.end(),
                                  [](const expectation_result& e) { return !e.passed; });
    std::string suite = "alerts." + r.tl.name;
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<testsuites>\n";
    out += "  <testsuite name=\"" + smtp::xml_escape(suite) + "\" tests=\"" +
           std::to_string(r.results.size() + (r.error.empty() ? 0 : 1)) + "\" failures=\"" +
           std::to_string(failures) + "\" errors=\"" + (r.error.empty() ? "0" : "1") + "\">\n";
    out += junit_properties(r);
    for (std::size_t i = 0; i < r.results.size(); ++i) {
        const auto& e = r.results[i];
        out += "    <testcase classname=\"" + smtp::xml_escape(suite) + "\" name=\"" +
               smtp::xml_escape(e.name) + "\">\n";
        if (auto windows = windows_of(r, i); !windows.empty()) {
            out += "      <properties>" + property("real_time", windows) + "</properties>\n";
        }
        if (!e.passed) {
            out += "      <failure message=\"" + smtp::xml_escape(e.failure) + "\">" +
                   smtp::xml_escape(e.observed) + "</failure>\n";
        }
        out += "      <system-out>" + smtp::xml_escape(e.observed) + "</system-out>\n";
        out += "    </testcase>\n";
    }
    if (!r.error.empty()) {
        out += "    <testcase classname=\"" + smtp::xml_escape(suite) +
               "\" name=\"run\">\n      <error message=\"" + smtp::xml_escape(r.error) +
               "\"/>\n    </testcase>\n";
    }
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

std::string format_json(const alerts_run_result& r)
{
    namespace json = boost::json;
    json::object root;
    root["timeline"] = r.tl.name;
    root["steps"] = steps_json(r);
    json::array notifications;
    for (const auto& a : r.captured) {
        json::object o;
        o["t_s"] = secs(a.t);
        o["channel"] = a.channel;
        o["notifier"] = a.notifier;
        o["type"] = a.type;
        o["target"] = a.target;
        o["status"] = a.status;
        o["kind"] = a.kind;
        o["phase"] = a.phase;
        o["id"] = a.id;
        o["state_type"] = a.state_type;
        o["detail"] = a.detail;
        o["attempt"] = a.attempt > 0 ? json::value(a.attempt) : nullptr;
        o["notification"] = a.notification > 0 ? json::value(a.notification) : nullptr;
        if (!a.alertname.empty()) {
            o["alertname"] = a.alertname;
            json::object labels;
            for (const auto& [k, v] : a.labels) {
                labels[k] = v;
            }
            o["labels"] = std::move(labels);
        }
        notifications.push_back(std::move(o));
    }
    root["notifications"] = std::move(notifications);
    json::array results;
    std::size_t passed = 0;
    for (std::size_t i = 0; i < r.results.size(); ++i) {
        const auto& e = r.results[i];
        json::object o;
        o["name"] = e.name;
        o["step"] = e.step;
        o["verdict"] = e.passed ? "passed" : "failed";
        o["observed"] = e.observed;
        o["failure"] = e.failure;
        o["fired_after_s"] = e.fired_after ? json::value(secs(*e.fired_after)) : nullptr;
        o["resolved_after_s"] = e.resolved_after ? json::value(secs(*e.resolved_after)) : nullptr;
        if (auto windows = windows_of(r, i); !windows.empty()) {
            o["real_time"] = windows;
        }
        passed += e.passed ? 1 : 0;
        results.push_back(std::move(o));
    }
    root["results"] = std::move(results);
    json::object summary;
    summary["passed"] = passed;
    summary["failed"] = r.results.size() - passed;
    summary["notifications"] = r.captured.size();
    root["summary"] = std::move(summary);
    if (r.time_scale) {
        const int n = r.time_scale->factor;
        json::object scale;
        scale["factor"] = n;
        if (r.time_scale->interval_length_s > 0) {
            scale["interval_length_s"] = r.time_scale->interval_length_s;
        }
        scale["real_duration"] = real_time(r.tl.total(), n);
        scale["real_duration_s"] = secs(r.tl.total() * n);
        root["time_scale"] = std::move(scale);
    }
    if (!r.error.empty()) {
        root["error"] = r.error;
    }
    return json_text::serialize(root) + "\n";
}

} // namespace harness::alerts
