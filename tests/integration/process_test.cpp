// io's process runner with real programs: exit codes and signals, output capture (bounded,
// merged or apart), stdin, environment and working directory, the time limit reaching the whole
// process group, a program judged by its own exit even when a descendant outside its group
// keeps its stdout open, long-running children read while they run and stopped by the caller,
// cancellation, and many children on many threads at once.

#include "io/process.hpp"
#include "io/task_group.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

io::run_result sh(const std::string& script, std::chrono::milliseconds limit = 10s)
{
    io::run_options o;
    o.process.argv = {"/bin/sh", "-c", script};
    o.time_limit = limit;
    return io::run_process(std::move(o));
}

// Waits for `condition` with a deadline; true when it held in time.
template <typename Condition> bool wait_for(Condition condition, std::chrono::milliseconds timeout)
{
    const auto deadline = clock_type::now() + timeout;
    while (!condition()) {
        if (clock_type::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

bool process_exists(pid_t pid)
{
    return ::kill(pid, 0) == 0 || errno != ESRCH;
}

pid_t read_pid(const std::filesystem::path& file)
{
    pid_t pid = 0;
    std::ifstream(file) >> pid;
    return pid;
}

TEST(process_runner, captures_both_streams_and_the_exit_code)
{
    auto r = sh("echo to-out; echo to-err >&2; exit 2");
    EXPECT_TRUE(r.spawn_error.empty()) << r.spawn_error;
    EXPECT_EQ(r.status.code, 2);
    EXPECT_FALSE(r.status.signal);
    EXPECT_EQ(r.out.head, "to-out\n");
    EXPECT_EQ(r.err.head, "to-err\n");
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.status.describe(), "exited with status 2");
}

TEST(process_runner, stderr_can_be_merged_or_discarded)
{
    io::run_options o;
    o.process.argv = {"/bin/sh", "-c", "echo one; echo two >&2; echo three"};
    o.process.stderr_mode = io::output_mode::merge;
    auto merged = io::run_process(o);
    EXPECT_EQ(merged.out.head, "one\ntwo\nthree\n");
    EXPECT_EQ(merged.err.head, "");
    o.process.stderr_mode = io::output_mode::discard;
    o.process.stdout_mode = io::output_mode::discard;
    auto quiet = io::run_process(o);
    EXPECT_EQ(quiet.status.code, 0);
    EXPECT_EQ(quiet.out.head, "");
}

TEST(process_runner, output_can_go_to_a_file_as_a_daemons_log)
{
    const auto log = std::filesystem::temp_directory_path() /
                     ("smtph-process-log-" + std::to_string(::getpid()) + ".txt");
    std::filesystem::remove(log);
    io::run_options o;
    o.process.argv = {"/bin/sh", "-c", "echo one; echo two >&2; echo three"};
    o.process.stdout_mode = io::output_mode::file;
    o.process.stderr_mode = io::output_mode::file;
    o.process.output_file = log.string();
    auto r = io::run_process(o);
    EXPECT_EQ(r.status.code, 0);
    EXPECT_EQ(r.out.head, "");
    o.process.stderr_mode = io::output_mode::merge;
    o.process.argv = {"/bin/sh", "-c", "echo four >&2"};
    EXPECT_EQ(io::run_process(o).status.code, 0);
    std::ifstream in(log);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "one\ntwo\nthree\nfour\n") << "both streams, appended";
    EXPECT_EQ(std::filesystem::status(log).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::filesystem::remove(log);
}

TEST(process_runner, keeps_the_head_of_the_output_and_counts_the_rest)
{
    io::run_options o;
    o.process.argv = {"/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x"};
    o.output_limit = 1000;
    auto r = io::run_process(std::move(o));
    EXPECT_EQ(r.status.code, 0);
    EXPECT_EQ(r.out.head, std::string(1000, 'x'));
    EXPECT_EQ(r.out.dropped, 299000u);
}

TEST(process_runner, stdin_environment_and_working_directory)
{
    io::run_options o;
    o.process.argv = {"/bin/sh", "-c", "cat; echo \"[$GREETING]\"; pwd"};
    o.process.stdin_data = std::string(200000, 'i') + "\n";
    o.process.environment = {{"GREETING", "hello there"}};
    o.process.working_directory = "/tmp";
    auto r = io::run_process(o);
    EXPECT_EQ(r.status.code, 0);
    EXPECT_EQ(r.out.head.size(), 64u * 1024) << "more stdin than a pipe holds, read in full";

    o.process.argv = {"/bin/sh", "-c", "read line; echo \"${#line} [$GREETING]\"; pwd"};
    o.output_limit = 64 * 1024;
    auto small = io::run_process(o);
    EXPECT_EQ(small.out.head, "200000 [hello there]\n/tmp\n");

    io::run_options bare;
    bare.process.argv = {"/usr/bin/env"};
    bare.process.inherit_environment = false;
    bare.process.environment = {{"ONLY", "this"}};
    EXPECT_EQ(io::run_process(bare).out.head, "ONLY=this\n");
}

TEST(process_runner, the_child_starts_with_default_signals_and_none_of_our_descriptors)
{
    // Ours ignores SIGPIPE, as smtp-mock does; the child must not inherit that.
    auto previous = std::signal(SIGPIPE, SIG_IGN);
    auto r = sh("grep -E '^Sig(Ign|Blk)' /proc/self/status; ls /proc/self/fd | wc -l");
    std::signal(SIGPIPE, previous);
    EXPECT_NE(r.out.head.find("SigBlk:\t0000000000000000"), std::string::npos) << r.out.head;
    auto at = r.out.head.find("SigIgn:\t");
    ASSERT_NE(at, std::string::npos);
    const auto ignored = std::stoull(r.out.head.substr(at + 8, 16), nullptr, 16);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
        EXPECT_EQ(ignored & (1ull << (sig - 1)), 0u) << "signal " << sig << " is ignored";
    }
    // 0, 1, 2, and the one ls opens to list the directory.
    EXPECT_NE(r.out.head.find("\n4\n"), std::string::npos) << r.out.head;
}

TEST(process_runner, the_time_limit_stops_the_whole_group)
{
    auto dir =
        std::filesystem::temp_directory_path() / ("smtph-proc-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto pidfile = dir / "child.pid";
    const auto start = clock_type::now();
    // The child holds the pipe too: stopping only the shell would leave the read waiting.
    auto r = sh("sleep 30 & echo $! > " + pidfile.string() + "; sleep 30", 300ms);
    EXPECT_LT(clock_type::now() - start, 5s);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.status.signal, SIGTERM);
    const pid_t child = read_pid(pidfile);
    ASSERT_GT(child, 0);
    EXPECT_TRUE(wait_for([&] { return !process_exists(child); }, 5s)) << "the group's other member";
    std::filesystem::remove_all(dir);
}

TEST(process_runner, a_program_that_ignores_sigterm_gets_sigkill_after_the_grace)
{
    io::run_options o;
    o.process.argv = {"/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"};
    o.time_limit = 200ms;
    o.kill_grace = 300ms;
    const auto start = clock_type::now();
    auto r = io::run_process(std::move(o));
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.status.signal, SIGKILL);
    EXPECT_LT(clock_type::now() - start, 5s);
}

