// io::daemon with real programs: ready once its condition holds, an exit at start or a missed
// readiness deadline reported with the program's name, stopped with SIGTERM (SIGKILL after the
// grace for a program that ignores it), and nothing of its process group left running.

#include "io/daemon.hpp"

#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

io::process_options sh(const std::string& script)
{
    io::process_options o;
    o.argv = {"/bin/sh", "-c", script};
    o.stdout_mode = io::output_mode::discard;
    o.stderr_mode = io::output_mode::discard;
    return o;
}

// A fresh directory for one test's files.
fs::path temp_dir(const std::string& name)
{
    auto dir =
        fs::temp_directory_path() / ("smtph-daemon-" + name + '-' + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string message_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(daemon, is_ready_when_its_condition_holds_and_stops_with_sigterm)
{
    const auto dir = temp_dir("ready");
    io::daemon d(sh("sleep 0.2; touch " + (dir / "up").string() + "; exec sleep 60"), "sleeper");
    ASSERT_GT(d.pid(), 0);
    EXPECT_FALSE(fs::exists(dir / "up"));
    d.wait_until_ready([&] { return fs::exists(dir / "up"); }, 10s);
    EXPECT_FALSE(d.exited());
    const auto t0 = std::chrono::steady_clock::now();
    auto ended = d.stop(5s);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    EXPECT_EQ(ended.signal, SIGTERM);
    EXPECT_FALSE(d.exited()) << "stopped, not exited by itself";
    EXPECT_FALSE(d.left_running());
    EXPECT_EQ(d.stop().signal, SIGTERM) << "a second stop reports the same end";
    fs::remove_all(dir);
}

TEST(daemon, an_exit_at_start_is_reported_with_what_the_caller_adds)
{
    io::daemon d(sh("exit 3"), "quitter");
    auto message = message_of([&] {
        d.wait_until_ready([] { return false; }, 10s, [] { return "its log: bad config"; });
    });
    EXPECT_EQ(message, "quitter exited at start; its log: bad config");
    EXPECT_TRUE(d.exited());
    EXPECT_EQ(d.stop().code, 3);
}

TEST(daemon, a_missed_readiness_deadline_names_the_program)
{
    io::daemon d(sh("exec sleep 60"), "slowpoke");
    const auto t0 = std::chrono::steady_clock::now();
    auto message = message_of([&] { d.wait_until_ready([] { return false; }, 300ms); });
    EXPECT_EQ(message, "slowpoke was not ready within 300ms");
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
    EXPECT_EQ(d.stop(5s).signal, SIGTERM);
}

TEST(daemon, what_ignores_sigterm_is_killed_after_the_grace_and_nothing_is_left)
{
    const auto dir = temp_dir("stubborn");
    // The program and a child of its group both ignore SIGTERM.
    io::daemon d(sh("trap '' TERM; (trap '' TERM; sleep 60) & echo $! > " +
                    (dir / "child").string() + "; touch " + (dir / "up").string() +
                    "; while :; do sleep 0.05; done"),
                 "stubborn");
    d.wait_until_ready([&] { return fs::exists(dir / "up"); }, 10s);
    const auto t0 = std::chrono::steady_clock::now();
    auto ended = d.stop(300ms);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
    EXPECT_EQ(ended.signal, SIGKILL);
    EXPECT_FALSE(d.left_running());
    fs::remove_all(dir);
}

TEST(daemon, a_program_that_cannot_start_is_an_error_naming_it)
{
    io::process_options o;
    o.argv = {"/nonexistent/prog"};
    EXPECT_NE(message_of([&] { io::daemon d(o, "prog"); }).find("cannot run /nonexistent/prog"),
              std::string::npos);
}

} // namespace
