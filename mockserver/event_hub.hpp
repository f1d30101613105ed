#pragma once

// Live events of a mock (GET /api/v1/events): the sessions, the faults that fire, the messages
// stored and the changes made through the API, as JSON text, fanned out to every subscriber.
// No I/O: a subscriber (the WebSocket of a console) takes what is queued on its own thread.
//
// The SMTP path publishes; it must never wait for a subscriber. So:
//   - with nobody subscribed, active() is one relaxed atomic load and nothing is formatted;
//   - a session's event is handed over as its fields (publish_session: the values copied, no
//     JSON built); its JSON text is made once, by the first subscriber that takes it, on that
//     subscriber's thread, and shared by every subscriber;
//   - each subscriber has a bounded queue (in octets); an event that does not fit is dropped
//     for that subscriber and counted, and the subscriber's next take() ends with a `lagged`
//     event saying how many were lost, so that it reloads the state from the REST endpoints;
//   - a subscriber is woken (its callback called, from the publishing thread) only when its
//     queue goes from empty to not empty.

#include <array>
#include <atomic>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock {

class event_hub;

/// One field of a session event: a name that lives as long as the program (a literal) and a
/// value, copied when the event is published.
using event_field = std::pair<std::string_view, std::string_view>;

namespace detail {

// One published event, queued for every subscriber at once; its JSON text is made on first use.
class queued_event {
public:
    explicit queued_event(boost::json::object fields);
    queued_event(std::string_view type, std::uint64_t session, std::optional<double> t_ms,
                 std::initializer_list<event_field> fields);

    void set_seq(std::uint64_t seq) noexcept { seq_ = seq; }
    // The JSON text, made on the first call (thread-safe).
    const std::string& text() const;
    // About the size of text(), known without making it: what the subscriber's bound counts.
    std::size_t size_hint() const noexcept { return size_hint_; }

private:
    static constexpr std::size_t max_fields = 3;
    std::optional<boost::json::object> object_; // events of the API, built by their publisher
    std::string_view type_;                     // session events: the fields as given
    std::uint64_t session_ = 0;
    std::optional<double> t_ms_;
    std::array<std::string_view, max_fields> names_{};
    std::string values_;                         // the values, one after the other
    std::array<std::size_t, max_fields> ends_{}; // where each value ends in values_
    std::size_t count_ = 0;
    std::uint64_t seq_ = 0;
    std::size_t size_hint_ = 0;
    mutable std::once_flag made_;
    mutable std::string text_;
};

} // namespace detail

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
    void push(std::shared_ptr<const detail::queued_event> event);

private:
    event_hub& hub_;
    const std::size_t capacity_;
    const std::function<void()> wake_;
    std::mutex mutex_;
    std::deque<std::shared_ptr<const detail::queued_event>> queue_;
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

    /// Sends the event of a session, `{"type", "session", "t_ms" (when given), fields...,
    /// "seq"}`, to every subscriber: the SMTP path's call. It copies the values (at most three
    /// fields) and queues the event; the JSON text is made later, off the session's path.
    void publish_session(std::string_view type, std::uint64_t session, std::optional<double> t_ms,
                         std::initializer_list<event_field> fields);

    /// A new subscriber; `wake` is called from the publishing thread when its queue stops being
    /// empty. Its first event is `hello`, with the current "seq".
    std::unique_ptr<event_subscription> subscribe(std::function<void()> wake,
                                                  std::size_t capacity = default_capacity);

    /// The sequence number of the last event published.
    std::uint64_t last_seq() const;

private:
    friend class event_subscription;
    void remove(event_subscription* s);
    void publish(std::shared_ptr<detail::queued_event> event);

    std::atomic<std::size_t> subscribers_{0};
    mutable std::mutex mutex_;
    std::vector<event_subscription*> list_;
    std::uint64_t seq_ = 0;
};

} // namespace mock
