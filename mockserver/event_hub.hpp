#pragma once

// Live events of a mock (GET /api/v1/events): the sessions, the faults that fire, the messages
// stored and the changes made through the API, as JSON text, fanned out to every subscriber.
// No I/O: a subscriber (the WebSocket of a console) takes what is queued on its own thread.
//
// The SMTP path publishes; it must never wait for a subscriber. So:
//   - with nobody subscribed, active() is one relaxed atomic load and nothing is made;
//   - a session gathers its events in an event_batch of its own, as JSON text (its buffers
//     kept from one batch to the next: no allocation per event), and publishes the batch in one
//     hand-off before it waits for I/O: one lock of the hub and one of each subscriber's queue
//     per batch, where the event's number (`seq`) is given and its text copied into the queue;
//   - each subscriber has a bounded queue (in octets of JSON text); an event that does not fit
//     is dropped for that subscriber and counted, and the subscriber's next take() ends with a
//     `lagged` event saying how many were lost, so that it reloads the state from the REST
//     endpoints;
//   - while no subscriber has room (all stalled), accepting() is false and a session writes
//     no text: its events are only counted, numbered and dropped;
//   - a subscriber is woken (its callback called, from the publishing thread) only when its
//     queue goes from empty to not empty.

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock {

class event_hub;

/// One field of a session event: a name that lives as long as the program (a literal of plain
/// ASCII, written unescaped) and a value, copied when the event is added.
using event_field = std::pair<std::string_view, std::string_view>;

/// Events gathered to be published at once (a session's, between two waits for I/O): the JSON
/// text of each, less its `"seq"` and closing brace, which the hub adds as it numbers them.
/// Not thread-safe: one owner. clear() keeps the buffers for the next batch.
class event_batch {
public:
    /// Adds the event `{"type", "session", "t_ms" (when `since_start` is given: the time since
    /// the session's start, in milliseconds), fields...}`; `type`, as the names, is a literal of
    /// plain ASCII.
    void add(std::string_view type, std::uint64_t session,
             std::optional<std::chrono::nanoseconds> since_start,
             std::initializer_list<event_field> fields);
    /// Adds an event written by its publisher: `object` with "type" set.
    void add(const boost::json::object& object);
    /// Adds an event that no subscriber had room for: it is numbered and counted as dropped.
    void add_dropped() { ends_.push_back(text_.size()); }

    /// Whether nothing was added since the last clear().
    bool empty() const noexcept { return ends_.empty(); }
    /// How many events were added.
    std::size_t size() const noexcept { return ends_.size(); }
    /// Empties the batch, keeping its buffers unless a burst (pipelined commands) made them big.
    void clear() noexcept
    {
        if (text_.capacity() > kept_capacity) {
            text_ = std::string();
            ends_ = std::vector<std::size_t>();
        }
        text_.clear();
        ends_.clear();
    }

private:
    friend class event_subscription;
    static constexpr std::size_t kept_capacity = 16 * 1024;
    static constexpr std::size_t first_capacity = 2048; // the EHLO reply's batch fits
    std::string text_;               // the events' open JSON objects, one after the other
    std::vector<std::size_t> ends_;  // where each ends in text_; one of no length was dropped
    std::uint64_t session_ = 0;      // the session of session_text_
    std::string session_text_;       // `","session":N,"t_ms":`
    std::size_t session_size_ = 0;   // its length without `,"t_ms":`
};

/// One subscriber's queue. Thread-safe; unsubscribes when destroyed.
class event_subscription {
public:
    /// Use event_hub::subscribe().
    event_subscription(event_hub& hub, std::size_t capacity, std::function<void()> wake);
    ~event_subscription();
    event_subscription(const event_subscription&) = delete;
    event_subscription& operator=(const event_subscription&) = delete;

    /// The events queued since the last call, oldest first, each one JSON text followed by a
    /// line feed; after them a `lagged` event when some did not fit. Empty when there are none.
    std::string take_lines();

    /// The same, one string per event.
    std::vector<std::string> take();

    /// Queues the events of `batch`, numbered from `first_seq` (called by the hub under its
    /// lock). Never blocks beyond the queue's own lock.
    void push(const event_batch& batch, std::uint64_t first_seq);

private:
    friend class event_hub;
    event_hub& hub_;
    const std::size_t capacity_;
    const std::function<void()> wake_;
    std::mutex mutex_;
    std::string queue_; // JSON text, one event per line
    std::uint64_t dropped_ = 0;
    bool full_ = false; // an event did not fit since the last take()
    bool woken_ = false;
};

/// The events of one mock, and who listens to them. Thread-safe.
class event_hub {
public:
    /// Queue size of a subscriber, in octets of JSON text.
    static constexpr std::size_t default_capacity = 1024 * 1024;

    /// Whether anyone listens: publishers skip building events when not. Cheap.
    bool active() const noexcept { return subscribers_.load(std::memory_order_relaxed) != 0; }

    /// Whether some subscriber has room in its queue: when not, an event need not be written,
    /// only counted (event_batch::add_dropped). Cheap.
    bool accepting() const noexcept { return open_.load(std::memory_order_relaxed) != 0; }

    /// Sends `event` (with "type" set) to every subscriber, adding "seq": a number that grows by
    /// one with each event published, so that a subscriber sees gaps.
    void publish(const boost::json::object& event);

    /// Sends the events of `batch` to every subscriber, in order, numbered as publish() does:
    /// one hand-off for them all. The batch is left as it was; the caller clears it.
    void publish(const event_batch& batch);

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
    std::atomic<std::size_t> open_{0}; // subscribers whose queue is not full
    mutable std::mutex mutex_;
    std::vector<event_subscription*> list_;
    std::uint64_t seq_ = 0;
};

} // namespace mock
