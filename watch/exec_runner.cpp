#include "watch/exec_runner.hpp"

#include "io/awaitable.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace watch {

boost::asio::awaitable<exec_outcome>
run_command(std::vector<std::string> argv, std::vector<std::pair<std::string, std::string>> env,
            std::chrono::milliseconds timeout)
{
    if (argv.empty()) {
        co_return exec_outcome{false, "no command"};
    }
    // The environment: ours, with the alert's variables replacing any of the same name.
    std::vector<std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view kv(*e);
        auto name = kv.substr(0, kv.find('='));
        bool replaced = false;
        for (const auto& [k, v] : env) {
            replaced = replaced || k == name;
        }
        if (!replaced) {
            vars.emplace_back(kv);
        }
    }
    for (const auto& [k, v] : env) {
        vars.push_back(k + '=' + v);
    }
    std::vector<char*> envp;
    for (auto& v : vars) {
        envp.push_back(v.data());
    }
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (auto& a : argv) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        co_return exec_outcome{false, "cannot run " + argv[0] + ": " + std::strerror(rc)};
    }

    // Poll for the exit without blocking the executor; the deadline kills it.
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                co_return exec_outcome{true, {}};
            }
            if (WIFEXITED(status)) {
                co_return exec_outcome{false, argv[0] + " exited with status " +
                                                  std::to_string(WEXITSTATUS(status))};
            }
            co_return exec_outcome{false, argv[0] + " was killed by signal " +
                                              std::to_string(WTERMSIG(status))};
        }
        if (done < 0 && errno != EINTR) {
            co_return exec_outcome{false, std::string("waitpid: ") + std::strerror(errno)};
        }
        bool in_time = std::chrono::steady_clock::now() < deadline;
        bool slept = in_time && co_await io::sleep_for(std::chrono::milliseconds(20));
        if (!slept) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            co_return exec_outcome{false, in_time ? argv[0] + " stopped at shutdown"
                                                  : argv[0] + " killed after " +
                                                        std::to_string(timeout.count()) + "ms"};
        }
    }
}

} // namespace watch
