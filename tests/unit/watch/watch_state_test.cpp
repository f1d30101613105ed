#include "watch/watch_state.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

using namespace watch;
using prober::probe_status;

TEST(WatchState, RoundTripsMonitorsAndOutbox)
{
    check_settings s;
    s.max_check_attempts = 1;
    target_monitor m("mx1", s);
    check_outcome bad;
    bad.status = prober::probe_status::critical;
    bad.kind = smtp::failure_kind::refused;
    bad.phase = smtp::phase::connect;
    bad.message = "connection refused";
    auto t = wall_clock::time_point(std::chrono::milliseconds(1'790'000'000'123));
    auto events = m.on_check(bad, t);
    ASSERT_EQ(events.size(), 1u);

    watch_snapshot snap;
    snap.monitors["mx1"] = m.state();
    snap.monitors["mx2"].flapping_since = t;
    snap.monitors["mx2"].flap_status = prober::probe_status::warning;
    snap.outbox.push_back(pending_delivery{7, "hook", events[0], 2});
    snap.next_seq = 8;

    auto back = state_from_json(state_to_json(snap));
    ASSERT_TRUE(back);
    const auto& ms = back->monitors.at("mx1");
    EXPECT_EQ(ms.status, prober::probe_status::critical);
    EXPECT_EQ(ms.type, state_type::hard);
    EXPECT_TRUE(ms.problem_open);
    EXPECT_EQ(ms.problem_since, t);
    EXPECT_EQ(ms.last_problem.kind, smtp::failure_kind::refused);
    EXPECT_EQ(ms.last_problem.message, "connection refused");
    EXPECT_EQ(ms.notified_problem.kind, smtp::failure_kind::refused);
    EXPECT_EQ(ms.history.size(), 1u);
    ASSERT_EQ(back->outbox.size(), 1u);
    EXPECT_EQ(back->outbox[0].seq, 7u);
    EXPECT_EQ(back->outbox[0].attempts, 2);
    EXPECT_EQ(back->outbox[0].event.id, events[0].id);
    EXPECT_EQ(back->outbox[0].event.phase, smtp::phase::connect);
    EXPECT_EQ(back->outbox[0].event.at, t);
    EXPECT_EQ(back->next_seq, 8u);
    EXPECT_EQ(back->monitors.at("mx2").flapping_since, t);
    EXPECT_EQ(back->monitors.at("mx2").flap_status, prober::probe_status::warning);
}

TEST(WatchState, RejectsForeignDocuments)
{
    EXPECT_FALSE(state_from_json("not json"));
    EXPECT_FALSE(state_from_json(R"({"schema":"other"})"));
    EXPECT_FALSE(state_from_json(R"({"schema":"smtp-harness/watch-state/v1"})"));
}

TEST(WatchState, AtomicWriteReplacesTheFile)
{
    auto dir =
        std::filesystem::temp_directory_path() / ("watch-state-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / "state.json";
    ASSERT_FALSE(write_file_atomically(file, "one"));
    ASSERT_FALSE(write_file_atomically(file, "two"));
    EXPECT_EQ(read_whole_file(file), "two");
    EXPECT_FALSE(std::filesystem::exists(dir / "state.json.tmp"));
    EXPECT_TRUE(write_file_atomically(dir / "missing" / "state.json", "x"));
    std::filesystem::remove_all(dir);
}

} // namespace
