#include "harness/alerts/alert_verdict.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>
#include <cstdio>
#include <fnmatch.h>
#include <set>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;

bool same_text(const std::string& want, const std::string& got)
{
    if (want.empty()) {
        return true;
    }
    return smtp::iequals(want, got);
}

// Every label the expectation names is on the alert, its value matching the glob.
bool has_labels(const alert_expectation& e, const captured_alert& a)
{
    return std::all_of(e.labels.begin(), e.labels.end(), [&](const auto& want) {
        return std::any_of(a.labels.begin(), a.labels.end(), [&](const auto& got) {
            return got.first == want.first &&
                   ::fnmatch(want.second.c_str(), got.second.c_str(), 0) == 0;
        });
    });
}

bool matches(const alert_expectation& e, const captured_alert& a)
{
    if (!e.target.empty() && ::fnmatch(e.target.c_str(), a.target.c_str(), 0) != 0) {
        return false;
    }
    if ((!e.alertname.empty() && e.alertname != a.alertname) || !has_labels(e, a)) {
        return false;
    }
    // Payloads that do not carry a field (an e-mail of a problem without kind) do not fail it.
    return same_text(e.status, a.status) && (a.kind.empty() || same_text(e.failure_kind, a.kind)) &&
           (a.phase.empty() || same_text(e.phase, a.phase)) &&
           (a.state_type.empty() || same_text(e.state_type, a.state_type));
}

bool in(ms value, ms base, const time_window& w)
{
    return value - base >= w.from && value - base <= w.to;
}

std::string window_text(const time_window& w)
{
    return '[' + seconds_text(w.from) + ", " + seconds_text(w.to) + ']';
}

// The notifiers an expectation is checked for: those it names, or "any".
std::vector<std::string> senders(const alert_expectation& e)
{
    return e.notifiers.empty() ? std::vector<std::string>{""} : e.notifiers;
}

expectation_result judge_fires(const alert_expectation& e, ms start, ms end,
                               const std::vector<captured_alert>& captured)
{
    expectation_result r;
    std::vector<std::string> seen, missing, late_recovery;
    std::optional<ms> first_fire, first_recovery, first_any;
    for (const auto& who : senders(e)) {
        auto label = who.empty() ? std::string("any notifier") : who;
        const captured_alert* fire = nullptr;
        for (const auto& a : captured) {
            if (a.type == "problem" && a.t >= start && (who.empty() || a.notifier == who) &&
                matches(e, a)) {
                fire = &a;
                break;
            }
        }
        if (fire == nullptr) {
            missing.push_back(label + ": no problem notification after the step started");
            continue;
        }
        if (!first_any || fire->t < *first_any) {
            first_any = fire->t;
        }
        if (!in(fire->t, start, e.within)) {
            missing.push_back(label + ": problem after " + seconds_text(fire->t - start) +
                              ", expected within " + window_text(e.within));
            continue;
        }
        seen.push_back(who.empty() ? fire->notifier : who);
        if (!first_fire || fire->t < *first_fire) {
            first_fire = fire->t;
        }
        if (!e.resolves_within) {
            continue;
        }
        const captured_alert* rec = nullptr;
        for (const auto& a : captured) {
            if (a.type == "recovery" && a.t >= fire->t && a.notifier == fire->notifier &&
                a.target == fire->target &&
                (a.id.empty() || fire->id.empty() || a.id == fire->id)) {
                rec = &a;
                break;
            }
        }
        if (rec == nullptr) {
            missing.push_back(label + ": no recovery after the step ended");
        } else if (!in(rec->t, end, *e.resolves_within)) {
            missing.push_back(label + ": recovery " + seconds_text(rec->t - end) +
                              " after the step ended, expected within " +
                              window_text(*e.resolves_within));
        } else if (!first_recovery || rec->t < *first_recovery) {
            first_recovery = rec->t;
        }
    }
    if (e.only_these_notifiers && first_fire) {
        // routed_to: the same alert reached no receiver beyond those named.
        for (const auto& a : captured) {
            if (a.type == "problem" && in(a.t, start, e.within) && matches(e, a) &&
                std::find(e.notifiers.begin(), e.notifiers.end(), a.notifier) ==
                    e.notifiers.end()) {
                missing.push_back("also routed to " + a.notifier);
                break;
            }
        }
    }
    if (first_fire) {
        r.fired_after = *first_fire - start;
        r.observed = "problem after " + seconds_text(*r.fired_after);
        std::string via;
        for (const auto& s : seen) {
            via += (via.empty() ? "" : ", ") + s;
        }
        r.observed += " via " + via;
    } else if (first_any) {
        r.observed = "problem after " + seconds_text(*first_any - start) + ", outside " +
                     window_text(e.within);
    } else {
        r.observed = "no problem notification";
    }
    if (first_recovery) {
        r.resolved_after = *first_recovery - end;
        r.observed += "; recovery " + seconds_text(*r.resolved_after) + " after the end";
    }
    r.passed = missing.empty();
    for (const auto& m : missing) {
        r.failure += (r.failure.empty() ? "" : "; ") + m;
    }
    return r;
}

