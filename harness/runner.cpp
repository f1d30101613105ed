#include "harness/runner.hpp"

#include "faults/scenario_json.hpp"

#include "json/json_text.hpp"
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace harness {

monitor_target target_of(const faults::scenario& s, const scenario_mock& mock)
{
    monitor_target target;
    target.scenario = &s;
    target.host = mock.smtp().address().to_string();
    target.port = mock.smtp().port();
    target.tls_port = mock.smtp_tls() ? mock.smtp_tls()->port() : 0;
    target.pop3_port = mock.pop3() ? mock.pop3()->port() : 0;
    target.imap_port = mock.imap() ? mock.imap()->port() : 0;
    target.dns_port = mock.dns() ? mock.dns()->port() : 0;
    target.mail_domain = mock.mail_domain();
    target.ca_file = mock.ca_file();
    target.cert_file = mock.cert_file();
    target.tls_name = mock.tls_name();
    return target;
}

namespace {

// What the reports show of the fault: the listener state and each rule as JSON.
void describe_fault(scenario_result& r, const faults::scenario& s)
{
    r.listener = faults::to_string(s.listener);
    if (s.mailbox_listener != faults::listener_state::open) {
        r.listener += "; mailbox listeners " + std::string(faults::to_string(s.mailbox_listener));
    }
    for (const auto& rule : s.rules) {
        r.fault_rules.push_back(json_text::serialize(faults::to_json(rule)));
    }
}

} // namespace

scenario_result run_scenario(const faults::scenario& s, const run_settings& settings)
{
    const auto expected =
        resolve_expectation(s, settings.monitor->names_kinds(), settings.expectations);
    try {
        scenario_mock mock(s, settings.mock);
        const auto n = settings.checks != 0 ? settings.checks : checks_needed(s);
        std::optional<scenario_result> shown;
        std::vector<check_record> checks;
        bool fired_yet = false;
        for (unsigned i = 0; i < n; ++i) {
            const auto fired_before = mock.faults_fired();
            const auto sessions_before = mock.sessions();
            auto observed = settings.monitor->observe(target_of(s, mock));
            auto r = assess(s, expected, std::move(observed), contact_observable(s),
                            mock.sessions() - sessions_before);
            const bool fired = mock.faults_fired() != fired_before;
            checks.push_back(record_check(r, fired));
            // The result shown is the first check where the fault fired, else the first.
            if (!shown || (fired && !fired_yet)) {
                shown = std::move(r);
            }
            fired_yet = fired_yet || fired;
        }
        auto r = std::move(*shown);
        r.sessions = mock.sessions();
        auto unfired = mock.unfired_rules();
        mock.stop();
        r.transcripts = mock.recorded();
        describe_fault(r, s);
        note_unfired_rules(r, s, std::move(unfired));
        if (checks.size() > 1) {
            judge_checks(r, std::move(checks));
        }
        return r;
    } catch (const std::exception& e) {
        observation none;
        none.error = std::string("cannot start the mock: ") + e.what();
        auto r = assess(s, expected, std::move(none), false, 0);
        r.setup_error = e.what();
        describe_fault(r, s);
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
