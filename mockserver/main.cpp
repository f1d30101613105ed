// smtp-mock: parse the command line, run the mock, stop on SIGTERM or SIGINT; or, with
// --check ADDR, say whether a mock serves there.
#include "io/http_client.hpp"
#include "io/stop_signals.hpp"
#include "mockserver/cli.hpp"
#include "mockserver/mock_app.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

// The descriptors the table is grown to at the start (fewer when the limit is lower): 8 bytes
// of kernel memory each, 512 KiB in all.
constexpr rlim_t reserved_descriptors = 65536;

// Hold tens of thousands of sessions: lift the descriptor limit to the hard one. Then grow the
// process's descriptor table to that many descriptors (at most reserved_descriptors) at once,
// while the process has one thread. Linux grows the table by doubling, when a new descriptor
// does not fit; in a process of several threads each growth waits for an RCU grace period
// (expand_fdtable() calls synchronize_rcu()), about 12 ms here, inside the accept() that needed
// it, and the worker thread that made it stands still with every session on it: the 256th and
// 512th connections were accepted that much late, and their banners with them. The table never
// shrinks, so a descriptor opened above the reservation and closed grows it once for the run.
void prepare_descriptor_table()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    // F_DUPFD takes the lowest free descriptor from `highest` up, so it never replaces an
    // inherited one, as dup2() would.
    const auto highest = static_cast<int>(std::min(limit.rlim_cur, reserved_descriptors) - 1);
    for (int fd : {STDERR_FILENO, STDOUT_FILENO, STDIN_FILENO}) {
        if (const int copy = fcntl(fd, F_DUPFD_CLOEXEC, highest); copy >= 0) {
            close(copy);
            return;
        }
    }
}

// --check ADDR: a mock serves there when GET /api/v1/health answers 200 within the deadline.
int check_ready(const std::string& address, const std::string& token)
{
    io::http::client_request request;
    request.url = "http://" + address + "/api/v1/health";
    request.timeout = std::chrono::seconds(5);
    if (!token.empty()) {
        request.headers.push_back({"Authorization", "Bearer " + token});
    }
    const auto answer = io::http::fetch(request);
    if (answer.ec || answer.status != 200) {
        std::cerr << "smtp-mock: no mock serves at " << address << ": "
                  << (answer.ec ? answer.error : "HTTP " + std::to_string(answer.status)) << '\n';
        return 1;
    }
    std::cout << "smtp-mock at " << address << " is ready\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    auto cli = mock::parse_command_line(argc, argv);
    if (cli.check) {
        return check_ready(*cli.check, cli.check_token);
    }
    if (!cli.options) {
        return cli.exit_code;
    }
    // First, while this is the only thread.
    prepare_descriptor_table();
    // The stop signals are blocked in every thread the mock starts; this one waits for them.
    io::stop_signals stop_signals;
    std::signal(SIGPIPE, SIG_IGN);
    try {
        mock::mock_app app(*cli.options);
        app.start();
        std::cout << app.ready_line() << std::endl;
        const int signal = stop_signals.wait();
        app.log("stopping on signal " + std::to_string(signal));
        app.stop();
        app.log("stopped");
    } catch (const std::exception& e) {
        std::cerr << "smtp-mock: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
