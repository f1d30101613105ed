#pragma once

// Tells whoever waits for a change that it happened, so that no one polls: a long poll of an
// HTTP service subscribes a waker, the thing it waits for (a message stored, a session opened)
// notifies. Thread-safe; no I/O. A waker runs on the notifying thread, under the signal's
// lock: it must be short and must not subscribe or notify (post to an executor and return).
//
//   change_signal stored;
//   auto subscription = stored.subscribe([&] { net::post(ex, wake_up); });
//   stored.notify();          // from any thread: every waker subscribed now runs
//   subscription.reset();     // from now on that waker never runs, and is not running

#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace io {

/// A list of wakers called on every notify().
class change_signal {
public:
    /// A waker: called from the notifying thread.
    using waker = std::function<void()>;

    /// Calls `wake` on every notify() until the returned handle is released; once it is,
    /// `wake` is neither running nor ever called again.
    std::shared_ptr<void> subscribe(waker wake) const
    {
        auto st = state_;
        std::lock_guard lock(st->mutex);
        auto at = st->wakers.insert(st->wakers.end(), std::move(wake));
        return std::shared_ptr<void>(nullptr, [st, at](void*) {
            std::lock_guard unsubscribe(st->mutex);
            st->wakers.erase(at);
        });
    }

    /// Calls every waker subscribed now.
    void notify() const
    {
        std::lock_guard lock(state_->mutex);
        for (const auto& wake : state_->wakers) {
            wake();
        }
    }

private:
    struct state {
        std::mutex mutex;
        std::list<waker> wakers;
    };
    // Shared with the handles, which may outlive the signal.
    std::shared_ptr<state> state_ = std::make_shared<state>();
};

} // namespace io
