#include "faults/scenario.hpp"
#include "harness/expectation.hpp"
#include "harness/verdict.hpp"

#include <gtest/gtest.h>
#include <stdexcept>

namespace harness {
namespace {

using ms = monitor_status;

faults::scenario scenario_named(std::string name)
{
    faults::scenario s;
    s.name = std::move(name);
    return s;
}

faults::scenario with_expect(std::string name, std::vector<std::string> statuses)
{
    auto s = scenario_named(std::move(name));
    faults::expectation e;
    e.status = std::move(statuses);
    e.kind = smtp::failure_kind::timeout;
    e.phase = smtp::phase::banner;
    s.expect = e;
    return s;
}

constexpr std::string_view example = R"(
defaults: {status: [WARNING, CRITICAL]}
scenarios:
  healthy: {status: OK}
  banner-slow: {status: [OK, WARNING]}
  mail-451: {expect_verdict: missed, note: "never sends MAIL"}
  flaky: {expect_verdict: [caught, missed]}
  kinded: {kind: closed, phase: ehlo}
)";

TEST(expectations, without_a_file_a_fault_must_not_be_ok_and_healthy_must_be_ok)
{
    auto fault = resolve_expectation(scenario_named("banner-missing"), false, nullptr);
    EXPECT_EQ(fault.statuses, (std::vector<ms>{ms::warning, ms::critical}));
    EXPECT_EQ(fault.verdicts, std::vector<verdict>{verdict::caught});
    for (const char* name : {"healthy", "healthy-multiline-banner"}) {
        auto h = resolve_expectation(scenario_named(name), false, nullptr);
        EXPECT_EQ(h.statuses, std::vector<ms>{ms::ok});
        EXPECT_EQ(h.verdicts, std::vector<verdict>{verdict::passed});
    }
}

TEST(expectations, the_builtin_probe_uses_the_scenarios_own_expect)
{
    auto s = with_expect("banner-missing", {"CRITICAL"});
    auto e = resolve_expectation(s, true, nullptr);
    EXPECT_EQ(e.statuses, std::vector<ms>{ms::critical});
    EXPECT_EQ(e.kind, smtp::failure_kind::timeout);
    EXPECT_EQ(e.phase, smtp::phase::banner);
}

TEST(expectations, every_monitor_is_held_to_the_scenarios_own_statuses)
{
    // A monitor that names no kinds gets the statuses, not the kind and phase it cannot name.
    auto other = resolve_expectation(with_expect("banner-missing", {"CRITICAL"}), false, nullptr);
    EXPECT_EQ(other.statuses, std::vector<ms>{ms::critical});
    EXPECT_FALSE(other.kind);
    EXPECT_FALSE(other.phase);
    // Where OK is the only acceptable status (a working HELO fallback), OK is what it must say.
    auto fallback =
        resolve_expectation(with_expect("ehlo-502-helo-fallback", {"OK"}), false, nullptr);
    EXPECT_EQ(fallback.statuses, std::vector<ms>{ms::ok});
    EXPECT_EQ(fallback.verdicts, std::vector<verdict>{verdict::passed});
    auto coin =
        resolve_expectation(with_expect("intermittent", {"OK", "CRITICAL"}), false, nullptr);
    EXPECT_EQ(coin.statuses, (std::vector<ms>{ms::ok, ms::critical}));
    EXPECT_EQ(coin.verdicts, (std::vector<verdict>{verdict::caught, verdict::passed}));
}

TEST(expectations, a_files_defaults_replace_the_own_statuses_for_monitors_that_name_no_kinds)
{
    const auto file = parse_expectations("defaults: {status: [WARNING, CRITICAL]}\n", "f.yaml");
    auto e = resolve_expectation(with_expect("banner-421", {"CRITICAL"}), false, &file);
    EXPECT_EQ(e.statuses, (std::vector<ms>{ms::warning, ms::critical}));
}

TEST(expectations, ok_among_the_statuses_makes_passed_an_expected_verdict)
{
    auto e = resolve_expectation(with_expect("intermittent", {"OK", "CRITICAL"}), true, nullptr);
    EXPECT_EQ(e.verdicts, (std::vector<verdict>{verdict::caught, verdict::passed}));
}

TEST(expectations, file_defaults_then_scenario_entries_override)
{
    const auto file = parse_expectations(example, "example.yaml");
    auto slow = resolve_expectation(scenario_named("banner-slow"), false, &file);
    EXPECT_EQ(slow.statuses, (std::vector<ms>{ms::ok, ms::warning}));
    EXPECT_EQ(slow.verdicts, (std::vector<verdict>{verdict::caught, verdict::passed}));

    auto mail = resolve_expectation(scenario_named("mail-451"), false, &file);
    EXPECT_EQ(mail.statuses, (std::vector<ms>{ms::warning, ms::critical}));
    EXPECT_EQ(mail.verdicts, std::vector<verdict>{verdict::missed});
    EXPECT_EQ(mail.note, "never sends MAIL");

    auto flaky = resolve_expectation(scenario_named("flaky"), false, &file);
    EXPECT_EQ(flaky.verdicts, (std::vector<verdict>{verdict::caught, verdict::missed}));

    auto kinded = resolve_expectation(scenario_named("kinded"), false, &file);
    EXPECT_EQ(kinded.kind, smtp::failure_kind::closed);
    EXPECT_EQ(kinded.phase, smtp::phase::ehlo);
}

TEST(expectations, defaults_do_not_make_a_healthy_scenario_expect_an_alert)
{
    const auto file =
        parse_expectations("defaults: {status: CRITICAL, expect_verdict: caught}\n", "f.yaml");
    auto h = resolve_expectation(scenario_named("healthy-multiline-banner"), false, &file);
    EXPECT_EQ(h.statuses, std::vector<ms>{ms::ok});
    EXPECT_EQ(h.verdicts, std::vector<verdict>{verdict::passed});
    auto f = resolve_expectation(scenario_named("ehlo-421"), false, &file);
    EXPECT_EQ(f.statuses, std::vector<ms>{ms::critical});
}

TEST(expectations, a_per_scenario_entry_can_expect_a_false_alarm)
{
    const auto file = parse_expectations(
        "scenarios:\n  healthy-multiline-banner: {expect_verdict: false_alarm}\n", "f.yaml");
    auto h = resolve_expectation(scenario_named("healthy-multiline-banner"), false, &file);
    EXPECT_EQ(h.verdicts, std::vector<verdict>{verdict::false_alarm});
}

TEST(expectations, file_defaults_do_not_override_the_builtin_scenarios_own_expect)
{
    const auto file = parse_expectations("defaults: {status: WARNING}\n", "f.yaml");
    auto e = resolve_expectation(with_expect("banner-missing", {"CRITICAL"}), true, &file);
    EXPECT_EQ(e.statuses, std::vector<ms>{ms::critical});
}

void expect_error(std::string_view text, std::string_view fragment)
{
    try {
        (void)parse_expectations(text, "bad.yaml");
        ADD_FAILURE() << "no error for: " << text;
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos) << e.what();
    }
}

