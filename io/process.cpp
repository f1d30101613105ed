#include "io/process.hpp"

#include "io/awaitable.hpp"
#include "io/task_group.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace io {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

// A file descriptor closed on scope exit unless released.
class fd_guard {
public:
    explicit fd_guard(int fd = -1) noexcept
        : fd_(fd)
    {
    }
    ~fd_guard() { reset(); }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_;
};

std::string errno_text(const char* what, int err)
{
    return std::string(what) + ": " + std::strerror(err);
}

// Both ends of a pipe, closed on exec.
bool open_pipe(fd_guard& read_end, fd_guard& write_end)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return false;
    }
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    return true;
}

// The stdin data in a memory file, positioned at its start.
int stdin_file(const std::string& data)
{
    fd_guard fd(::memfd_create("stdin", MFD_CLOEXEC));
    if (fd.get() < 0) {
        return -1;
    }
    std::size_t done = 0;
    while (done < data.size()) {
        auto n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::lseek(fd.get(), 0, SEEK_SET) != 0) {
        return -1;
    }
    return fd.release();
}

// The child's environment: ours (unless told otherwise) with the given variables replacing any
// of the same name.
std::vector<std::string> environment_of(const process_options& o)
{
    std::vector<std::string> vars;
    if (o.inherit_environment) {
        for (char** e = environ; *e != nullptr; ++e) {
            std::string_view kv(*e);
            auto name = kv.substr(0, kv.find('='));
            bool replaced = false;
            for (const auto& [k, v] : o.environment) {
                replaced = replaced || k == name;
            }
            if (!replaced) {
                vars.emplace_back(kv);
            }
        }
    }
    for (const auto& [k, v] : o.environment) {
        vars.push_back(k + '=' + v);
    }
    return vars;
}

// Where each standard stream goes, as file actions.
struct stream_plan {
    fd_guard stdin_fd;
    fd_guard out_read, out_write, err_read, err_write;
};

std::string plan_streams(const process_options& o, stream_plan& p, posix_spawn_file_actions_t& fa)
{
    if (o.stdin_data) {
        p.stdin_fd.reset(stdin_file(*o.stdin_data));
        if (p.stdin_fd.get() < 0) {
            return errno_text("cannot hold the stdin data", errno);
        }
        posix_spawn_file_actions_adddup2(&fa, p.stdin_fd.get(), STDIN_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    }
    if (o.stdout_mode == output_mode::capture || o.stdout_mode == output_mode::merge) {
        if (!open_pipe(p.out_read, p.out_write)) {
            return errno_text("pipe", errno);
        }
        posix_spawn_file_actions_adddup2(&fa, p.out_write.get(), STDOUT_FILENO);
    } else if (o.stdout_mode == output_mode::discard) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    } else if (o.stdout_mode == output_mode::file) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, o.output_file.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0600);
    }
    if (o.stderr_mode == output_mode::capture) {
        if (!open_pipe(p.err_read, p.err_write)) {
            return errno_text("pipe", errno);
        }
        posix_spawn_file_actions_adddup2(&fa, p.err_write.get(), STDERR_FILENO);
    } else if (o.stderr_mode == output_mode::merge) {
        posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    } else if (o.stderr_mode == output_mode::discard) {
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    } else if (o.stderr_mode == output_mode::file) {
        if (o.stdout_mode == output_mode::file) {
            posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
        } else {
            posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, o.output_file.c_str(),
                                             O_WRONLY | O_CREAT | O_APPEND, 0600);
        }
    }
    // Nothing of ours leaks into the child: listening sockets, other children's pipes.
    posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    if (!o.working_directory.empty()) {
        posix_spawn_file_actions_addchdir_np(&fa, o.working_directory.c_str());
    }
    return {};
}

// A process group of its own, no blocked signals, every signal at its default (ours may
// ignore SIGPIPE, which a child must not inherit).
void plan_attributes(posix_spawnattr_t& attr)
{
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigdefault(&attr, &all);
}

exit_status status_of(const siginfo_t& info)
{
    exit_status s;
    if (info.si_code == CLD_EXITED) {
        s.code = info.si_status;
    } else {
        s.signal = info.si_status;
    }
    return s;
}

net::awaitable<void> collect(pipe_stream& pipe, captured_output& out, std::size_t limit)
{
    std::array<char, 16 * 1024> buffer;
    for (;;) {
        auto [ec, n] = co_await pipe.async_read_some(net::buffer(buffer));
        if (ec) {
            co_return;
        }
        const auto room = limit > out.head.size() ? limit - out.head.size() : 0;
        const auto keep = std::min(room, n);
        out.head.append(buffer.data(), keep);
        out.dropped += n - keep;
    }
}

} // namespace

child_process::child_process(net::any_io_executor executor)
    : executor_(std::move(executor))
{
}

child_process::~child_process()
{
    if (pid_ > 0 && !reaped_) {
        signal_group(SIGKILL);
        reap();
    }
}

