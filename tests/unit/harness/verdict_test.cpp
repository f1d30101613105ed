#include "faults/scenario.hpp"
#include "harness/scenario_result.hpp"
#include "harness/verdict.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace harness {
namespace {

observation seen(monitor_status s, std::optional<smtp::failure_kind> kind = std::nullopt,
                 std::optional<smtp::phase> phase = std::nullopt)
{
    observation o;
    o.status = s;
    o.kind = kind;
    o.phase = phase;
    return o;
}

expected_outcome expect(std::vector<monitor_status> statuses,
                        std::optional<smtp::failure_kind> kind = std::nullopt,
                        std::optional<smtp::phase> phase = std::nullopt)
{
    expected_outcome e;
    e.statuses = std::move(statuses);
    e.kind = kind;
    e.phase = phase;
    return e;
}

const judgement_context fault{};
const judgement_context healthy{true, true, true};

using fk = smtp::failure_kind;
using ph = smtp::phase;
using ms = monitor_status;

TEST(verdict, a_fault_flagged_with_the_right_status_kind_and_phase_is_caught)
{
    EXPECT_EQ(judge(seen(ms::critical, fk::timeout, ph::banner),
                    expect({ms::critical}, fk::timeout, ph::banner), fault),
              verdict::caught);
}

TEST(verdict, a_fault_reported_ok_is_missed)
{
    EXPECT_EQ(judge(seen(ms::ok), expect({ms::warning, ms::critical}), fault), verdict::missed);
}

TEST(verdict, ok_is_passed_when_the_expectation_accepts_it)
{
    EXPECT_EQ(judge(seen(ms::ok), expect({ms::ok, ms::critical}), fault), verdict::passed);
}

TEST(verdict, wrong_kind_phase_or_status_is_misreported)
{
    const auto e = expect({ms::critical}, fk::timeout, ph::banner);
    EXPECT_EQ(judge(seen(ms::critical, fk::closed, ph::banner), e, fault), verdict::misreported);
    EXPECT_EQ(judge(seen(ms::critical, fk::timeout, ph::ehlo), e, fault), verdict::misreported);
    EXPECT_EQ(judge(seen(ms::warning, fk::timeout, ph::banner), e, fault), verdict::misreported);
}

TEST(verdict, kind_and_phase_are_not_judged_when_the_monitor_does_not_name_them)
{
    // A cmd: monitor only has an exit code.
    EXPECT_EQ(judge(seen(ms::critical), expect({ms::critical}, fk::timeout, ph::banner), fault),
              verdict::caught);
}

// An http: monitor's answer with these series, read at the time of the check.
observation answered(monitor_status s, std::string exposition)
{
    auto o = seen(s);
    o.series = prometheus_text::parse_samples(exposition);
    o.observed_at = std::chrono::system_clock::time_point(std::chrono::seconds(1796169600));
    return o;
}

expected_outcome expect_series(std::vector<monitor_status> statuses, series_condition c)
{
    auto e = expect(std::move(statuses));
    e.series.push_back(std::move(c));
    return e;
}

const series_condition slow_enough{"probe_duration_seconds", {}, series_op::ge, 1.5, false};
const series_condition expiring{
    "probe_ssl_earliest_cert_expiry", {}, series_op::lt, 30 * 86400.0, true};

TEST(verdict, a_named_series_that_holds_is_how_an_ok_monitor_catches_a_fault)
{
    // blackbox_exporter: probe_success 1, but the duration shows the slow banner and the
    // certificate's expiry is ten days away.
    EXPECT_EQ(judge(answered(ms::ok, "probe_duration_seconds 1.503\n"),
                    expect_series({ms::ok}, slow_enough), fault),
              verdict::caught);
    EXPECT_EQ(judge(answered(ms::ok, "probe_ssl_earliest_cert_expiry 1797033600\n"),
                    expect_series({ms::ok, ms::warning}, expiring), fault),
              verdict::caught);
    EXPECT_EQ(judge(answered(ms::critical, "probe_duration_seconds 4\n"),
                    expect_series({ms::critical}, slow_enough), fault),
              verdict::caught);
}

TEST(verdict, a_named_series_that_fails_or_is_absent_is_misreported)
{
    // A module that fails at once on every scenario: flagged, but not for the slowness.
    EXPECT_EQ(judge(answered(ms::critical, "probe_duration_seconds 0.004\n"),
                    expect_series({ms::critical}, slow_enough), fault),
              verdict::misreported);
    // A module that never starts TLS has no certificate to report.
    EXPECT_EQ(judge(answered(ms::ok, "probe_duration_seconds 0.004\nprobe_success 1\n"),
                    expect_series({ms::ok}, expiring), fault),
              verdict::misreported);
    // A certificate far from expiry.
    EXPECT_EQ(judge(answered(ms::ok, "probe_ssl_earliest_cert_expiry 1899999999\n"),
                    expect_series({ms::ok}, expiring), fault),
              verdict::misreported);
    // The status is still judged first.
    EXPECT_EQ(judge(answered(ms::ok, "probe_duration_seconds 2\n"),
                    expect_series({ms::critical}, slow_enough), fault),
              verdict::missed);
    EXPECT_EQ(judge(answered(ms::critical, "probe_duration_seconds 2\n"),
                    expect_series({ms::ok}, slow_enough), fault),
              verdict::misreported);
    // A monitor with no answer at all is still an error.
    observation none;
    EXPECT_EQ(judge(none, expect_series({ms::ok}, slow_enough), fault), verdict::error);
}

TEST(verdict, a_healthy_scenario_with_named_series_passes_only_when_they_hold)
{
    const series_condition not_expired{
        "probe_ssl_earliest_cert_expiry", {}, series_op::ge, 0, true};
    EXPECT_EQ(judge(answered(ms::ok, "probe_ssl_earliest_cert_expiry 1899999999\n"),
                    expect_series({ms::ok}, not_expired), healthy),
              verdict::passed);
    EXPECT_EQ(judge(answered(ms::ok, "probe_ssl_earliest_cert_expiry 1000000000\n"),
                    expect_series({ms::ok}, not_expired), healthy),
              verdict::misreported);
    EXPECT_EQ(judge(answered(ms::critical, "probe_ssl_earliest_cert_expiry 1899999999\n"),
                    expect_series({ms::ok}, not_expired), healthy),
              verdict::false_alarm);
}

TEST(verdict, healthy_scenarios_pass_when_ok_and_are_false_alarms_otherwise)
{
    EXPECT_EQ(judge(seen(ms::ok), expect({ms::ok}), healthy), verdict::passed);
    EXPECT_EQ(judge(seen(ms::warning), expect({ms::ok}), healthy), verdict::false_alarm);
    EXPECT_EQ(judge(seen(ms::critical), expect({ms::ok, ms::critical}), healthy),
              verdict::false_alarm);
}

TEST(verdict, a_fault_whose_only_acceptable_status_is_ok_is_judged_like_a_healthy_one)
{
    // E.g. EHLO refused with a working HELO fallback: the service works.
    EXPECT_EQ(judge(seen(ms::ok), expect({ms::ok}), fault), verdict::passed);
    EXPECT_EQ(judge(seen(ms::critical), expect({ms::ok}), fault), verdict::false_alarm);
    // With other acceptable statuses an alert is not a false alarm.
    EXPECT_EQ(judge(seen(ms::ok), expect({ms::ok, ms::warning}), fault), verdict::passed);
}

TEST(verdict, no_status_is_an_error_before_anything_else)
{
    judgement_context no_contact{false, true, false};
    observation unread;
    unread.error = "exit code 7 is not a Nagios status";
    EXPECT_EQ(judge(unread, expect({ms::critical}), no_contact), verdict::error);
    observation crashed;
    crashed.error = "killed";
    EXPECT_EQ(judge(crashed, expect({ms::critical}), fault), verdict::error);
}

TEST(verdict, unknown_is_a_status_an_expectation_can_name)
{
    // Nagios alerts on UNKNOWN: where it is expected, the fault is caught.
    EXPECT_EQ(judge(seen(ms::unknown), expect({ms::unknown}), fault), verdict::caught);
    EXPECT_EQ(judge(seen(ms::unknown), expect({ms::warning, ms::unknown}), fault), verdict::caught);
    // Where it is not, it is an alert with the wrong status.
    EXPECT_EQ(judge(seen(ms::unknown), expect({ms::critical}), fault), verdict::misreported);
    // On a healthy scenario it is an alert all the same.
    EXPECT_EQ(judge(seen(ms::unknown), expect({ms::ok}), healthy), verdict::false_alarm);
}

TEST(verdict, no_recorded_session_is_no_contact_even_when_the_monitor_alerts)
{
    judgement_context none{false, true, false};
    EXPECT_EQ(judge(seen(ms::critical), expect({ms::critical}), none), verdict::no_contact);
    judgement_context none_healthy{true, true, false};
    EXPECT_EQ(judge(seen(ms::ok), expect({ms::ok}), none_healthy), verdict::no_contact);
    // Contact is not checked for refused or black-holed listeners.
    judgement_context unchecked{false, false, false};
    EXPECT_EQ(judge(seen(ms::critical), expect({ms::critical}), unchecked), verdict::caught);
}

TEST(verdict, names_round_trip)
{
    for (const auto v : all_verdicts) {
        EXPECT_EQ(parse_verdict(to_string(v)), v);
    }
    EXPECT_EQ(to_string(verdict::false_alarm), "false_alarm");
    EXPECT_EQ(to_string(verdict::no_contact), "no_contact");
    EXPECT_FALSE(parse_verdict("caught "));
}

TEST(verdict, healthy_names)
{
    EXPECT_TRUE(is_healthy_name("healthy"));
    EXPECT_TRUE(is_healthy_name("healthy-multiline-banner"));
    EXPECT_FALSE(is_healthy_name("healthyish"));
    EXPECT_FALSE(is_healthy_name("unhealthy"));
}

TEST(assess, time_to_detect_only_for_detected_faults_and_expected_verdicts_decide)
{
    faults::scenario s;
    s.name = "banner-missing";
    auto e = expect({ms::critical}, fk::timeout, ph::banner);
    e.verdicts = {verdict::caught};
    auto o = seen(ms::critical, fk::timeout, ph::banner);
    o.duration = std::chrono::milliseconds(2000);
    auto r = assess(s, e, o, true, 1);
    EXPECT_EQ(r.outcome, verdict::caught);
    EXPECT_TRUE(r.as_expected);
    ASSERT_TRUE(r.time_to_detect);
    EXPECT_EQ(r.time_to_detect->count(), 2000);

    auto missed = assess(s, e, seen(ms::ok), true, 1);
    EXPECT_EQ(missed.outcome, verdict::missed);
    EXPECT_FALSE(missed.as_expected);
    EXPECT_FALSE(missed.time_to_detect);

    e.verdicts = {verdict::missed};
    EXPECT_TRUE(assess(s, e, seen(ms::ok), true, 1).as_expected);
    EXPECT_EQ(assess(s, e, seen(ms::ok), true, 0).outcome, verdict::no_contact);
}

scenario_result result(std::string name, verdict v, std::vector<verdict> expected)
{
    scenario_result r;
    r.scenario = std::move(name);
    r.outcome = v;
    r.expected.verdicts = std::move(expected);
    r.as_expected = std::find(r.expected.verdicts.begin(), r.expected.verdicts.end(), v) !=
                    r.expected.verdicts.end();
    return r;
}

TEST(mark_unproven, a_false_alarm_on_the_healthy_control_makes_every_caught_unproven)
{
    std::vector<scenario_result> run{result("healthy", verdict::false_alarm, {verdict::passed}),
                                     result("banner-421", verdict::caught, {verdict::caught}),
                                     result("mail-451", verdict::missed, {verdict::missed})};
    mark_unproven(run);
    EXPECT_EQ(false_alarm_controls(run), std::vector<std::string>{"healthy"});
    EXPECT_TRUE(run[1].unproven);
    EXPECT_FALSE(run[1].as_expected);
    EXPECT_FALSE(run[2].unproven);
    EXPECT_TRUE(run[2].as_expected);
    EXPECT_FALSE(all_as_expected(run));
}

TEST(mark_unproven, an_expected_false_alarm_keeps_the_run_green_but_still_unproven)
{
    std::vector<scenario_result> run{
        result("healthy-multiline-banner", verdict::false_alarm, {verdict::false_alarm}),
        result("banner-421", verdict::caught, {verdict::caught})};
    mark_unproven(run);
    EXPECT_TRUE(run[1].unproven);
    EXPECT_TRUE(all_as_expected(run));
}

TEST(mark_unproven, a_passed_control_proves_the_catches)
{
    std::vector<scenario_result> run{result("healthy", verdict::passed, {verdict::passed}),
                                     result("banner-421", verdict::caught, {verdict::caught})};
    mark_unproven(run);
    EXPECT_FALSE(run[1].unproven);
    EXPECT_TRUE(all_as_expected(run));
}

TEST(assess, contact_is_observable_only_on_an_open_listener)
{
    faults::scenario s;
    EXPECT_TRUE(contact_observable(s));
    s.listener = faults::listener_state::closed;
    EXPECT_FALSE(contact_observable(s));
    s.listener = faults::listener_state::blackhole;
    EXPECT_FALSE(contact_observable(s));
}

} // namespace
} // namespace harness
