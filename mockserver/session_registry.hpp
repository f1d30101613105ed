#pragma once

#include "io/change_signal.hpp"
#include "mockserver/session_record.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace mock {

class event_hub;

/// Every session's record, for the control API: the active ones and the most recent finished
/// ones (older ones are forgotten, so memory stays bounded). Thread-safe.
class session_registry {
public:
    /// `capacity`: how many records to keep.
    explicit session_registry(std::size_t capacity = 10000);

    /// Publishes the live events of every session created from now on to `events` (which must
    /// outlive the registry). Call before sessions start.
    void set_events(event_hub* events) noexcept { events_ = events; }

    /// Creates the record of a newly accepted connection, with the next id.
    std::shared_ptr<session_record> create(std::string peer, std::string local,
                                           std::chrono::steady_clock::time_point now);

    /// Records with id greater than `since`, oldest first, at most `limit`.
    std::vector<std::shared_ptr<session_record>> list(std::uint64_t since, std::size_t limit) const;

    /// The record with this id, if still kept.
    std::shared_ptr<session_record> find(std::uint64_t id) const;

    /// Counts a finished session by its outcome.
    void count_outcome(session_outcome outcome);

    /// Notified after each record is created (what a long poll of the API waits for).
    const io::change_signal& created() const noexcept { return created_; }

    /// How many sessions were created.
    std::uint64_t total() const noexcept { return next_id_.load() - 1; }

    /// Sessions that ended with each outcome, indexed by session_outcome.
    std::array<std::uint64_t, session_outcome_count> outcomes() const;

private:
    const std::size_t capacity_;
    event_hub* events_ = nullptr;
    std::atomic<std::uint64_t> next_id_{1};
    mutable std::mutex mutex_;
    std::deque<std::shared_ptr<session_record>> records_;
    std::array<std::atomic<std::uint64_t>, session_outcome_count> outcomes_{};
    io::change_signal created_;
};

} // namespace mock
