#include "mockserver/event_hub.hpp"

#include "json/json_text.hpp"
#include <algorithm>
#include <charconv>
#include <utility>

namespace mock {

namespace {

// What push() writes after an event's open object: `,"seq":` and the number, `}` and the line
// feed, at most.
constexpr std::size_t seq_overhead = 32;

// Appends `,"seq":N}` and a line feed in one append.
void append_seq(std::string& out, std::uint64_t seq)
{
    char text[seq_overhead] = {',', '"', 's', 'e', 'q', '"', ':'};
    char* end = std::to_chars(text + 7, text + sizeof text - 2, seq).ptr;
    *end++ = '}';
    *end++ = '\n';
    out.append(text, static_cast<std::size_t>(end - text));
}

} // namespace

void event_batch::add(std::string_view type, std::uint64_t session,
                      std::optional<std::chrono::nanoseconds> since_start,
                      std::initializer_list<event_field> fields)
{
    // As json_text::serialize writes the object {type, session, t_ms, fields...}, without
    // building it, and without its closing brace. The type and the names are the program's
    // own words: they need no escaping.
    if (session != session_ || session_text_.empty()) {
        // A batch is a session's: `","session":N,"t_ms":` is written once, not once an event;
        // and room for a batch of a one-message session's size is made at once, not by doubling
        // from nothing.
        text_.reserve(first_capacity);
        ends_.reserve(first_capacity / 64);
        session_ = session;
        session_text_ = R"(","session":)";
        json_text::append_number(session_text_, session);
        session_size_ = session_text_.size();
        session_text_ += R"(,"t_ms":)";
    }
    auto& t = text_;
    t += R"({"type":")";
    t += type;
    if (since_start) {
        t += session_text_;
        json_text::append_milliseconds(t, *since_start);
    } else {
        t.append(session_text_, 0, session_size_);
    }
    for (const auto& [name, value] : fields) {
        // `,"name":` in one append when the name is short, as all of the program's are.
        char head[48];
        if (name.size() + 4 <= sizeof head) {
            head[0] = ',';
            head[1] = '"';
            name.copy(head + 2, name.size());
            head[name.size() + 2] = '"';
            head[name.size() + 3] = ':';
            t.append(head, name.size() + 4);
        } else {
            t += ",\"";
            t += name;
            t += "\":";
        }
        json_text::append_string(t, value);
    }
    ends_.push_back(t.size());
}

void event_batch::add(const boost::json::object& object)
{
    json_text::append(text_, object);
    text_.pop_back(); // the closing brace: "seq" goes before it
    ends_.push_back(text_.size());
}

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

void event_subscription::push(const event_batch& batch, std::uint64_t first_seq)
{
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        std::size_t begin = 0;
        auto seq = first_seq;
        for (const auto end : batch.ends_) {
            const std::string_view text(batch.text_.data() + begin, end - begin);
            begin = end;
            if (text.empty() || queue_.size() + text.size() + seq_overhead > capacity_) {
                ++dropped_;
                if (!text.empty() && !full_) {
                    full_ = true;
                    hub_.open_.fetch_sub(1, std::memory_order_relaxed);
                }
            } else {
                queue_ += text;
                append_seq(queue_, seq);
            }
            ++seq;
        }
        wake = !woken_;
        woken_ = true;
    }
    if (wake && wake_) {
        wake_();
    }
}

std::string event_subscription::take_lines()
{
    std::string out;
    std::uint64_t dropped = 0;
    {
        std::lock_guard lock(mutex_);
        out.swap(queue_);
        queue_.reserve(std::min(out.size(), capacity_)); // about as much comes next time
        woken_ = false;
        dropped = std::exchange(dropped_, 0);
        if (std::exchange(full_, false)) {
            hub_.open_.fetch_add(1, std::memory_order_relaxed);
        }
    }
    if (dropped > 0) {
        boost::json::object lag{{"type", "lagged"},
                                {"dropped", dropped},
                                {"message", "events were dropped because this client read too "
                                            "slowly; reload the state from the REST endpoints"}};
        json_text::append(out, lag);
        out += '\n';
    }
    return out;
}

std::vector<std::string> event_subscription::take()
{
    const auto lines = take_lines();
    std::vector<std::string> out;
    std::size_t begin = 0;
    // JSON text holds no raw line feed: each line is one event.
    for (auto end = lines.find('\n'); end != std::string::npos; end = lines.find('\n', begin)) {
        out.emplace_back(lines, begin, end - begin);
        begin = end + 1;
    }
    return out;
}

void event_hub::publish(const boost::json::object& event)
{
    if (active()) {
        event_batch one;
        one.add(event);
        publish(one);
    }
}

void event_hub::publish(const event_batch& batch)
{
    std::lock_guard lock(mutex_);
    if (list_.empty() || batch.empty()) {
        return;
    }
    const auto first = seq_ + 1;
    seq_ += batch.size();
    for (auto* s : list_) {
        s->push(batch, first);
    }
}

std::unique_ptr<event_subscription> event_hub::subscribe(std::function<void()> wake,
                                                         std::size_t capacity)
{
    auto s = std::make_unique<event_subscription>(*this, capacity, std::move(wake));
    event_batch hello;
    hello.add(boost::json::object{{"type", "hello"}});
    std::lock_guard lock(mutex_);
    open_.fetch_add(1, std::memory_order_relaxed); // until an event does not fit
    s->push(hello, seq_);
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
        std::lock_guard queue_lock(s->mutex_);
        if (!s->full_) {
            open_.fetch_sub(1, std::memory_order_relaxed);
        }
        subscribers_.fetch_sub(1, std::memory_order_relaxed);
    }
}

} // namespace mock
