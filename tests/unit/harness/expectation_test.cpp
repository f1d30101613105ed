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

TEST(expectations, statuses_are_case_insensitive_and_unknown_names_are_listed)
{
    const auto file =
        parse_expectations("scenarios:\n  a: {status: [ok, Warning]}\n  b: {}\n", "f.yaml");
    EXPECT_EQ(file.scenarios.at("a").statuses, (std::vector<ms>{ms::ok, ms::warning}));
    EXPECT_EQ(unknown_scenarios(file, {"a"}), std::vector<std::string>{"b"});
}

} // namespace
} // namespace harness
