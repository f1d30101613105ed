#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/timeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace harness::alerts;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

const std::filesystem::path catalog = SMTPH_FAULT_CATALOG_DIR;

timeline sample()
{
    return load_timeline(R"(
name: t
steps:
  - {id: warmup, scenario: healthy, for: 2s}
  - {scenario: banner-missing, for: 1500ms}
  - {id: outage, scenario: banner-421, for: 30s}
)",
                         "t.yaml", "/nowhere", catalog);
}

TEST(AlertsTimeline, StepsWithCatalogNames)
{
    auto tl = sample();
    ASSERT_EQ(tl.steps.size(), 3u);
    EXPECT_EQ(tl.name, "t");
    EXPECT_EQ(tl.steps[0].file, catalog / "healthy.yaml");
    EXPECT_EQ(tl.steps[1].id, "2-banner-missing");
    EXPECT_EQ(tl.steps[1].duration, 1500ms);
    EXPECT_EQ(tl.total(), 33500ms);
    EXPECT_EQ(tl.find("outage"), 2);
    EXPECT_EQ(tl.find("nope"), -1);
}

void expect_timeline_error(const char* text, const char* fragment)
{
    try {
        load_timeline(text, "t.yaml", "/nowhere", catalog);
        ADD_FAILURE() << text;
    } catch (const alerts_file_error& e) {
        EXPECT_THAT(e.what(), HasSubstr(fragment)) << text;
    }
}

TEST(AlertsTimeline, Mistakes)
{
    expect_timeline_error("steps: []\n", "at least one step");
    expect_timeline_error("steps:\n  - {scenario: nope, for: 1s}\n",
                          "t.yaml:2:16: steps[0].scenario: no scenario file");
    expect_timeline_error("steps:\n  - {scenario: healthy}\n", "needs a duration");
    expect_timeline_error("steps:\n  - {scenario: healthy, for: 1s, what: 1}\n", "unknown key");
    expect_timeline_error("steps:\n  - {scenario: healthy, fro: 1s}\n",
                          "t.yaml:2:25: steps[0].fro: unknown key 'fro'; did you mean 'for'?");
    expect_timeline_error("steps:\n  - {id: a, scenario: healthy, for: 1s}\n"
                          "  - {id: a, scenario: healthy, for: 1s}\n",
                          "duplicate step id");
}

TEST(AlertsExpectations, AllThreeKinds)
{
    auto tl = sample();
    auto ex = load_expectations(R"(
expectations:
  - name: pages
    step: outage
    fires: {status: CRITICAL, kind: temp_failure, phase: banner}
    within: [2s, 12s]
    resolves_within: [0s, 5s]
    notifiers: [hook, mail]
  - {step: 2-banner-missing, quiet: true, quiet_after: 4s}
  - {step: outage, flapping: true, within: [0s, 20s]}
)",
                                "e.yaml", tl);
    ASSERT_EQ(ex.items.size(), 3u);
    EXPECT_EQ(ex.items[0].kind, expectation_kind::fires);
    EXPECT_EQ(ex.items[0].within.to, 12s);
    ASSERT_TRUE(ex.items[0].resolves_within);
    EXPECT_EQ(ex.items[0].notifiers.size(), 2u);
    EXPECT_EQ(ex.items[1].kind, expectation_kind::quiet);
    EXPECT_EQ(ex.items[1].name, "2-banner-missing stays quiet");
    EXPECT_EQ(ex.items[1].quiet_after, 4s);
    EXPECT_EQ(ex.items[2].kind, expectation_kind::flapping);
}

TEST(AlertsExpectations, Mistakes)
{
    auto tl = sample();
    auto bad = [&](const char* text, const char* fragment) {
        try {
            load_expectations(text, "e.yaml", tl);
            ADD_FAILURE() << text;
        } catch (const alerts_file_error& e) {
            EXPECT_THAT(e.what(), HasSubstr(fragment)) << text;
        }
    };
    bad("expectations: [{step: nope, quiet: true}]\n", "no step \"nope\"");
    bad("expectations: [{step: outage}]\n", "exactly one of fires, quiet or flapping");
    bad("expectations: [{step: outage, quiet: true, flapping: true}]\n", "exactly one");
    bad("expectations: [{step: outage, fires: {kind: tmeout}}]\n", "unknown failure kind");
    bad("expectations: [{step: outage, fires: {}, within: [5s, 1s]}]\n", "must not exceed");
}

} // namespace
