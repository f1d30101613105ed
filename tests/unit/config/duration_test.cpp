// Durations as configuration documents write them: a number with a unit, exact to the
// millisecond.
#include "config/duration.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using config::format_duration;
using config::parse_duration;

TEST(duration, parses_each_unit)
{
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("0.1s"), 100ms);
    EXPECT_EQ(parse_duration("2m"), 120'000ms);
    EXPECT_EQ(parse_duration("1h"), 3'600'000ms);
    EXPECT_EQ(parse_duration("0ms"), 0ms);
}

TEST(duration, rejects_bare_numbers_and_junk)
{
    EXPECT_FALSE(parse_duration("250"));
    EXPECT_FALSE(parse_duration(""));
    EXPECT_FALSE(parse_duration("s"));
    EXPECT_FALSE(parse_duration("-1s"));
    EXPECT_FALSE(parse_duration("1.s"));
    EXPECT_FALSE(parse_duration("1 s"));
    EXPECT_FALSE(parse_duration("1sec"));
    EXPECT_FALSE(parse_duration("0.5ms")); // finer than a millisecond
    EXPECT_FALSE(parse_duration("10ss"));
}

TEST(duration, reads_prometheus_compound_durations_and_its_long_units)
{
    EXPECT_EQ(parse_duration("1h30m"), 5'400'000ms);
    EXPECT_EQ(parse_duration("90s"), 90'000ms);
    EXPECT_EQ(parse_duration("1d"), 86'400'000ms);
    EXPECT_EQ(parse_duration("2w"), 14 * 86'400'000ms);
    EXPECT_EQ(parse_duration("1y"), 365 * 86'400'000ms);
    EXPECT_EQ(parse_duration("1d12h"), 129'600'000ms);
    EXPECT_EQ(parse_duration("2m30s500ms"), 150'500ms);
    EXPECT_EQ(parse_duration("1y2w3d4h5m6s7ms"),
              365 * 86'400'000ms + 17 * 86'400'000ms + 4 * 3'600'000ms + 306'007ms);
}

TEST(duration, a_compound_names_its_units_largest_first_each_once_without_fractions)
{
    EXPECT_FALSE(parse_duration("30m1h"));
    EXPECT_FALSE(parse_duration("1m1m"));
    EXPECT_FALSE(parse_duration("1s1m"));
    EXPECT_FALSE(parse_duration("500ms1s"));
    EXPECT_FALSE(parse_duration("1h0.5m"));
    EXPECT_FALSE(parse_duration("1h30"));
    EXPECT_FALSE(parse_duration("1h 30m"));
    EXPECT_FALSE(parse_duration("1hm"));
    EXPECT_FALSE(parse_duration("999999999999y")) << "too long to hold";
    EXPECT_FALSE(parse_duration("1d-1h"));
}

TEST(duration, formats_in_the_largest_exact_unit)
{
    EXPECT_EQ(format_duration(1500ms), "1500ms");
    EXPECT_EQ(format_duration(2000ms), "2s");
    EXPECT_EQ(format_duration(120'000ms), "2m");
    EXPECT_EQ(format_duration(0ms), "0ms");
    for (auto d : {1ms, 999ms, 1000ms, 61'000ms, 3'600'000ms}) {
        EXPECT_EQ(parse_duration(format_duration(d)), d);
    }
}

} // namespace
