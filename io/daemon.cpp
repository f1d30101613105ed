#include "io/daemon.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cerrno>
#include <csignal>
#include <stdexcept>

namespace io {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

daemon::daemon(const process_options& options, std::string name)
    : name_(std::move(name))
{
    if (auto failed = child_.spawn(options); !failed.empty()) {
        throw std::runtime_error(failed);
    }
    pid_ = child_.pid();
    net::co_spawn(ctx_, watch(), net::detached);
    thread_ = std::thread([this] { ctx_.run(); });
}

daemon::~daemon()
{
    stop();
}

net::awaitable<void> daemon::watch()
{
    if (auto s = co_await child_.wait(); s && !stopping_) {
        exited_ = true;
    }
}

void daemon::wait_until_ready(const std::function<bool()>& ready, clock_type::duration timeout,
                              const std::function<std::string()>& on_exit,
                              std::chrono::milliseconds poll) const
{
    const auto deadline = clock_type::now() + timeout;
    while (!ready()) {
        if (exited_) {
            throw std::runtime_error(name_ + " exited at start" +
                                     (on_exit ? "; " + on_exit() : std::string()));
        }
        if (clock_type::now() > deadline) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
            throw std::runtime_error(name_ + " was not ready within " +
                                     (ms.count() % 1000 == 0
                                          ? std::to_string(ms.count() / 1000) + "s"
                                          : std::to_string(ms.count()) + "ms"));
        }
        std::this_thread::sleep_for(poll);
    }
}

exit_status daemon::stop(clock_type::duration grace)
{
    if (thread_.joinable()) {
        auto stopping = [this, grace]() -> net::awaitable<void> {
            stopping_ = true;
            ended_ = co_await child_.stop(grace);
            stopped_ = true;
        };
        net::co_spawn(ctx_, stopping, net::detached);
        thread_.join();
        // A program that exited by itself ended the loop first: stop (reap) it here.
        if (!stopped_) {
            ctx_.restart();
            ctx_.run();
        }
    }
    return ended_;
}

bool daemon::left_running(std::chrono::milliseconds within) const
{
    const auto deadline = clock_type::now() + within;
    for (;;) {
        if (pid_ <= 0 || (::kill(-pid_, 0) != 0 && errno == ESRCH)) {
            return false;
        }
        if (clock_type::now() >= deadline) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace io