expectation_result judge_quiet(const alert_expectation& e, ms start, ms end,
                               const std::vector<captured_alert>& captured)
{
    expectation_result r;
    std::set<std::string> noisy;
    std::optional<ms> first;
    for (const auto& a : captured) {
        if (a.type == "problem" && a.t >= start && a.t <= end + e.quiet_after &&
            (e.notifiers.empty() ||
             std::find(e.notifiers.begin(), e.notifiers.end(), a.notifier) != e.notifiers.end())) {
            noisy.insert(a.notifier);
            if (!first) {
                first = a.t;
            }
        }
    }
    r.passed = noisy.empty();
    if (r.passed) {
        r.observed = "no problem notification from the step's start to " +
                     seconds_text(e.quiet_after) + " after its end";
    } else {
        std::string who;
        for (const auto& n : noisy) {
            who += (who.empty() ? "" : ", ") + n;
        }
        r.observed = "problem after " + seconds_text(*first - start) + " via " + who;
        r.failure = "expected no problem notification, got one " + seconds_text(*first - start) +
                    " after the step started (" + who + ")";
    }
    return r;
}

expectation_result judge_flapping(const alert_expectation& e, ms start,
                                  const std::vector<captured_alert>& captured)
{
    expectation_result r;
    for (const auto& a : captured) {
        if (a.type == "flapping_start" && a.t >= start &&
            (e.notifiers.empty() ||
             std::find(e.notifiers.begin(), e.notifiers.end(), a.notifier) != e.notifiers.end()) &&
            (e.target.empty() || ::fnmatch(e.target.c_str(), a.target.c_str(), 0) == 0)) {
            r.fired_after = a.t - start;
            r.observed =
                "flapping flagged after " + seconds_text(a.t - start) + " via " + a.notifier;
            r.passed = in(a.t, start, e.within);
            if (!r.passed) {
                r.failure = "flapping flagged after " + seconds_text(a.t - start) +
                            ", expected within " + window_text(e.within);
            }
            return r;
        }
    }
    r.observed = "no flapping notification";
    r.failure = "expected flapping to be flagged within " + window_text(e.within);
    return r;
}

} // namespace

std::string seconds_text(std::chrono::milliseconds d)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

std::vector<expectation_result> evaluate(const alert_expectations& expectations, const timeline& tl,
                                         const step_times& times,
                                         const std::vector<captured_alert>& captured)
{
    auto sorted = captured;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const captured_alert& a, const captured_alert& b) { return a.t < b.t; });
    std::vector<expectation_result> out;
    for (const auto& e : expectations.items) {
        auto i = static_cast<std::size_t>(tl.find(e.step));
        bool ran = i < times.start.size() && i < times.end.size();
        expectation_result r;
        if (!ran) {
            r.observed = "the step did not run";
            r.failure = "the step did not run";
        } else if (e.kind == expectation_kind::fires) {
            r = judge_fires(e, times.start[i], times.end[i], sorted);
        } else if (e.kind == expectation_kind::quiet) {
            r = judge_quiet(e, times.start[i], times.end[i], sorted);
        } else {
            r = judge_flapping(e, times.start[i], sorted);
        }
        r.name = e.name;
        r.step = e.step;
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace harness::alerts
