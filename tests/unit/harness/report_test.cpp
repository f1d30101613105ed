#include "harness/report.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace harness {
namespace {

using namespace std::chrono_literals;

std::vector<scenario_result> sample()
{
    scenario_result caught;
    caught.scenario = "banner-missing";
    caught.expected.statuses = {monitor_status::critical};
    caught.expected.kind = smtp::failure_kind::timeout;
    caught.expected.phase = smtp::phase::banner;
    caught.expected.verdicts = {verdict::caught};
    caught.observed.status = monitor_status::critical;
    caught.observed.kind = smtp::failure_kind::timeout;
    caught.observed.phase = smtp::phase::banner;
    caught.observed.duration = 2000ms;
    caught.observed.output = "bytes \x01\xff <&> ]]>";
    caught.outcome = verdict::caught;
    caught.as_expected = true;
    caught.contact_checked = true;
    caught.sessions = 1;
    caught.time_to_detect = 2000ms;

    scenario_result missed;
    missed.scenario = "mail-451";
    missed.expected.statuses = {monitor_status::warning, monitor_status::critical};
    missed.expected.verdicts = {verdict::caught};
    missed.observed.status = monitor_status::ok;
    missed.observed.exit_code = 0;
    missed.observed.summary = "SMTP OK | a|b";
    missed.outcome = verdict::missed;
    missed.contact_checked = true;
    missed.sessions = 1;

    scenario_result broken;
    broken.scenario = "data-hang";
    broken.expected.statuses = {monitor_status::critical};
    broken.expected.verdicts = {verdict::caught};
    broken.observed.error = "killed after the time limit of 100 ms";
    broken.outcome = verdict::error;
    return {caught, missed, broken};
}

run_info info()
{
    run_info i;
    i.monitor = "cmd:check \"x\" <y>";
    i.duration = 4100ms;
    i.seed = 7;
    return i;
}

TEST(report_json, has_the_contract_shape)
{
    const auto doc = boost::json::parse(format_json(sample(), info())).as_object();
    EXPECT_EQ(doc.at("monitor").as_string(), "cmd:check \"x\" <y>");
    const auto& results = doc.at("results").as_array();
    ASSERT_EQ(results.size(), 3u);
    const auto& first = results[0].as_object();
    for (const char* key :
         {"scenario", "verdict", "expected", "observed", "time_to_detect_ms", "output"}) {
        EXPECT_TRUE(first.contains(key)) << key;
    }
    EXPECT_EQ(first.at("verdict").as_string(), "caught");
    EXPECT_EQ(first.at("time_to_detect_ms").as_int64(), 2000);
    EXPECT_EQ(first.at("expected").at("status").as_array()[0].as_string(), "CRITICAL");
    EXPECT_EQ(first.at("expected").at("kind").as_string(), "timeout");
    EXPECT_EQ(first.at("observed").at("phase").as_string(), "banner");
    // Invalid UTF-8 from a monitor becomes U+FFFD, so the report stays valid JSON.
    EXPECT_NE(first.at("output").as_string().find("\xEF\xBF\xBD"), boost::json::string::npos);
    EXPECT_TRUE(results[1].at("time_to_detect_ms").is_null());
    EXPECT_EQ(results[1].at("observed").at("exit_code").as_int64(), 0);
    EXPECT_TRUE(results[2].at("observed").at("status").is_null());
    const auto& summary = doc.at("summary").as_object();
    EXPECT_EQ(summary.at("caught").as_int64(), 1);
    EXPECT_EQ(summary.at("missed").as_int64(), 1);
    EXPECT_EQ(summary.at("error").as_int64(), 1);
    EXPECT_EQ(summary.at("passed").as_int64(), 0);
    EXPECT_EQ(doc.at("unexpected").as_int64(), 2);
    EXPECT_FALSE(doc.at("ok").as_bool());
}

TEST(report_junit, counts_failures_and_errors_and_escapes_everything)
{
    const auto xml = format_junit(sample(), info());
    EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
    EXPECT_NE(xml.find("<testsuites name=\"smtp-harness\" tests=\"3\" failures=\"1\" errors=\"1\""),
              std::string::npos);
    EXPECT_NE(xml.find("<testcase classname=\"smtp-harness.scenarios\" name=\"mail-451\""),
              std::string::npos);
    EXPECT_NE(xml.find("<failure message=\"verdict missed (expected caught)"), std::string::npos);
    EXPECT_NE(xml.find("<error message=\"verdict error (expected caught)"), std::string::npos);
    EXPECT_NE(xml.find("cmd:check &quot;x&quot; &lt;y&gt;"), std::string::npos);
    EXPECT_NE(xml.find("&lt;&amp;&gt; ]]&gt;"), std::string::npos);
    EXPECT_NE(xml.find("\\x01"), std::string::npos);
    EXPECT_EQ(xml.find('\x01'), std::string::npos);
    // One failure element per unexpected verdict, none for the expected one.
    std::size_t failures = 0;
    for (auto p = xml.find("<failure"); p != std::string::npos; p = xml.find("<failure", p + 1)) {
        ++failures;
    }
    EXPECT_EQ(failures, 1u);
}

TEST(report_markdown, one_row_per_scenario_with_cells_escaped)
{
    const auto md = format_markdown(sample(), info());
    EXPECT_NE(md.find("| `banner-missing` | caught | caught |"), std::string::npos) << md;
    EXPECT_NE(md.find("| `mail-451` | **missed** ⚠ | caught |"), std::string::npos) << md;
    EXPECT_NE(md.find("**2 unexpected verdicts**"), std::string::npos);
    EXPECT_NE(md.find("| 2.0 s |"), std::string::npos);
    // What the monitor said, with its pipes escaped so the table keeps its columns.
    EXPECT_NE(md.find("| monitor said |"), std::string::npos) << md;
    EXPECT_NE(md.find("| SMTP OK \\| a\\|b |"), std::string::npos) << md;
}

TEST(report_text, progress_and_table)
{
    const auto results = sample();
    EXPECT_EQ(format_progress(12, 48, results[0]), "[12/48] banner-missing … caught (2.0 s)");
    EXPECT_EQ(format_progress(13, 48, results[1]),
              "[13/48] mail-451 … missed (0.0 s) (expected caught; observed OK)");
    // A scenario judged over several checks shows their counts as it finishes, as the table does.
    auto several = results[0];
    several.scenario = "intermittent";
    several.checks.resize(7);
    several.fired_checks = 2;
    several.caught_checks = 2;
    EXPECT_EQ(format_progress(14, 48, several),
              "[14/48] intermittent … caught 2/7 (fault fired on 2) (2.0 s)");
    auto never = results[1];
    never.fault_never_fired = true;
    EXPECT_EQ(format_progress(15, 48, never), "[15/48] mail-451 … missed (fault never fired) "
                                              "(0.0 s) (expected caught; observed OK)");
    const auto table = format_table(results, info());
    EXPECT_NE(table.find("  banner-missing"), std::string::npos);
    EXPECT_NE(table.find("! mail-451"), std::string::npos);
    EXPECT_NE(table.find("1 caught, 1 missed, 1 error"), std::string::npos) << table;
    EXPECT_NE(table.find("2 verdicts differ"), std::string::npos);
}

// A run whose healthy control raised a false alarm: its catch proves nothing.
std::vector<scenario_result> alarmed_run()
{
    auto results = sample();
    scenario_result control;
    control.scenario = "healthy";
    control.expected.statuses = {monitor_status::ok};
    control.expected.verdicts = {verdict::passed};
    control.observed.status = monitor_status::critical;
    control.outcome = verdict::false_alarm;
    results.insert(results.begin(), control);
    mark_unproven(results);
    return results;
}

TEST(report_text, an_unproven_catch_is_marked_and_explained)
{
    const auto table = format_table(alarmed_run(), info());
    EXPECT_NE(table.find("! banner-missing caught (unproven)"), std::string::npos) << table;
    EXPECT_NE(table.find("unproven: the healthy control (healthy) raised a false alarm, so this "
                         "monitor alerts on a working server; its 1 caught verdict proves nothing"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("4 verdicts differ"), std::string::npos) << table;
}

TEST(report_text, the_table_shows_what_the_monitor_said)
{
    const auto table = format_table(sample(), info());
    EXPECT_NE(table.find("monitor said"), std::string::npos) << table;
    EXPECT_NE(table.find("0.0 s   SMTP OK | a|b\n"), std::string::npos) << table;
}

TEST(report_text, one_differing_verdict_is_singular)
{
    auto results = sample();
    results.resize(2);
    EXPECT_NE(format_table(results, info()).find("1 verdict differs from the expectation"),
              std::string::npos);
}

TEST(report_reports, json_junit_and_markdown_say_a_catch_is_unproven)
{
    const auto results = alarmed_run();
    const auto doc = boost::json::parse(format_json(results, info())).as_object();
    EXPECT_EQ(doc.at("unproven").as_int64(), 1);
    EXPECT_EQ(doc.at("false_alarm_controls").as_array().at(0).as_string(), "healthy");
    const auto& caught = doc.at("results").as_array().at(1).as_object();
    EXPECT_EQ(caught.at("verdict").as_string(), "caught");
    EXPECT_TRUE(caught.at("unproven").as_bool());
    EXPECT_FALSE(caught.at("as_expected").as_bool());
    const auto xml = format_junit(results, info());
    EXPECT_NE(xml.find("verdict caught (unproven) (expected caught)"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<property name=\"unproven\" value=\"unproven: the healthy control"),
              std::string::npos)
        << xml;
    const auto md = format_markdown(results, info());
    EXPECT_NE(md.find("| `banner-missing` | **caught (unproven)** ⚠ |"), std::string::npos) << md;
    EXPECT_NE(md.find("**unproven: the healthy control (healthy)"), std::string::npos) << md;
}

// mail-451's OK, where its one rule never fired: the monitor never met the fault.
std::vector<scenario_result> unfired_run()
{
    auto results = sample();
    results[1].unfired_rules = {"mail-451"};
    results[1].fault_never_fired = true;
    return results;
}

TEST(report_reports, every_format_says_a_fault_never_fired)
{
    const auto results = unfired_run();
    const auto table = format_table(results, info());
    EXPECT_NE(table.find("! mail-451       missed (fault never fired)"), std::string::npos)
        << table;
    EXPECT_NE(table.find("fault never fired: no rule of mail-451 (rule mail-451) acted during "
                         "the monitor's checks, so the monitor never met that fault\n"),
              std::string::npos)
        << table;
    const auto doc = boost::json::parse(format_json(results, info())).as_object();
    EXPECT_EQ(doc.at("fault_never_fired").as_array().at(0).as_string(), "mail-451");
    const auto& missed = doc.at("results").as_array().at(1).as_object();
    EXPECT_FALSE(missed.at("fault_fired").as_bool());
    EXPECT_EQ(missed.at("unfired_rules").as_array().at(0).as_string(), "mail-451");
    EXPECT_TRUE(doc.at("results").as_array().at(0).at("fault_fired").as_bool());
    const auto xml = format_junit(results, info());
    EXPECT_NE(xml.find("verdict missed (fault never fired) (expected caught)"), std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<property name=\"fault_never_fired\" value=\"fault never fired: no rule "
                       "of mail-451"),
              std::string::npos)
        << xml;
    const auto md = format_markdown(results, info());
    EXPECT_NE(md.find("| `mail-451` | **missed (fault never fired)** ⚠ |"), std::string::npos)
        << md;
    EXPECT_NE(md.find("**fault never fired: no rule of mail-451"), std::string::npos) << md;
}

TEST(describe, expected_and_observed)
{
    expected_outcome e;
    e.statuses = {monitor_status::warning, monitor_status::critical};
    EXPECT_EQ(describe_expected(e), "WARNING|CRITICAL");
    e.kind = smtp::failure_kind::closed;
    e.phase = smtp::phase::ehlo;
    EXPECT_EQ(describe_expected(e), "WARNING|CRITICAL closed at ehlo");
    observation o;
    o.error = "boom";
    EXPECT_EQ(describe_observed(o), "error: boom");
    o.status = monitor_status::ok;
    EXPECT_EQ(describe_observed(o), "OK");
}

// banner-slow judged on blackbox_exporter's probe_duration_seconds, which is too short.
scenario_result judged_on_a_series()
{
    scenario_result r;
    r.scenario = "banner-slow";
    r.expected.statuses = {monitor_status::ok};
    r.expected.series = {{"probe_duration_seconds", {}, series_op::ge, 1.5, false}};
    r.expected.verdicts = {verdict::caught};
    r.observed.status = monitor_status::ok;
    r.observed.summary = "probe_success 1";
    r.observed.series = prometheus_text::parse_samples("probe_duration_seconds 0.004\n");
    r.series = read_series(r.expected.series, r.observed.series, r.observed.observed_at);
    r.outcome = verdict::misreported;
    return r;
}

TEST(report_reports, every_format_says_which_series_was_read_and_its_value)
{
    const auto r = judged_on_a_series();
    const std::string reading = "probe_duration_seconds 0.004 (expected >= 1.5): fails";
    EXPECT_EQ(describe_expected(r.expected), "OK, probe_duration_seconds >= 1.5");
    EXPECT_EQ(describe_series(r), reading);
    EXPECT_EQ(format_progress(1, 1, r), "[1/1] banner-slow … misreported (0.0 s) (expected "
                                        "caught; observed OK; " +
                                            reading + ")");
    const auto table = format_table({r}, info());
    EXPECT_NE(table.find("\nseries read:\n  banner-slow: " + reading + "\n"), std::string::npos)
        << table;
    const auto json = boost::json::parse(format_json({r}, info()));
    const auto& item = json.at("results").at(0);
    EXPECT_EQ(item.at("expected").at("series").at(0), "probe_duration_seconds >= 1.5");
    const auto& series = item.at("series").at(0);
    EXPECT_EQ(series.at("name"), "probe_duration_seconds");
    EXPECT_EQ(series.at("found").at(0).at("value"), "0.004");
    EXPECT_EQ(series.at("holds"), false);
    EXPECT_EQ(series.at("reading").as_string(), reading);
    EXPECT_NE(format_junit({r}, info()).find("probe_duration_seconds 0.004 (expected &gt;= 1.5)"),
              std::string::npos);
    EXPECT_NE(format_markdown({r}, info()).find(reading), std::string::npos);
    // Without series, nothing is said about them.
    EXPECT_EQ(format_table(sample(), info()).find("series read:"), std::string::npos);
}

} // namespace
} // namespace harness
