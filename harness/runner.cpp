#include "harness/runner.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

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

monitor_target target_of(const faults::scenario& s, const scenario_mock& mock)
{
    monitor_target target;
    target.scenario = &s;
    target.host = mock.smtp().address().to_string();
    target.port = mock.smtp().port();
    target.tls_port = mock.smtp_tls() ? mock.smtp_tls()->port() : 0;
    target.ca_file = mock.ca_file();
    return target;
}

scenario_result run_scenario(const faults::scenario& s, const run_settings& settings)
{
    const auto expected =
        resolve_expectation(s, settings.monitor->names_kinds(), settings.expectations);
    try {
        scenario_mock mock(s, settings.mock);
        auto observed = settings.monitor->observe(target_of(s, mock));
        const auto sessions = mock.sessions();
        mock.stop();
        return assess(s, expected, std::move(observed), contact_observable(s), sessions);
    } catch (const std::exception& e) {
        observation none;
        none.error = std::string("cannot start the mock: ") + e.what();
        auto r = assess(s, expected, std::move(none), false, 0);
        r.setup_error = e.what();
        return r;
    }
}

std::vector<scenario_result> run_all(const std::vector<faults::scenario>& scenarios,
                                     const run_settings& settings,
                                     const progress_callback& progress)
{
    std::vector<scenario_result> results(scenarios.size());
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;
    std::mutex progress_mutex;
    auto work = [&] {
        for (;;) {
            const auto i = next.fetch_add(1);
            if (i >= scenarios.size()) {
                return;
            }
            results[i] = run_scenario(scenarios[i], settings);
            std::lock_guard lock(progress_mutex);
            ++done;
            if (progress) {
                progress(done, results[i]);
            }
        }
    };
    const auto threads =
        std::clamp<std::size_t>(settings.jobs, 1, std::max<std::size_t>(1, scenarios.size()));
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) {
        pool.emplace_back(work);
    }
    work();
    for (auto& t : pool) {
        t.join();
    }
    mark_unproven(results);
    return results;
}

} // namespace harness