std::string child_process::spawn(const process_options& options)
{
    if (options.argv.empty()) {
        return "no program given";
    }
    if (pid_ > 0) {
        return "a program was started already";
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    stream_plan streams;
    auto failed = plan_streams(options, streams, fa);
    if (!failed.empty()) {
        posix_spawn_file_actions_destroy(&fa);
        return failed;
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    plan_attributes(attr);
    auto vars = environment_of(options);
    std::vector<char*> envp;
    for (auto& v : vars) {
        envp.push_back(v.data());
    }
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (const auto& a : options.argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        std::string where;
        if (!options.working_directory.empty() &&
            ::access(options.working_directory.c_str(), X_OK) != 0) {
            where = " in " + options.working_directory;
        }
        return "cannot run " + options.argv[0] + where + ": " + std::strerror(rc);
    }
    pid_ = pid;
    // Until it is reaped the child stays a zombie, so the pidfd cannot miss its exit.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        auto why = errno_text("cannot watch the program (pidfd_open needs Linux 5.3)", errno);
        signal_group(SIGKILL);
        reap();
        return why;
    }
    pidfd_.emplace(executor_, pidfd);
    if (streams.out_read.get() >= 0) {
        out_.emplace(executor_, streams.out_read.release());
    }
    if (streams.err_read.get() >= 0) {
        err_.emplace(executor_, streams.err_read.release());
    }
    return {};
}

net::awaitable<std::optional<exit_status>> child_process::wait()
{
    while (!exited_ && pidfd_) {
        auto [ec] = co_await pidfd_->async_wait(net::posix::descriptor_base::wait_read, use_tuple);
        if (ec) {
            co_return std::nullopt;
        }
        // WNOWAIT: look without reaping, so the process group id stays ours.
        siginfo_t info{};
        int rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
        if (rc == 0 && info.si_pid == pid_) {
            exited_ = status_of(info);
        } else if (rc < 0 && errno != EINTR) {
            // Reaped by someone else: how it ended is unknown, and its id (and group id) may
            // be another process's by now, so it is never signalled again.
            exited_ = exit_status{};
            reaped_ = true;
        }
    }
    co_return exited_;
}

void child_process::signal_group(int sig) noexcept
{
    if (pid_ > 0 && !reaped_) {
        ::kill(-pid_, sig);
    }
}

net::awaitable<exit_status> child_process::stop(clock_type::duration grace)
{
    if (pid_ <= 0) {
        co_return exit_status{};
    }
    if (!exited_ && !reaped_) {
        signal_group(SIGTERM);
        auto in_time = co_await with_deadline(wait(), clock_type::now() + grace);
        if (!in_time || !*in_time) {
            signal_group(SIGKILL);
        }
    }
    // What the program left running in its group goes with it.
    signal_group(SIGKILL);
    co_return reap();
}

exit_status child_process::reap() noexcept
{
    if (!reaped_ && pid_ > 0) {
        int status = 0;
        pid_t r = 0;
        do {
            r = ::waitpid(pid_, &status, 0);
        } while (r < 0 && errno == EINTR);
        reaped_ = true;
        if (!exited_) {
            exit_status s;
            if (r == pid_ && WIFEXITED(status)) {
                s.code = WEXITSTATUS(status);
            } else if (r == pid_ && WIFSIGNALED(status)) {
                s.signal = WTERMSIG(status);
            }
            exited_ = s;
        }
    }
    return exited_.value_or(exit_status{});
}

namespace {

// The run, as an awaitable thread of its own (see async_run_process).
net::awaitable<run_result> run_to_exit(run_options options)
{
    // Cancellation is handled here, by killing the program: never as an exception.
    co_await net::this_coro::throw_if_cancelled(false);
    auto ex = co_await net::this_coro::executor;
    const auto start = clock_type::now();
    run_result result;
    child_process child(ex);
    result.spawn_error = child.spawn(options.process);
    if (!result.spawn_error.empty()) {
        co_return result;
    }
    task_group readers(ex);
    if (auto* p = child.stdout_pipe()) {
        readers.spawn(collect(*p, result.out, options.output_limit));
    }
    if (auto* p = child.stderr_pipe()) {
        readers.spawn(collect(*p, result.err, options.output_limit));
    }
    const auto deadline =
        options.time_limit.count() > 0 ? start + options.time_limit : clock_type::time_point::max();
    auto waited = co_await with_deadline(child.wait(), deadline);
    auto stop = (co_await net::this_coro::cancellation_state).cancelled();
    auto drain = options.drain_after_exit;
    if (stop != net::cancellation_type::none) {
        result.cancelled = true;
        result.status = co_await child.stop(std::chrono::milliseconds(0));
        drain = std::chrono::milliseconds(0);
    } else if (!waited || !*waited) {
        result.timed_out = true;
        result.status = co_await child.stop(options.kill_grace);
    } else {
        result.status = co_await child.stop(std::chrono::milliseconds(0)); // ends its group
    }
    // What is still buffered, or held open by a descendant that left the group, is read for a
    // short while; then reading stops.
    co_await readers.wait_until_empty(clock_type::now() + drain);
    readers.stop(net::cancellation_type::terminal);
    co_await readers.wait_until_empty(clock_type::now() + std::chrono::seconds(1));
    result.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
    co_return result;
}

} // namespace

net::awaitable<run_result> async_run_process(run_options options)
{
    // A thread of its own, so that how it handles cancellation (killing the program, not
    // throwing) stays its own business; the caller's cancellation still reaches it.
    auto ex = co_await net::this_coro::executor;
    co_return co_await net::co_spawn(ex, run_to_exit(std::move(options)), net::use_awaitable);
}

run_result run_process(run_options options)
{
    return run_to_completion(async_run_process(std::move(options)), [](const char* what) {
        run_result failed;
        failed.spawn_error = what;
        return failed;
    });
}

} // namespace io
