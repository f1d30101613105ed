#pragma once

// Live events of a mock (GET /api/v1/events): the sessions, the faults that fire, the messages
// stored and the changes made through the API, as JSON text, fanned out to every subscriber.
// No I/O: a subscriber (the WebSocket of a console) takes what is queued on its own thread.
//
// The SMTP path publishes; it must never wait for a subscriber. So:
//   - with nobody subscribed, active() is one relaxed atomic load and nothing is formatted;
//   - each subscriber has a bounded queue (in octets); an event that does not fit is dropped
//     for that subscriber and counted, and the subscriber's next take() ends with a `lagged`
//     event saying how many were lost, so that it reloads the state from the REST endpoints;
//   - a subscriber is woken (its callback called, from the publishing thread) only when its
//     queue goes from empty to not empty.

#include <atomic>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mock {

class event_hub;

/// One subscriber's queue. Thread-safe; unsubscribes when destroyed.
class event_subscription {
public:
    /// Use event_hub::subscribe().
    event_subscription(event_hub& hub, std::size_t capacity, std::function<void()> wake);
    ~event_subscription();
    event_subscription(const event_subscription&) = delete;
    event_subscription& operator=(const event_subscription&) = delete;

    /// The events queued since the last call, oldest first, each one JSON text; after them a
    /// `lagged` event when some did not fit.
    std::vector<std::string> take();

    /// Queues one event (called by the hub). Never blocks beyond the queue's own lock.
    void push(const std::string& event);

private:
    event_hub& hub_;
    const std::size_t capacity_;
    const std::function<void()> wake_;
    std::mutex mutex_;
    std::deque<std::string> queue_;
    std::size_t bytes_ = 0;
    std::uint64_t dropped_ = 0;
    bool woken_ = false;
};

/// The events of one mock, and who listens to them. Thread-safe.
class event_hub {
public:
    /// Queue size of a subscriber, in octets of JSON text.
    static constexpr std::size_t default_capacity = 1024 * 1024;

    /// Whether anyone listens: publishers skip building events when not. Cheap.
    bool active() const noexcept { return subscribers_.load(std::memory_order_relaxed) != 0; }

    /// Sends `event` (with "type" set) to every subscriber, adding "seq": a number that grows by
    /// one with each event published, so that a subscriber sees gaps.
    void publish(boost::json::object event);

    /// A new subscriber; `wake` is called from the publishing thread when its queue stops being
    /// empty. Its first event is `hello`, with the current "seq".
    std::unique_ptr<event_subscription> subscribe(std::function<void()> wake,
                                                  std::size_t capacity = default_capacity);

    /// The sequence number of the last event published.
    std::uint64_t last_seq() const;

private:
    friend class event_subscription;
    void remove(event_subscription* s);

    std::atomic<std::size_t> subscribers_{0};
    mutable std::mutex mutex_;
    std::vector<event_subscription*> list_;
    std::uint64_t seq_ = 0;
};

} // namespace mock
