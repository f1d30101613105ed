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
