#include "io/stop_signals.hpp"

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <pthread.h>

namespace io {

stop_signals::stop_signals()
{
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
    waiter_ = std::thread([this] {
        for (;;) {
            int signal = 0;
            if (sigwait(&signals_, &signal) != 0 || done_.load()) {
                return;
            }
            int none = 0;
            received_.compare_exchange_strong(none, signal);
            source_.request_stop();
        }
    });
}

stop_signals::~stop_signals()
{
    // Wakes the waiter with a signal sent to it alone, which it takes as the end.
    done_.store(true);
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
    // A signal that came while the waiter was ending is taken here: what it asked for (the end
    // of the run) is done.
    const timespec now{0, 0};
    while (sigtimedwait(&signals_, nullptr, &now) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int stop_signals::wait()
{
    std::mutex m;
    std::condition_variable_any woken;
    std::unique_lock lock(m);
    woken.wait(lock, source_.get_token(), [] { return false; });
    return received_.load();
}

std::string signal_name(int signal)
{
    const char* name = ::sigabbrev_np(signal);
    return name != nullptr ? "SIG" + std::string(name) : "signal " + std::to_string(signal);
}

bool sleep_until(const std::stop_token& stop, std::chrono::steady_clock::time_point deadline)
{
    std::mutex m;
    std::condition_variable_any woken;
    std::unique_lock lock(m);
    woken.wait_until(lock, stop, deadline, [] { return false; });
    return !stop.stop_requested();
}

} // namespace io
