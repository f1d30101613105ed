// GET /api/v1/sessions[/{id}] and /api/v1/messages[/{id}[/raw]]: what the mock recorded.
#include "config/duration.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"
#include "mockserver/control/json_views.hpp"
#include "smtp/ascii.hpp"

#include "json/json_text.hpp"
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <functional>
#include <memory>
#include <optional>

namespace mock::control {

namespace {

/// Default page of GET /api/v1/sessions.
constexpr std::uint64_t default_limit = 100;
/// A piece of a streamed body is cut once it reaches this size.
constexpr std::size_t piece_size = 64 * 1024;

std::optional<std::uint64_t> parse_unsigned(std::string_view text)
{
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return v;
}

// `?wait=SECONDS`: bare seconds ("2", "0.5") or a duration with a unit ("500ms"), at most
// max_wait.
std::optional<std::chrono::milliseconds> parse_wait(std::string_view text)
{
    const bool bare = !text.empty() && text.find_first_not_of("0123456789.") == text.npos;
    auto d = config::parse_duration(bare ? std::string(text) + "s" : std::string(text));
    if (d && *d > max_wait) {
        d = std::chrono::duration_cast<std::chrono::milliseconds>(max_wait);
    }
    return d;
}

api_response bad_wait(std::string_view value)
{
    return make_error(http_error::invalid_query,
                      "wait must be seconds (e.g. 2 or 0.5) or a duration such as 500ms, not '" +
                          std::string(value) + "'",
                      "wait");
}

// A response that waits until `ready` holds, then answers with `answer`; `ready` is asked again
// each time `changed` is notified (no polling). `changed` must outlive the response.
api_response long_polled(std::chrono::milliseconds wait, const io::change_signal& changed,
                         std::function<bool()> ready, std::function<api_response()> answer)
{
    api_response r;
    auto poll = std::make_shared<io::http::long_poll>();
    poll->ready = std::move(ready);
    poll->watch = [&changed](std::function<void()> wake) {
        return changed.subscribe(std::move(wake));
    };
    poll->answer = std::move(answer);
    poll->wait = wait;
    r.poll = std::move(poll);
    return r;
}

// One page of sessions, read from the registry a few at a time as the client takes them:
// {"sessions":[...],"next_since":ID,"next":"/api/v1/sessions?since=ID&limit=N" or null}
class session_page final : public io::http::body_source {
public:
    session_page(const session_registry& sessions, std::uint64_t since, std::uint64_t limit)
        : sessions_(sessions)
        , cursor_(since)
        , left_(limit)
        , limit_(limit)
    {
    }

    std::string next() override
    {
        if (done_) {
            return {};
        }
        std::string out = started_ ? std::string() : std::string(R"({"sessions":[)");
        started_ = true;
        while (left_ > 0 && out.size() < piece_size) {
            auto batch = sessions_.list(
                cursor_, static_cast<std::size_t>(std::min<std::uint64_t>(left_, 8)));
            if (batch.empty()) {
                newest_ = true;
                break;
            }
            for (const auto& record : batch) {
                auto snap = record->read();
                out += first_ ? "" : ",";
                first_ = false;
                out += json_text::serialize(to_json(snap));
                cursor_ = snap.id;
                --left_;
            }
        }
        if (left_ == 0 || newest_) {
            out += finish();
        }
        return out;
    }

private:
    // The page ends; `next` points at the following page when there is one yet.
    std::string finish()
    {
        done_ = true;
        bool more = !newest_ && !sessions_.list(cursor_, 1).empty();
        std::string next = more ? "\"/api/v1/sessions?since=" + std::to_string(cursor_) +
                                      "&limit=" + std::to_string(limit_) + "\""
                                : std::string("null");
        return "],\"next_since\":" + std::to_string(cursor_) + ",\"next\":" + next + "}\n";
    }

    const session_registry& sessions_;
    std::uint64_t cursor_;
    std::uint64_t left_;
    std::uint64_t limit_;
    bool started_ = false;
    bool first_ = true;
    bool newest_ = false;
    bool done_ = false;
};

// The metadata of a list of messages taken at the time of the request.
class message_list final : public io::http::body_source {
public:
    explicit message_list(std::vector<std::shared_ptr<const captured_message>> messages)
        : messages_(std::move(messages))
    {
    }

    std::string next() override
    {
        if (done_) {
            return {};
        }
        std::string out = next_ == 0 ? std::string(R"({"messages":[)") : std::string();
        while (next_ < messages_.size() && out.size() < piece_size) {
            out += next_ == 0 ? "" : ",";
            out += json_text::serialize(to_json(*messages_[next_]));
            messages_[next_++].reset();
        }
        if (next_ == messages_.size()) {
            out += "]}\n";
            done_ = true;
        }
        return out;
    }

private:
    std::vector<std::shared_ptr<const captured_message>> messages_;
    std::size_t next_ = 0;
    bool done_ = false;
};

// A stored message's bytes, in pieces, without copying the whole of it.
class message_bytes final : public io::http::body_source {
public:
    explicit message_bytes(std::shared_ptr<const captured_message> m)
        : message_(std::move(m))
    {
    }

    std::string next() override
    {
        const auto& data = message_->data;
        auto piece = data.substr(std::min(offset_, data.size()), piece_size);
        offset_ += piece.size();
        return piece;
    }

private:
    std::shared_ptr<const captured_message> message_;
    std::size_t offset_ = 0;
};

// The `from` and `to` filters of GET /api/v1/messages.
struct message_filter {
    std::optional<std::string> from;
    std::optional<std::string> to;

