// The runner over real embedded mocks with scripted monitors: ordering, progress, parallel
// jobs, and the contact check from the mock's session record.
#include "harness/runner.hpp"
#include "tests/support/wait_for.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace harness {
namespace {

// Connects (or not) and reports a fixed status. With `overlap` > 1, the first runs wait (with a
// deadline) until that many run at once, so parallel jobs show without relying on timing.
class scripted_monitor final : public monitor {
public:
    scripted_monitor(bool connect, monitor_status status, int overlap = 1)
        : connect_(connect)
        , status_(status)
        , overlap_(overlap)
    {
    }

    observation observe(const monitor_target& target) const override
    {
        const int now = ++running_;
        int seen = max_running_.load();
        while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
        }
        if (now < overlap_ && !overlapped_) {
            overlapped_ = support::wait_for([&] { return max_running_.load() >= overlap_; },
                                            std::chrono::seconds(20));
        }
        overlapped_ = true; // later runs need not wait: the overlap was seen (or never comes)
        if (connect_) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(target.port);
            ::inet_pton(AF_INET, target.host.c_str(), &addr.sin_addr);
            if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
                char buf[256];
                (void)::recv(fd, buf, sizeof buf, 0); // the banner, so the session is recorded
            }
            ::close(fd);
        }
        --running_;
        observation o;
        o.status = status_;
        o.duration = std::chrono::milliseconds(50);
        return o;
    }

    int max_running() const { return max_running_.load(); }

private:
    bool connect_;
    monitor_status status_;
    int overlap_;
    mutable std::atomic<int> running_{0};
    mutable std::atomic<int> max_running_{0};
    mutable std::atomic<bool> overlapped_{false};
};

faults::scenario named(std::string name,
                       faults::listener_state listener = faults::listener_state::open)
{
    faults::scenario s;
    s.name = std::move(name);
    s.listener = listener;
    return s;
}

std::vector<faults::scenario> six()
{
    return {named("healthy"),
            named("a"),
            named("b"),
            named("c"),
            named("refused", faults::listener_state::closed),
            named("healthy-2")};
}

run_settings settings_for(const monitor& m, unsigned jobs)
{
    run_settings s;
    s.monitor = &m;
    s.jobs = jobs;
    s.mock.work_dir = ::testing::TempDir();
    return s;
}

TEST(runner, results_keep_the_scenario_order_and_progress_counts_up)
{
    scripted_monitor m(true, monitor_status::critical, 2);
    std::vector<std::size_t> progress;
    std::set<std::string> reported;
    const auto results =
        run_all(six(), settings_for(m, 3), [&](std::size_t done, const scenario_result& r) {
            progress.push_back(done);
            reported.insert(r.scenario);
        });
    ASSERT_EQ(results.size(), 6u);
    const auto expected = six();
    for (std::size_t i = 0; i < results.size(); ++i) {
        EXPECT_EQ(results[i].scenario, expected[i].name);
    }
    EXPECT_EQ(progress, (std::vector<std::size_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(reported.size(), 6u);
    EXPECT_GE(m.max_running(), 2) << "--jobs 3 should run scenarios at once";
    EXPECT_LE(m.max_running(), 3);
    // A monitor that always alerts: faults caught, healthy ones false alarms, and so every
    // catch unproven (and unexpected: the false alarm on the control is not expected).
    EXPECT_EQ(results[0].outcome, verdict::false_alarm);
    EXPECT_EQ(results[1].outcome, verdict::caught);
    EXPECT_EQ(results[1].sessions, 1u);
    EXPECT_TRUE(results[1].contact_checked);
    EXPECT_FALSE(results[0].as_expected);
    EXPECT_TRUE(results[1].unproven);
    EXPECT_FALSE(results[1].as_expected);
    // A closed listener refuses the connection: no session, and contact is not required.
    EXPECT_FALSE(results[4].contact_checked);
    EXPECT_EQ(results[4].sessions, 0u);
    EXPECT_EQ(results[4].outcome, verdict::caught);
}

TEST(runner, a_monitor_that_never_connects_gets_no_contact)
{
    scripted_monitor m(false, monitor_status::ok);
    const auto results = run_all(six(), settings_for(m, 1), nullptr);
    EXPECT_EQ(results[0].outcome, verdict::no_contact);
    EXPECT_EQ(results[1].outcome, verdict::no_contact);
    EXPECT_EQ(results[4].outcome, verdict::missed);
    EXPECT_EQ(m.max_running(), 1);
    EXPECT_FALSE(all_as_expected(results));
}

TEST(runner, an_ok_monitor_that_connects_passes_healthy_and_misses_faults)
{
    scripted_monitor m(true, monitor_status::ok);
    const auto results = run_all(six(), settings_for(m, 6), nullptr);
    EXPECT_EQ(results[0].outcome, verdict::passed);
    EXPECT_EQ(results[5].outcome, verdict::passed);
    EXPECT_EQ(results[2].outcome, verdict::missed);
    EXPECT_FALSE(results[2].time_to_detect);
}

} // namespace
} // namespace harness
