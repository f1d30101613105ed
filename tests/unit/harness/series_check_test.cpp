#include "harness/series_check.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

namespace harness {
namespace {

using namespace std::chrono_literals;

// 2026-12-02T00:00:00Z, the time of the check.
const std::chrono::system_clock::time_point check_time{std::chrono::seconds(1796169600)};

// An answer of blackbox_exporter's tcp prober after STARTTLS (shortened).
const auto answer = prometheus_text::parse_samples(
    "# HELP probe_duration_seconds Returns how long the probe took to complete in seconds\n"
    "probe_duration_seconds 1.503\n"
    "probe_ssl_earliest_cert_expiry 1797033600\n" // 10 days after the check
    "probe_smtp_phase_duration_seconds{phase=\"banner\"} 1.5\n"
    "probe_smtp_phase_duration_seconds{phase=\"ehlo\"} 0.002\n"
    "probe_odd NaN\n"
    "probe_success 1\n");

series_condition condition(std::string name, series_op op, double bound, bool from_now = false,
                           prometheus_text::label_set labels = {})
{
    return {std::move(name), std::move(labels), op, bound, from_now};
}

TEST(series_check, a_value_is_compared_with_its_bound)
{
    const auto at_least = condition("probe_duration_seconds", series_op::ge, 1.5);
    const auto r = read_series(at_least, answer, check_time);
    EXPECT_TRUE(r.holds);
    ASSERT_EQ(r.found.size(), 1u);
    EXPECT_EQ(r.found[0].value, "1.503");
    EXPECT_EQ(describe(r), "probe_duration_seconds 1.503 (expected >= 1.5): holds");
    EXPECT_FALSE(
        read_series(condition("probe_duration_seconds", series_op::ge, 2), answer, check_time)
            .holds);
    EXPECT_TRUE(
        read_series(condition("probe_success", series_op::eq, 1), answer, check_time).holds);
    EXPECT_TRUE(
        read_series(condition("probe_success", series_op::ne, 0), answer, check_time).holds);
}

TEST(series_check, a_bound_from_now_is_counted_from_the_time_of_the_check)
{
    const auto within_30_days =
        condition("probe_ssl_earliest_cert_expiry", series_op::lt, 30 * 86400.0, true);
    const auto r = read_series(within_30_days, answer, check_time);
    EXPECT_TRUE(r.holds);
    EXPECT_EQ(describe(r.condition), "probe_ssl_earliest_cert_expiry < now+30d");
    EXPECT_EQ(describe(r), "probe_ssl_earliest_cert_expiry 1797033600 (in 10.0 days) "
                           "(expected < now+30d): holds");
    const auto expired = condition("probe_ssl_earliest_cert_expiry", series_op::lt, 0, true);
    EXPECT_FALSE(read_series(expired, answer, check_time).holds);
    // Eleven days later the same certificate has expired.
    const auto later = read_series(expired, answer, check_time + 24h * 11);
    EXPECT_TRUE(later.holds);
    EXPECT_EQ(describe(later), "probe_ssl_earliest_cert_expiry 1797033600 (1.0 days ago) "
                               "(expected < now): holds");
    EXPECT_EQ(describe(condition("x", series_op::gt, -5400, true)), "x > now-90m");
}

TEST(series_check, labels_select_series_and_every_selected_one_must_hold)
{
    const auto banner = condition("probe_smtp_phase_duration_seconds", series_op::ge, 1, false,
                                  {{"phase", "banner"}});
    const auto r = read_series(banner, answer, check_time);
    EXPECT_TRUE(r.holds);
    EXPECT_EQ(describe(r), "probe_smtp_phase_duration_seconds{phase=\"banner\"} 1.5 (expected "
                           ">= 1): holds");
    const auto any_phase = condition("probe_smtp_phase_duration_seconds", series_op::ge, 1);
    const auto all = read_series(any_phase, answer, check_time);
    EXPECT_EQ(all.found.size(), 2u);
    EXPECT_FALSE(all.holds);
    EXPECT_EQ(describe(all), "probe_smtp_phase_duration_seconds{phase=\"banner\"} 1.5, "
                             "probe_smtp_phase_duration_seconds{phase=\"ehlo\"} 0.002 (expected "
                             ">= 1): fails");
}

TEST(series_check, an_absent_series_or_a_value_that_is_no_number_fails)
{
    const auto absent = read_series(
        condition("probe_ssl_earliest_cert_expiry", series_op::lt, 0, true), {}, check_time);
    EXPECT_FALSE(absent.holds);
    EXPECT_TRUE(absent.found.empty());
    EXPECT_EQ(describe(absent), "probe_ssl_earliest_cert_expiry absent (expected < now): fails");
    EXPECT_FALSE(read_series(condition("probe_smtp_phase_duration_seconds", series_op::ge, 0, false,
                                       {{"phase", "quit"}}),
                             answer, check_time)
                     .holds);
    EXPECT_FALSE(read_series(condition("probe_odd", series_op::ne, 0), answer, check_time).holds);
    EXPECT_FALSE(read_series(condition("probe_odd", series_op::ge, 0), answer, check_time).holds);
}

TEST(series_check, comparisons_are_named_as_prometheus_writes_them_or_in_words)
{
    EXPECT_EQ(parse_series_op("<"), series_op::lt);
    EXPECT_EQ(parse_series_op(">="), series_op::ge);
    EXPECT_EQ(parse_series_op("ne"), series_op::ne);
    EXPECT_FALSE(parse_series_op("=>"));
    for (auto op : {series_op::lt, series_op::le, series_op::gt, series_op::ge, series_op::eq,
                    series_op::ne}) {
        EXPECT_EQ(parse_series_op(to_string(op)), op);
    }
}

TEST(series_check, the_reader_takes_prometheus_numbers)
{
    EXPECT_EQ(prometheus_text::sample_value("1.5e+09"), 1.5e9);
    EXPECT_EQ(prometheus_text::sample_value("+Inf"), std::numeric_limits<double>::infinity());
    EXPECT_EQ(prometheus_text::sample_value("-Inf"), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(*prometheus_text::sample_value("NaN")));
    EXPECT_FALSE(prometheus_text::sample_value("inf"));
    EXPECT_FALSE(prometheus_text::sample_value("1s"));
    EXPECT_FALSE(prometheus_text::sample_value(""));
    const auto crlf = prometheus_text::parse_samples("probe_success 1\r\n");
    ASSERT_EQ(crlf.size(), 1u);
    EXPECT_EQ(crlf[0].value, "1");
}

} // namespace
} // namespace harness
