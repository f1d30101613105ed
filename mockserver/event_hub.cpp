#include "mockserver/event_hub.hpp"

#include "json/json_text.hpp"
#include <algorithm>

namespace mock {

event_subscription::event_subscription(event_hub& hub, std::size_t capacity,
                                       std::function<void()> wake)
    : hub_(hub)
    , capacity_(capacity)
    , wake_(std::move(wake))
{
}

event_subscription::~event_subscription()
{
    hub_.remove(this);
}

void event_subscription::push(const std::string& event)
{
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (bytes_ + event.size() > capacity_) {
            ++dropped_;
        } else {
            queue_.push_back(event);
            bytes_ += event.size();
        }
        wake = !woken_;
        woken_ = true;
    }
    if (wake && wake_) {
        wake_();
    }
}

std::vector<std::string> event_subscription::take()
{
    std::lock_guard lock(mutex_);
    std::vector<std::string> out(std::make_move_iterator(queue_.begin()),
                                 std::make_move_iterator(queue_.end()));
    queue_.clear();
    bytes_ = 0;
    woken_ = false;
    if (dropped_ > 0) {
        boost::json::object lag{{"type", "lagged"},
                                {"dropped", dropped_},
                                {"message", "events were dropped because this client read too "
                                            "slowly; reload the state from the REST endpoints"}};
        out.push_back(json_text::serialize(lag));
        dropped_ = 0;
    }
    return out;
}

void event_hub::publish(boost::json::object event)
{
    std::lock_guard lock(mutex_);
    if (list_.empty()) {
        return;
    }
    event["seq"] = ++seq_;
    const auto text = json_text::serialize(event);
    for (auto* s : list_) {
        s->push(text);
    }
}

std::unique_ptr<event_subscription> event_hub::subscribe(std::function<void()> wake,
                                                         std::size_t capacity)
{
    auto s = std::make_unique<event_subscription>(*this, capacity, std::move(wake));
    std::lock_guard lock(mutex_);
    s->push(json_text::serialize(boost::json::object{{"type", "hello"}, {"seq", seq_}}));
    list_.push_back(s.get());
    subscribers_.fetch_add(1, std::memory_order_relaxed);
    return s;
}

std::uint64_t event_hub::last_seq() const
{
    std::lock_guard lock(mutex_);
    return seq_;
}

void event_hub::remove(event_subscription* s)
{
    std::lock_guard lock(mutex_);
    auto it = std::find(list_.begin(), list_.end(), s);
    if (it != list_.end()) {
        list_.erase(it);
        subscribers_.fetch_sub(1, std::memory_order_relaxed);
    }
}

} // namespace mock
