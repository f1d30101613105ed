#include "watch/flap_detector.hpp"

#include <gtest/gtest.h>

namespace {

using prober::probe_status;
using watch::state_change_percent;

constexpr auto O = prober::probe_status::ok;
constexpr auto C = prober::probe_status::critical;
constexpr auto W = prober::probe_status::warning;

TEST(FlapDetector, SteadyStateIsZero)
{
    EXPECT_DOUBLE_EQ(state_change_percent({}), 0.0);
    EXPECT_DOUBLE_EQ(state_change_percent({O}), 0.0);
    EXPECT_DOUBLE_EQ(state_change_percent({C, C, C, C}), 0.0);
}

TEST(FlapDetector, AlternatingIsHundred)
{
    EXPECT_NEAR(state_change_percent({O, C, O, C, O, C}), 100.0, 1e-9);
}

TEST(FlapDetector, RecentChangesWeighMore)
{
    // Five states, four transitions weighted 0.8, 0.933, 1.067, 1.2.
    double oldest = state_change_percent({O, C, C, C, C});
    double newest = state_change_percent({O, O, O, O, C});
    EXPECT_NEAR(oldest, 0.8 * 100 / 4, 1e-9);
    EXPECT_NEAR(newest, 1.2 * 100 / 4, 1e-9);
    EXPECT_GT(newest, oldest);
}

TEST(FlapDetector, AnyStatusChangeCounts)
{
    EXPECT_GT(state_change_percent({W, C, W, C}), 99.0);
}

} // namespace
