// smtp-mock: parse the command line, run the mock, stop on SIGTERM or SIGINT; or, with
// --check ADDR, say whether a mock serves there.
#include "io/http_client.hpp"
#include "io/stop_signals.hpp"
#include "mockserver/cli.hpp"
#include "mockserver/mock_app.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <sys/resource.h>

namespace {

// Hold tens of thousands of sessions: lift the descriptor limit to the hard one.
void raise_open_file_limit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
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
    raise_open_file_limit();
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