// Issue: a `cmd:` monitor that exits 0 at once but leaves a setsid grandchild holding its
// stdout was scored "killed after the time limit". Its own exit is what counts.
TEST(process_runner, a_descendant_outside_the_group_holding_stdout_does_not_hold_the_run)
{
    auto dir = std::filesystem::temp_directory_path() / ("smtph-sid-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto pidfile = dir / "grandchild.pid";
    const auto start = clock_type::now();
    auto r = sh("setsid sleep 20 & echo $! > " + pidfile.string() +
                    "; echo 'SMTP OK - 0.001 sec'; exit 0",
                6s);
    const auto took = clock_type::now() - start;
    const pid_t grandchild = read_pid(pidfile);
    ASSERT_GT(grandchild, 0);
    EXPECT_TRUE(process_exists(grandchild)) << "it outlived the run, holding the pipe";
    ::kill(grandchild, SIGKILL);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.status.code, 0);
    EXPECT_EQ(r.out.head, "SMTP OK - 0.001 sec\n");
    EXPECT_LT(took, 4s) << "judged at its exit, not at the grandchild's";
    std::filesystem::remove_all(dir);
}

TEST(process_runner, what_the_program_left_in_its_group_is_ended_with_it)
{
    auto dir =
        std::filesystem::temp_directory_path() / ("smtph-left-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto pidfile = dir / "left.pid";
    auto r = sh("sleep 30 > /dev/null 2>&1 & echo $! > " + pidfile.string() + "; exit 0");
    EXPECT_EQ(r.status.code, 0);
    const pid_t left = read_pid(pidfile);
    ASSERT_GT(left, 0);
    EXPECT_TRUE(wait_for([&] { return !process_exists(left); }, 5s));
    std::filesystem::remove_all(dir);
}

TEST(process_runner, a_missing_program_is_a_spawn_error)
{
    io::run_options o;
    o.process.argv = {"/nonexistent/monitor"};
    auto r = io::run_process(o);
    EXPECT_NE(r.spawn_error.find("cannot run /nonexistent/monitor"), std::string::npos)
        << r.spawn_error;
    o.process.argv = {"no-such-program-in-path-at-all"};
    EXPECT_FALSE(io::run_process(o).spawn_error.empty());
    o.process.argv = {};
    EXPECT_EQ(io::run_process(o).spawn_error, "no program given");
    o.process.argv = {"/bin/true"};
    o.process.working_directory = "/nonexistent/dir";
    EXPECT_NE(io::run_process(o).spawn_error.find("cannot run /bin/true in /nonexistent/dir"),
              std::string::npos);
}

// Daemons (Prometheus, Alertmanager): started, read while they run, stopped by the caller.
TEST(child_process, a_long_running_child_is_read_while_it_runs_and_stopped)
{
    net::io_context ioc;
    io::child_process child(ioc.get_executor());
    io::process_options o;
    o.argv = {"/bin/sh", "-c", "echo ready; exec sleep 60"};
    ASSERT_EQ(child.spawn(o), "");
    ASSERT_GT(child.pid(), 0);
    std::string line;
    io::exit_status status;
    bool stopped = false;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            net::streambuf buffer;
            auto [ec, n] = co_await net::async_read_until(*child.stdout_pipe(), buffer, '\n');
            line = std::string(net::buffers_begin(buffer.data()),
                               net::buffers_begin(buffer.data()) + static_cast<long>(n));
            status = co_await child.stop(2s);
            stopped = true;
        },
        [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
    ioc.run_for(20s);
    EXPECT_EQ(line, "ready\n");
    EXPECT_TRUE(stopped);
    EXPECT_EQ(status.signal, SIGTERM);
}

TEST(process_runner, cancellation_kills_the_program_at_once)
{
    net::io_context ioc;
    io::task_group group(ioc.get_executor());
    io::run_result result;
    bool done = false;
    // The coroutine's lambda outlives it (its captures are read after the first suspension).
    auto run = [&]() -> net::awaitable<void> {
        io::run_options o;
        o.process.argv = {"/bin/sh", "-c", "sleep 60"};
        result = co_await io::async_run_process(std::move(o));
        done = true;
    };
    group.spawn(run());
    io::steady_timer later(ioc);
    later.expires_after(200ms);
    later.async_wait([&](auto) { group.stop(net::cancellation_type::terminal); });
    const auto start = clock_type::now();
    ioc.run_for(20s);
    EXPECT_TRUE(done);
    EXPECT_TRUE(result.cancelled);
    EXPECT_TRUE(result.status.signal);
    EXPECT_LT(clock_type::now() - start, 5s);
}

// One pidfd per child: runs on many threads at once never see each other's exits.
TEST(process_runner, many_children_on_many_threads)
{
    std::vector<std::thread> threads;
    std::atomic<int> right{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &right] {
            for (int i = 0; i < 5; ++i) {
                const int code = (t * 5 + i) % 7;
                auto r = sh("echo " + std::to_string(code) + "; exit " + std::to_string(code));
                if (r.status.code == code && r.out.head == std::to_string(code) + "\n") {
                    ++right;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(right.load(), 20);
}

} // namespace