TEST(expectations, mistakes_are_reported_with_the_file_line_and_key)
{
    expect_error("defaults: {status: SEVERE}\n", "unknown status 'SEVERE'");
    expect_error("scenarios:\n  x: {expect_verdict: spotted}\n", "scenarios.x.expect_verdict");
    expect_error("scenarios:\n  x: {kind: slowish}\n", "unknown failure kind");
    expect_error("scenarios:\n  x: {phase: greeting}\n", "unknown phase");
    expect_error("scenarios:\n  x: {stauts: OK}\n", "scenarios.x.stauts");
    expect_error("default: {}\n", "unknown key 'default'; did you mean 'defaults'?");
    expect_error("scenarios: [a, b]\n", "expected a map");
    expect_error("defaults: {status: []}\n", "non-empty list");
    expect_error("defaults: {status: [OK\n", "bad.yaml:");
}

constexpr std::string_view with_series = R"(
defaults: {status: [WARNING, CRITICAL], duration_at_least: 9s}
scenarios:
  banner-slow: {status: OK, duration_at_least: 1500ms}
  starttls-cert-expiring: {status: OK, cert_expires_within_days: 30}
  starttls-cert-expired: {cert_expired: true}
  healthy: {cert_expired: false}
  phases:
    series:
      - {name: probe_smtp_phase_duration_seconds, labels: {phase: banner}, op: ">=", value: 1.5}
      - {name: probe_ssl_earliest_cert_expiry, op: gt, value: now-2h}
      - {name: probe_ssl_earliest_cert_expiry, op: le, value: now+30d}
    note: several conditions
)";

