#include "faults/scenario.hpp"
#include "harness/report.hpp"
#include "harness/scenario_result.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace harness {
namespace {

faults::scenario with_rule(faults::rule_when when)
{
    faults::scenario s;
    s.name = "several";
    faults::rule r;
    r.id = "r1";
    r.when = std::move(when);
    s.rules.push_back(std::move(r));
    return s;
}

faults::rule_when on_connections(std::uint64_t first, std::optional<std::uint64_t> last,
                                 std::uint64_t every = 1)
{
    faults::rule_when w;
    w.connections.push_back({first, last, every});
    return w;
}

TEST(checks_needed, a_scenario_without_repetition_needs_one_check)
{
    EXPECT_EQ(checks_needed(faults::scenario{}), 1u);
    EXPECT_EQ(checks_needed(with_rule({})), 1u);
    EXPECT_EQ(checks_needed(with_rule(on_connections(1, std::nullopt))), 1u);
}

TEST(checks_needed, connections_times_and_probability_need_the_checks_that_show_them)
{
    // connections: 3 fires on the third check; the fourth shows it stop.
    EXPECT_EQ(checks_needed(with_rule(on_connections(3, 3))), 4u);
    // every 2 from 1: the third check shows it repeat.
    EXPECT_EQ(checks_needed(with_rule(on_connections(1, std::nullopt, 2))), 3u);
    faults::rule_when times;
    times.times = 2;
    EXPECT_EQ(checks_needed(with_rule(times)), 3u);
    faults::rule_when coin;
    coin.probability = 0.5; // 0.5^7 < 1 % <= 0.5^6
    EXPECT_EQ(checks_needed(with_rule(coin)), 7u);
}

TEST(checks_needed, is_bounded_by_the_cap)
{
    faults::rule_when rare;
    rare.probability = 0.01;
    EXPECT_EQ(checks_needed(with_rule(rare)), max_derived_checks);
    EXPECT_EQ(checks_needed(with_rule(on_connections(50, 50)), 4), 4u);
}

scenario_result faulty(monitor_status status, verdict v)
{
    scenario_result r;
    r.scenario = "intermittent";
    r.expected.verdicts = {verdict::caught, verdict::passed};
    r.observed.status = status;
    r.outcome = v;
    return r;
}

TEST(record_check, a_check_where_the_fault_did_not_fire_is_judged_as_healthy)
{
    const auto quiet_ok = record_check(faulty(monitor_status::ok, verdict::missed), false);
    EXPECT_EQ(quiet_ok.outcome, verdict::passed);
    EXPECT_FALSE(quiet_ok.alerted);
    const auto quiet_alert = record_check(faulty(monitor_status::critical, verdict::caught), false);
    EXPECT_EQ(quiet_alert.outcome, verdict::false_alarm);
    EXPECT_TRUE(quiet_alert.alerted);
    EXPECT_EQ(record_check(faulty(monitor_status::critical, verdict::caught), true).outcome,
              verdict::caught);
    EXPECT_EQ(record_check(faulty(monitor_status::ok, verdict::no_contact), false).outcome,
              verdict::no_contact);
}

const check_record quiet{verdict::passed, false, false};
const check_record caught{verdict::caught, true, true};
const check_record missed{verdict::missed, true, false};
const check_record misreported{verdict::misreported, true, true};
const check_record alarm{verdict::false_alarm, false, true};

TEST(judge_checks, one_caught_check_where_the_fault_fired_and_quiet_elsewhere_is_caught)
{
    auto r = faulty(monitor_status::ok, verdict::passed);
    judge_checks(r, {quiet, caught, quiet, missed});
    EXPECT_EQ(r.outcome, verdict::caught);
    EXPECT_TRUE(r.as_expected);
    EXPECT_EQ(r.fired_checks, 2u);
    EXPECT_EQ(r.caught_checks, 1u);
    EXPECT_EQ(r.checks.size(), 4u);
}

TEST(judge_checks, an_alert_while_the_fault_did_not_fire_is_a_false_alarm)
{
    auto r = faulty(monitor_status::critical, verdict::caught);
    judge_checks(r, {caught, alarm, caught});
    EXPECT_EQ(r.outcome, verdict::false_alarm);
    EXPECT_FALSE(r.as_expected);
    EXPECT_EQ(r.caught_checks, 2u);
}

TEST(judge_checks, never_caught_takes_the_first_check_where_the_fault_fired)
{
    auto r = faulty(monitor_status::ok, verdict::passed);
    judge_checks(r, {quiet, misreported, missed});
    EXPECT_EQ(r.outcome, verdict::misreported);
    EXPECT_EQ(r.caught_checks, 0u);
    auto m = faulty(monitor_status::ok, verdict::passed);
    judge_checks(m, {missed, quiet, misreported});
    EXPECT_EQ(m.outcome, verdict::missed);
    EXPECT_FALSE(m.as_expected);
}

TEST(judge_checks, an_error_or_no_contact_on_any_check_wins)
{
    auto r = faulty(monitor_status::critical, verdict::caught);
    judge_checks(r, {caught, {verdict::error, false, false}, {verdict::no_contact, false, false}});
    EXPECT_EQ(r.outcome, verdict::error);
    auto n = faulty(monitor_status::critical, verdict::caught);
    judge_checks(n, {caught, {verdict::no_contact, false, false}});
    EXPECT_EQ(n.outcome, verdict::no_contact);
}

TEST(judge_checks, no_check_where_the_fault_fired_keeps_the_verdict_of_the_check)
{
    auto r = faulty(monitor_status::ok, verdict::passed);
    judge_checks(r, {quiet, quiet});
    EXPECT_EQ(r.outcome, verdict::passed);
    EXPECT_EQ(r.fired_checks, 0u);
}

TEST(judge_checks, reports_show_caught_of_all_checks)
{
    auto r = faulty(monitor_status::critical, verdict::caught);
    judge_checks(r, {quiet, caught, quiet, caught, quiet});
    EXPECT_EQ(describe_outcome(r), "caught 2/5 (fault fired on 2)");
    run_info info;
    info.monitor = "builtin";
    const std::vector<scenario_result> results{r};
    EXPECT_NE(format_table(results, info).find("caught 2/5 (fault fired on 2)"), std::string::npos);
    EXPECT_NE(format_markdown(results, info).find("| caught 2/5 (fault fired on 2) |"),
              std::string::npos);
    const auto xml = format_junit(results, info);
    EXPECT_NE(xml.find("<property name=\"checks\" value=\"5\"/>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<property name=\"caught_checks\" value=\"2\"/>"), std::string::npos);
    const auto item =
        boost::json::parse(format_json(results, info)).at("results").at(0).as_object();
    EXPECT_EQ(item.at("checks").as_int64(), 5);
    EXPECT_EQ(item.at("fired_checks").as_int64(), 2);
    EXPECT_EQ(item.at("caught_checks").as_int64(), 2);
    const auto& per_check = item.at("check_results").as_array();
    ASSERT_EQ(per_check.size(), 5u);
    EXPECT_EQ(per_check.at(1).at("verdict").as_string(), "caught");
    EXPECT_TRUE(per_check.at(1).at("fault_fired").as_bool());
    EXPECT_EQ(per_check.at(0).at("verdict").as_string(), "passed");
}

} // namespace
} // namespace harness
