#pragma once

// I/O file: the one way the project runs other programs: `cmd:` monitors, watch's exec
// notifiers, and daemons such as Prometheus, Alertmanager and Nagios that a test or the harness
// starts and stops. On Asio, without polling:
// - posix_spawn starts the program in a process group of its own (so that a deadline or a stop
//   reaches everything it started), with its signals reset to their defaults and no descriptor
//   of ours but its three standard ones;
// - its exit is seen through a pidfd (pidfd_open, Linux 5.3 or later) read as an Asio
//   descriptor: one per child, so any number of io_contexts and threads can run children at
//   once without a process-wide SIGCHLD handler that would reap (or miss) the others' children;
// - its output is read through pipes as Asio descriptors, while it runs;
// - stdin data is handed over in a memory file, so a program that never reads it cannot block
//   anything.
//
// run_process() judges a program by its own exit: when it has exited, the rest of its process
// group is killed, and what is still buffered in the pipes is read for a short while; a
// descendant that left the group (setsid) and holds the pipe open cannot make a finished run look
// like one that overran its time limit.

#include "io/awaitable.hpp"
#include "io/process_result.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace io {

/// A pipe end whose operations default to the error-code-returning token.
using pipe_stream = tuple_awaitable_t::as_default_on_t<boost::asio::posix::stream_descriptor>;

/// Where one of the child's output streams goes.
enum class output_mode {
    capture, ///< a pipe the parent reads (run_process keeps its head)
    merge,   ///< stderr only: the same pipe (or destination) as stdout
    discard, ///< /dev/null
    inherit, ///< the parent's own stream
    file,    ///< appended to process_options::output_file, created if needed (a daemon's log)
};

/// How to start a program.
struct process_options {
    /// The program and its arguments; argv[0] is looked up in PATH unless it contains a '/'.
    std::vector<std::string> argv;
    /// Variables set in the child's environment, replacing any of the same name.
    std::vector<std::pair<std::string, std::string>> environment;
    /// Whether the child starts from the caller's environment (else only `environment`).
    bool inherit_environment = true;
    /// The child's working directory; empty: the caller's.
    std::string working_directory;
    /// What the child reads on stdin; nothing: /dev/null.
    std::optional<std::string> stdin_data;
    /// Where stdout goes.
    output_mode stdout_mode = output_mode::capture;
    /// Where stderr goes.
    output_mode stderr_mode = output_mode::capture;
    /// With output_mode::file: the file (stdout and stderr in file mode share it; stderr in merge
    /// mode follows stdout into it).
    std::string output_file;
};

/// A started program, in a process group of its own. Destroying it while the program runs
/// kills the whole group (SIGKILL) and reaps it. Use on one executor's thread.
class child_process {
public:
    /// A child whose waits and pipes run on `executor`; nothing is started yet.
    explicit child_process(boost::asio::any_io_executor executor);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// Starts the program. Returns why it could not be started (e.g. "cannot run nope: No such
    /// file or directory"), or an empty string.
    std::string spawn(const process_options& options);

    /// The process id (and process group id); 0 before spawn().
    pid_t pid() const noexcept { return pid_; }

    /// The read end of stdout (or of stdout and stderr merged), when captured; else null.
    pipe_stream* stdout_pipe() noexcept { return out_ ? &*out_ : nullptr; }
    /// The read end of stderr, when captured on its own; else null.
    pipe_stream* stderr_pipe() noexcept { return err_ ? &*err_ : nullptr; }

    /// Completes when the program itself exits (not its descendants), with how it ended; nothing
    /// when the wait was cancelled. Until reaped (stop() or destruction) the exited program
    /// keeps its process group id, so its group can still be signalled.
    boost::asio::awaitable<std::optional<exit_status>> wait();

    /// Sends `sig` to every process of the program's group; nothing once it is reaped.
    void signal_group(int sig) noexcept;

    /// Stops the program: SIGTERM to its group; SIGKILL to the group after `grace` if the
    /// program has not exited; then reaps it. Completes with how it ended.
    boost::asio::awaitable<exit_status> stop(std::chrono::steady_clock::duration grace);

private:
    exit_status reap() noexcept;

    boost::asio::any_io_executor executor_;
    pid_t pid_ = 0;
    bool reaped_ = false;
    std::optional<exit_status> exited_;
    std::optional<boost::asio::posix::stream_descriptor> pidfd_;
    std::optional<pipe_stream> out_;
    std::optional<pipe_stream> err_;
};

/// How to run a program to completion.
struct run_options {
    /// The program, its environment and streams.
    process_options process;
    /// After this long the whole group gets SIGTERM, then SIGKILL after `kill_grace`; zero means
    /// no limit.
    std::chrono::milliseconds time_limit{0};
    /// Time between SIGTERM and SIGKILL.
    std::chrono::milliseconds kill_grace{1000};
    /// Bytes kept of each captured stream.
    std::size_t output_limit = 64 * 1024;
    /// After the program exits, how long output still buffered (or held open by a descendant
    /// outside its group) is read before reading stops.
    std::chrono::milliseconds drain_after_exit{200};
};

/// Runs a program to its exit (or its time limit) on the current executor, reading its output
/// as it comes. A terminal cancellation kills its group at once.
boost::asio::awaitable<run_result> async_run_process(run_options options);

/// The same on a private io_context, blocking the calling thread (for callers without an
/// event loop, e.g. the harness's worker threads). Safe to call from several threads at once.
run_result run_process(run_options options);

} // namespace io
