#include "harness/process_runner.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace harness {

namespace {

// A file descriptor closed on scope exit.
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
    void reset() noexcept
    {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_;
};

} // namespace

process_outcome run_process(const std::vector<std::string>& argv,
                            std::chrono::milliseconds time_limit, std::size_t capture_limit)
{
    process_outcome out;
    if (argv.empty()) {
        out.spawn_error = "no program given";
        return out;
    }
    int out_fds[2];
    int err_fds[2];
    if (::pipe2(out_fds, O_CLOEXEC) != 0) {
        out.spawn_error = std::string("pipe: ") + std::strerror(errno);
        return out;
    }
    fd_guard out_read(out_fds[0]);
    fd_guard out_write(out_fds[1]);
    if (::pipe2(err_fds, O_CLOEXEC) != 0) {
        out.spawn_error = std::string("pipe: ") + std::strerror(errno);
        return out;
    }
    fd_guard err_read(err_fds[0]);
    fd_guard err_write(err_fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);

    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    out_write.reset();
    err_write.reset();
    if (rc != 0) {
        out.spawn_error = "cannot run " + argv[0] + ": " + std::strerror(rc);
        return out;
    }

    // Read both streams until both close or the time limit passes.
    const auto deadline = std::chrono::steady_clock::now() + time_limit;
    pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
    std::string* sinks[2] = {&out.out, &out.err};
    int open_streams = 2;
    char buffer[4096];
    while (open_streams > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            out.timed_out = true;
            break;
        }
        const int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            const auto got = ::read(fds[i].fd, buffer, sizeof buffer);
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got <= 0) {
                fds[i].fd = -1; // poll ignores negative descriptors
                --open_streams;
                continue;
            }
            auto& sink = *sinks[i];
            const auto room = capture_limit > sink.size() ? capture_limit - sink.size() : 0;
            sink.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(got)));
        }
    }

    // Both streams are closed (or time is up): wait for the exit, within the time limit.
    int status = 0;
    while (!out.timed_out) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            break;
        }
        if (w < 0 && errno != EINTR) {
            out.spawn_error = std::string("waitpid: ") + std::strerror(errno);
            return out;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            out.timed_out = true;
            break;
        }
        ::usleep(5000);
    }
    if (out.timed_out) {
        // Kill the whole group before reaping the leader, so the group id is still ours.
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (WIFEXITED(status)) {
        out.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out.signal = WTERMSIG(status);
    }
    return out;
}

} // namespace harness