TEST(expectations, series_keys_become_conditions_on_the_answers_series)
{
    const auto file = parse_expectations(with_series, "series.yaml");
    const auto slow = resolve_expectation(scenario_named("banner-slow"), false, &file);
    ASSERT_EQ(slow.series.size(), 1u); // the entry's conditions replace the defaults'
    EXPECT_EQ(describe(slow.series[0]), "probe_duration_seconds >= 1.5");
    const auto expiring =
        resolve_expectation(scenario_named("starttls-cert-expiring"), false, &file);
    ASSERT_EQ(expiring.series.size(), 1u);
    EXPECT_EQ(describe(expiring.series[0]), "probe_ssl_earliest_cert_expiry < now+30d");
    const auto expired = resolve_expectation(scenario_named("starttls-cert-expired"), false, &file);
    EXPECT_EQ(describe(expired.series.at(0)), "probe_ssl_earliest_cert_expiry < now");
    const auto healthy = resolve_expectation(scenario_named("healthy"), false, &file);
    EXPECT_EQ(describe(healthy.series.at(0)), "probe_ssl_earliest_cert_expiry >= now");
    EXPECT_EQ(healthy.verdicts, std::vector<verdict>{verdict::passed});
    const auto phases = resolve_expectation(scenario_named("phases"), false, &file);
    ASSERT_EQ(phases.series.size(), 3u);
    EXPECT_EQ(describe(phases.series[0]),
              "probe_smtp_phase_duration_seconds{phase=\"banner\"} >= 1.5");
    EXPECT_EQ(describe(phases.series[1]), "probe_ssl_earliest_cert_expiry > now-2h");
    // What the reports write is what a file may say.
    EXPECT_EQ(describe(phases.series[2]), "probe_ssl_earliest_cert_expiry <= now+30d");
    const auto other = resolve_expectation(scenario_named("ehlo-slow"), false, &file);
    EXPECT_EQ(describe(other.series.at(0)), "probe_duration_seconds >= 9");
}

TEST(expectations, a_fault_whose_series_are_named_is_expected_caught_even_when_ok)
{
    // The series are how the monitor reports the fault: OK alone does not make it healthy.
    const auto file = parse_expectations(with_series, "series.yaml");
    EXPECT_EQ(resolve_expectation(scenario_named("banner-slow"), false, &file).verdicts,
              std::vector<verdict>{verdict::caught});
    EXPECT_EQ(resolve_expectation(scenario_named("starttls-cert-expiring"), false, &file).verdicts,
              std::vector<verdict>{verdict::caught});
}

TEST(expectations, series_mistakes_are_reported_with_the_file_line_and_key)
{
    expect_error("scenarios:\n  x: {series: {name: a, op: \"=>\", value: 1}}\n",
                 "unknown comparison '=>'");
    expect_error("scenarios:\n  x: {series: {op: <, value: 1}}\n", "a series needs 'name'");
    expect_error("scenarios:\n  x: {series: {name: a, op: <, value: soon}}\n",
                 "expected a number, got 'soon'");
    expect_error("scenarios:\n  x: {series: {name: a, op: <, value: now+3}}\n", "now+DURATION");
    expect_error("scenarios:\n  x: {series: {name: a, op: <, value: now+1.5d}}\n", "whole days");
    expect_error("scenarios:\n  x: {series: {name: a, op: <, value: 1, label: {}}}\n",
                 "did you mean 'labels'?");
    expect_error("scenarios:\n  x: {series: {name: a, op: <, value: 1, labels: [a]}}\n",
                 "series.labels");
    expect_error("scenarios:\n  x: {duration_at_least: 2}\n", "bare number");
    expect_error("scenarios:\n  x: {cert_expire: true}\n", "did you mean 'cert_expired'?");
    expect_error("scenarios:\n  x: {cert_expired: maybe}\n", "scenarios.x.cert_expired");
}

TEST(expectations, statuses_are_case_insensitive_and_unknown_names_are_listed)
{
    const auto file =
        parse_expectations("scenarios:\n  a: {status: [ok, Warning]}\n  b: {}\n", "f.yaml");
    EXPECT_EQ(file.scenarios.at("a").statuses, (std::vector<ms>{ms::ok, ms::warning}));
    EXPECT_EQ(unknown_scenarios(file, {"a"}), std::vector<std::string>{"b"});
}

} // namespace
} // namespace harness
