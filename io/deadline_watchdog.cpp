#include "io/deadline_watchdog.hpp"

#include <utility>

namespace io {

using clock_type = std::chrono::steady_clock;
using boost::system::error_code;

steady_timer& lazy_timer::get()
{
    if (!timer_) {
        timer_ = std::make_unique<steady_timer>(socket_.get_executor());
    }
    return *timer_;
}

deadline_watchdog::~deadline_watchdog()
{
    if (state_) {
        state_->owner = nullptr;
    }
}

void deadline_watchdog::start(clock_type::time_point deadline)
{
    if (!state_) {
        state_ = std::make_shared<state>();
        state_->owner = this;
    }
    state_->deadline = deadline;
    state_->running = true;
    if (!state_->armed || state_->expiry > deadline) {
        arm(deadline);
    }
}

bool deadline_watchdog::finish() noexcept
{
    state_->running = false;
    return std::exchange(state_->timed_out, false);
}

void deadline_watchdog::release() noexcept
{
    if (state_) {
        state_->armed = false;
        ++state_->generation;
    }
}

void deadline_watchdog::arm(clock_type::time_point at)
{
    state_->armed = true;
    state_->expiry = at;
    const auto generation = ++state_->generation;
    auto& timer = timer_.get();
    timer.expires_at(at);
    timer.async_wait([s = state_, generation](error_code ec) {
        if (ec || s->owner == nullptr || s->generation != generation) {
            return;
        }
        s->owner->fired();
    });
}

void deadline_watchdog::fired()
{
    state_->armed = false;
    if (!state_->running) {
        return;
    }
    if (clock_type::now() < state_->deadline) {
        arm(state_->deadline);
        return;
    }
    state_->timed_out = true;
    error_code ignored;
    socket_.cancel(ignored);
}

} // namespace io
