#include "mockserver/event_hub.hpp"

#include "json/json_text.hpp"
#include <algorithm>
#include <utility>

namespace mock {

namespace detail {

namespace {

// What a session event's text holds besides its values: the names, the quotes, the numbers.
constexpr std::size_t session_event_overhead = 96;

} // namespace

queued_event::queued_event(boost::json::object fields)
    : object_(std::move(fields))
{
    text_ = json_text::serialize(*object_); // the API's rare events: their size is their text
    size_hint_ = text_.size() + 24;         // and "seq"
    text_.clear();
}

queued_event::queued_event(std::string_view type, std::uint64_t session, std::optional<double> t_ms,
                           std::initializer_list<event_field> fields)
    : type_(type)
    , session_(session)
    , t_ms_(t_ms)
    , size_hint_(session_event_overhead + type.size())
{
    std::size_t size = 0;
    for (const auto& f : fields) {
        size += f.second.size();
    }
    values_.reserve(size);
    for (const auto& [name, value] : fields) {
        if (count_ == max_fields) {
            break;
        }
        names_[count_] = name;
        values_ += value;
        ends_[count_] = values_.size();
        size_hint_ += name.size() + value.size();
        ++count_;
    }
}

const std::string& queued_event::text() const
{
    std::call_once(made_, [this] {
        if (object_) {
            auto o = *object_;
            o["seq"] = seq_;
            text_ = json_text::serialize(o);
            return;
        }
        // As json_text::serialize writes the object {type, session, t_ms, fields..., seq},
        // without building it.
        auto& t = text_;
        t.reserve(size_hint_);
        t += R"({"type":)";
        json_text::append_string(t, type_);
        t += R"(,"session":)";
        json_text::append_number(t, session_);
        if (t_ms_) {
            t += R"(,"t_ms":)";
            json_text::append_number(t, *t_ms_);
        }
        std::size_t begin = 0;
        for (std::size_t i = 0; i < count_; ++i) {
            t += ',';
            json_text::append_string(t, names_[i]);
            t += ':';
            json_text::append_string(t, std::string_view(values_).substr(begin, ends_[i] - begin));
            begin = ends_[i];
        }
        t += R"(,"seq":)";
        json_text::append_number(t, seq_);
        t += '}';
    });
    return text_;
}

} // namespace detail

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

void event_subscription::push(std::shared_ptr<const detail::queued_event> event)
{
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        const auto size = event->size_hint();
        if (bytes_ + size > capacity_) {
            ++dropped_;
        } else {
            queue_.push_back(std::move(event));
            bytes_ += size;
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
    std::deque<std::shared_ptr<const detail::queued_event>> taken;
    std::uint64_t dropped = 0;
    {
        std::lock_guard lock(mutex_);
        taken.swap(queue_);
        bytes_ = 0;
        woken_ = false;
        dropped = std::exchange(dropped_, 0);
    }
    // The JSON text is made here, on the subscriber's thread, outside the queue's lock.
    std::vector<std::string> out;
    out.reserve(taken.size() + 1);
    for (const auto& e : taken) {
        out.push_back(e->text());
    }
    if (dropped > 0) {
        boost::json::object lag{{"type", "lagged"},
                                {"dropped", dropped},
                                {"message", "events were dropped because this client read too "
                                            "slowly; reload the state from the REST endpoints"}};
        out.push_back(json_text::serialize(lag));
    }
    return out;
}

void event_hub::publish(boost::json::object event)
{
    if (active()) {
        publish(std::make_shared<detail::queued_event>(std::move(event)));
    }
}

void event_hub::publish_session(std::string_view type, std::uint64_t session,
                                std::optional<double> t_ms,
                                std::initializer_list<event_field> fields)
{
    if (active()) {
        publish(std::make_shared<detail::queued_event>(type, session, t_ms, fields));
    }
}

void event_hub::publish(std::shared_ptr<detail::queued_event> event)
{
    std::lock_guard lock(mutex_);
    if (list_.empty()) {
        return;
    }
    event->set_seq(++seq_);
    std::shared_ptr<const detail::queued_event> shared = std::move(event);
    for (auto* s : list_) {
        s->push(shared);
    }
}

std::unique_ptr<event_subscription> event_hub::subscribe(std::function<void()> wake,
                                                         std::size_t capacity)
{
    auto s = std::make_unique<event_subscription>(*this, capacity, std::move(wake));
    std::lock_guard lock(mutex_);
    auto hello = std::make_shared<detail::queued_event>(boost::json::object{{"type", "hello"}});
    hello->set_seq(seq_);
    s->push(std::move(hello));
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
