#include "mockserver/message_store.hpp"

#include <algorithm>

namespace mock {

message_store::message_store(persist_hook persist)
    : persist_(std::move(persist))
{
}

std::string message_store::reserve_id()
{
    std::lock_guard lock(mutex_);
    return std::to_string(next_id_++);
}

std::string message_store::add(captured_message message)
{
    if (message.id.empty()) {
        message.id = reserve_id();
    }
    if (persist_) {
        persist_(message);
    }
    auto shared = std::make_shared<const captured_message>(std::move(message));
    {
        std::lock_guard lock(mutex_);
        ++accepted_;
        // Ids are handed out in order but may be stored out of order (several workers,
        // persisting): keep the list sorted, appending in the usual case.
        const auto id_of = [](const std::shared_ptr<const captured_message>& m) {
            return std::stoull(m->id);
        };
        const auto n = id_of(shared);
        auto pos =
            messages_.empty() || id_of(messages_.back()) < n
                ? messages_.end()
                : std::upper_bound(messages_.begin(), messages_.end(), n,
                                   [&](std::uint64_t v, const auto& m) { return v < id_of(m); });
        messages_.insert(pos, shared);
    }
    stored_.notify();
    return shared->id;
}

std::vector<std::shared_ptr<const captured_message>> message_store::list() const
{
    std::lock_guard lock(mutex_);
    return messages_;
}

std::shared_ptr<const captured_message> message_store::find(const std::string& id) const
{
    std::lock_guard lock(mutex_);
    for (const auto& m : messages_) {
        if (m->id == id) {
            return m;
        }
    }
    return nullptr;
}

bool message_store::remove(const std::string& id)
{
    std::lock_guard lock(mutex_);
    auto it = std::find_if(messages_.begin(), messages_.end(),
                           [&](const auto& m) { return m->id == id; });
    if (it == messages_.end()) {
        return false;
    }
    messages_.erase(it);
    return true;
}

std::size_t message_store::clear()
{
    std::lock_guard lock(mutex_);
    std::size_t n = messages_.size();
    messages_.clear();
    return n;
}

std::size_t message_store::size() const
{
    std::lock_guard lock(mutex_);
    return messages_.size();
}

std::uint64_t message_store::accepted_total() const
{
    std::lock_guard lock(mutex_);
    return accepted_;
}

} // namespace mock