    bool matches(const captured_message& m) const
    {
        auto same = [](const std::string& a, const std::string& b) {
            return smtp::iequals(a, b);
        };
        return (!from || same(*from, m.mail_from)) &&
               (!to || std::any_of(m.rcpt_to.begin(), m.rcpt_to.end(),
                                   [&](const std::string& r) { return same(*to, r); }));
    }

    std::vector<std::shared_ptr<const captured_message>>
    select(std::vector<std::shared_ptr<const captured_message>> all) const
    {
        std::erase_if(all, [this](const auto& m) { return !matches(*m); });
        return all;
    }
};

} // namespace

api_response list_sessions(const io::http::request_target& target, const api_state& state)
{
    std::uint64_t since = 0;
    std::uint64_t limit = default_limit;
    std::optional<std::chrono::milliseconds> wait;
    for (const auto& [name, value] : target.query) {
        if (name == "wait") {
            if (!(wait = parse_wait(value))) {
                return bad_wait(value);
            }
            continue;
        }
        auto number = parse_unsigned(value);
        if (name == "since" && !number) {
            return make_error(
                http_error::invalid_query,
                "since must be a session id (an unsigned integer), not '" + value + "'", "since");
        }
        if (name == "limit" && (!number || *number == 0)) {
            return make_error(http_error::invalid_query,
                              "limit must be a positive integer (at most " +
                                  std::to_string(max_sessions_page) + " are returned), not '" +
                                  value + "'",
                              "limit");
        }
        (name == "since" ? since : limit) = *number;
    }
    since = std::max(since, state.sessions_forgotten.load());
    limit = std::min(limit, max_sessions_page);
    const auto* sessions = state.sessions;
    auto page = [sessions, since, limit] {
        api_response r;
        r.stream = std::make_shared<session_page>(*sessions, since, limit);
        return r;
    };
    if (!wait) {
        return page();
    }
    return long_polled(
        *wait, sessions->created(), [sessions, since] { return !sessions->list(since, 1).empty(); },
        page);
}

std::uint64_t forget_sessions(api_state& state)
{
    const auto newest = state.sessions->total();
    const auto before = state.sessions_forgotten.exchange(newest);
    return newest > before ? newest - before : 0;
}

api_response delete_sessions(api_state& state)
{
    boost::json::object o;
    o["deleted"] = forget_sessions(state);
    return json_response(o);
}

api_response get_session(std::string_view id, const io::http::request_target& target,
                         const api_state& state)
{
    bool text = false;
    for (const auto& [name, value] : target.query) {
        if (name == "format" && (value == "text" || value == "json")) {
            text = value == "text";
        } else if (name == "format") {
            return make_error(http_error::invalid_query,
                              "format must be 'json' or 'text', not '" + value + "'", "format");
        }
    }
    auto number = parse_unsigned(id);
    auto record = number && *number > state.sessions_forgotten.load()
                      ? state.sessions->find(*number)
                      : nullptr;
    if (!record) {
        return make_error(http_error::not_found, "no session with id '" + std::string(id) + "'",
                          "id");
    }
    if (text) {
        api_response r;
        r.content_type = "text/plain; charset=utf-8";
        r.body = to_text(record->read());
        return r;
    }
    return json_response(to_json(record->read()));
}

api_response list_messages(const io::http::request_target& target, const api_state& state)
{
    message_filter filter;
    std::optional<std::chrono::milliseconds> wait;
    std::uint64_t count = 1;
    for (const auto& [name, value] : target.query) {
        if (name == "wait" && !(wait = parse_wait(value))) {
            return bad_wait(value);
        }
        if (name == "count") {
            auto number = parse_unsigned(value);
            if (!number) {
                return make_error(http_error::invalid_query,
                                  "count must be an unsigned integer, not '" + value + "'",
                                  "count");
            }
            count = *number;
        }
        if (name == "from") {
            filter.from = value;
        } else if (name == "to") {
            filter.to = value;
        }
    }
    const auto* store = state.store;
    auto answer = [store, filter] {
        api_response r;
        r.stream = std::make_shared<message_list>(filter.select(store->list()));
        return r;
    };
    if (!wait) {
        return answer();
    }
    // Asked again whenever a message is stored: without filters the count alone tells.
    auto ready = [store, filter, count] {
        return filter.from || filter.to ? filter.select(store->list()).size() >= count
                                        : store->size() >= count;
    };
    return long_polled(*wait, store->stored(), std::move(ready), std::move(answer));
}

api_response get_message(std::string_view id, const api_state& state)
{
    auto m = state.store->find(std::string(id));
    if (!m) {
        return make_error(http_error::not_found, "no message with id '" + std::string(id) + "'",
                          "id");
    }
    return json_response(to_json(*m));
}

api_response get_message_raw(std::string_view id, const api_state& state)
{
    auto m = state.store->find(std::string(id));
    if (!m) {
        return make_error(http_error::not_found, "no message with id '" + std::string(id) + "'",
                          "id");
    }
    api_response r;
    r.content_type = "message/rfc822";
    r.stream = std::make_shared<message_bytes>(std::move(m));
    return r;
}

api_response delete_messages(api_state& state)
{
    boost::json::object o;
    o["deleted"] = state.store->clear();
    return json_response(o);
}

api_response delete_message(std::string_view id, api_state& state)
{
    if (!state.store->remove(std::string(id))) {
        return make_error(http_error::not_found, "no message with id '" + std::string(id) + "'",
                          "id");
    }
    boost::json::object o;
    o["deleted"] = 1;
    return json_response(o);
}

} // namespace mock::control
