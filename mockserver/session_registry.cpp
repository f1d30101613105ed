#include "mockserver/session_registry.hpp"

#include "json/rfc3339.hpp"
#include "mockserver/control/json_views.hpp"

#include <algorithm>

namespace mock {

session_registry::session_registry(std::size_t capacity)
    : capacity_(capacity)
{
}

std::shared_ptr<session_record> session_registry::create(std::string peer, std::string local,
                                                         std::chrono::steady_clock::time_point now)
{
    const auto started_at = std::chrono::system_clock::now();
    std::shared_ptr<session_record> record;
    {
        // Ids are handed out under the lock so that the deque stays sorted by id.
        std::lock_guard lock(mutex_);
        record = std::make_shared<session_record>(next_id_.fetch_add(1), peer, local, started_at,
                                                  now, events_);
        records_.push_back(record);
        while (records_.size() > capacity_) {
            records_.pop_front();
        }
    }
    // Before the record is handed out, so that no event of the session comes before this one.
    if (events_ != nullptr && events_->active()) {
        const auto at = json_text::rfc3339(started_at);
        record->note_event("session_opened", std::nullopt,
                           {{"peer", peer}, {"local", local}, {"started_at", at}});
    }
    created_.notify();
    return record;
}

std::vector<std::shared_ptr<session_record>> session_registry::list(std::uint64_t since,
                                                                    std::size_t limit) const
{
    std::lock_guard lock(mutex_);
    // Ids grow along the deque: find the first one after `since`.
    auto first = std::partition_point(records_.begin(), records_.end(),
                                      [since](const auto& r) { return r->id() <= since; });
    std::vector<std::shared_ptr<session_record>> out;
    for (auto it = first; it != records_.end() && out.size() < limit; ++it) {
        out.push_back(*it);
    }
    return out;
}

std::shared_ptr<session_record> session_registry::find(std::uint64_t id) const
{
    std::lock_guard lock(mutex_);
    auto it = std::partition_point(records_.begin(), records_.end(),
                                   [id](const auto& r) { return r->id() < id; });
    if (it != records_.end() && (*it)->id() == id) {
        return *it;
    }
    return nullptr;
}

void session_registry::count_outcome(session_outcome outcome)
{
    outcomes_[static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
}

std::array<std::uint64_t, session_outcome_count> session_registry::outcomes() const
{
    std::array<std::uint64_t, session_outcome_count> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = outcomes_[i].load(std::memory_order_relaxed);
    }
    return out;
}

} // namespace mock
