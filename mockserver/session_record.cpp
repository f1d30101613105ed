#include "mockserver/session_record.hpp"

#include "smtp/escape.hpp"

#include <algorithm>

namespace mock {

std::string_view to_string(session_outcome o) noexcept
{
    switch (o) {
    case session_outcome::active: return "active";
    case session_outcome::quit: return "quit";
    case session_outcome::client_closed: return "client_closed";
    case session_outcome::idle_timeout: return "idle_timeout";
    case session_outcome::fault_closed: return "fault_closed";
    case session_outcome::refused: return "refused";
    case session_outcome::tls_failed: return "tls_failed";
    case session_outcome::server_stop: return "server_stop";
    case session_outcome::error: return "error";
    case session_outcome::command_timeout:
        return "command_timeout";
    case session_outcome::too_many_errors:
        return "too_many_errors";
    }
    return "unknown";
}

std::string_view to_string(session_closer c) noexcept
{
    switch (c) {
    case session_closer::client:
        return "client";
    case session_closer::server:
        return "server";
    case session_closer::fault:
        return "fault";
    }
    return "server";
}

session_record::session_record(std::uint64_t id, std::string peer, std::string local,
                               std::chrono::system_clock::time_point started_at,
                               std::chrono::steady_clock::time_point started_steady,
                               event_hub* events)
    : id_(id)
    , started_steady_(started_steady)
    , events_(events)
{
    data_.peer = std::move(peer);
    data_.local = std::move(local);
    data_.started_at = started_at;
}

namespace {

// The type of the live event of a transcript entry of direction `dir`.
std::string_view event_type(std::string_view dir) noexcept
{
    return dir == "C" ? "command" : dir == "S" ? "reply" : "note";
}

} // namespace

void session_record::add(std::string_view dir, std::string_view text,
                         std::chrono::steady_clock::time_point now)
{
    if (events_ != nullptr && events_->active()) {
        note_event(event_type(dir), now, {{"text", text}});
    }
    std::lock_guard lock(mutex_);
    if (start_entry(dir, now)) {
        text_.append(text);
        end_entry();
    }
}

void session_record::add_escaped(std::string_view dir, std::string_view bytes,
                                 std::chrono::steady_clock::time_point now)
{
    const bool live = events_ != nullptr && events_->active();
    std::lock_guard lock(mutex_);
    if (start_entry(dir, now)) {
        smtp::append_escaped(text_, bytes);
        end_entry();
        if (live) {
            // The live event takes the text just escaped into the transcript: escaped once.
            const auto& e = entries_.back();
            note_event(event_type(dir), now,
                       {{"text", std::string_view(text_).substr(e.at + e.dir_size)}});
        }
    } else if (live) {
        // The transcript is full: the event's text is escaped in a buffer kept for it.
        escaped_.clear();
        smtp::append_escaped(escaped_, bytes);
        note_event(event_type(dir), now, {{"text", escaped_}});
    }
}

bool session_record::start_entry(std::string_view dir, std::chrono::steady_clock::time_point now)
{
    if (entries_.size() >= max_entries) {
        ++data_.dropped_entries;
        return false;
    }
    if (entries_.empty()) {
        // A one-message session has about 25 entries of 20 octets: a few doublings from here,
        // while a connection held at its banner keeps its three entries.
        entries_.reserve(4);
        text_.reserve(128);
    }
    std::chrono::duration<double, std::milli> t = now - started_steady_;
    entries_.push_back({t.count(), static_cast<std::uint32_t>(text_.size()),
                        static_cast<std::uint32_t>(dir.size()), 0});
    text_.append(dir);
    return true;
}

void session_record::end_entry() noexcept
{
    auto& e = entries_.back();
    e.text_size = static_cast<std::uint32_t>(text_.size() - e.at - e.dir_size);
}

void session_record::add_fired(const faults::fired_rule& rule, std::string_view effect,
                               std::chrono::steady_clock::time_point now)
{
    if (events_ != nullptr && events_->active()) {
        note_event("fault", now,
                {{"rule", rule.rule_id}, {"phase", smtp::to_string(rule.at)}, {"effect", effect}});
    }
    std::lock_guard lock(mutex_);
    data_.fired.push_back(rule);
}

void session_record::note_phase(smtp::phase phase, std::chrono::steady_clock::time_point now)
{
    if (phase_ == phase) {
        return;
    }
    phase_ = phase;
    if (events_ != nullptr && events_->active()) {
        note_event("phase", now, {{"phase", smtp::to_string(phase)}});
    }
}

void session_record::note_event(std::string_view type, std::chrono::steady_clock::time_point now,
                                std::initializer_list<event_field> fields)
{
    note_event(type, std::chrono::nanoseconds(now - started_steady_), fields);
}

void session_record::note_event(std::string_view type,
                                std::optional<std::chrono::nanoseconds> since_start,
                                std::initializer_list<event_field> fields)
{
    if (events_ == nullptr || !events_->active()) {
        return;
    }
    // With every subscriber's queue full the event would be dropped for all: count it only.
    if (events_->accepting()) {
        pending_.add(type, id_, since_start, fields);
    } else {
        pending_.add_dropped();
    }
}

void session_record::publish_pending()
{
    events_->publish(pending_);
    pending_.clear();
}

void session_record::add_message(std::string id)
{
    if (events_ != nullptr && events_->active()) {
        note_event("message", std::chrono::steady_clock::now(), {{"id", id}});
    }
    std::lock_guard lock(mutex_);
    data_.messages.push_back(std::move(id));
}

void session_record::set_tls(std::string version, std::string cipher)
{
    std::lock_guard lock(mutex_);
    if (!seldom_) {
        seldom_ = std::make_unique<seldom_fields>();
    }
    seldom_->tls_version = std::move(version);
    seldom_->tls_cipher = std::move(cipher);
}

void session_record::set_auth(std::string user)
{
    std::lock_guard lock(mutex_);
    if (!seldom_) {
        seldom_ = std::make_unique<seldom_fields>();
    }
    seldom_->auth_user = std::move(user);
}

void session_record::finish(session_outcome outcome, session_closer closed_by,
                            std::chrono::steady_clock::time_point now)
{
    auto since_start = std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::max(now - started_steady_, std::chrono::steady_clock::duration::zero()));
    {
        std::lock_guard lock(mutex_);
        if (data_.ended_at) {
            return;
        }
        data_.outcome = outcome;
        data_.closed_by = closed_by;
        data_.ended_at = data_.started_at + since_start;
    }
    if (events_ != nullptr && events_->active()) {
        note_event("session_ended", now,
                {{"outcome", to_string(outcome)}, {"closed_by", to_string(closed_by)}});
    }
}

session_record::snapshot session_record::read() const
{
    std::lock_guard lock(mutex_);
    snapshot out{.id = id_,
                 .peer = data_.peer,
                 .local = data_.local,
                 .started_at = data_.started_at,
                 .ended_at = data_.ended_at,
                 .outcome = data_.outcome,
                 .closed_by = data_.closed_by,
                 .transcript = {},
                 .dropped_entries = data_.dropped_entries,
                 .fired = data_.fired,
                 .messages = data_.messages,
                 .tls_version = seldom_ ? seldom_->tls_version : std::nullopt,
                 .tls_cipher = seldom_ ? seldom_->tls_cipher : std::nullopt,
                 .auth_user = seldom_ ? seldom_->auth_user : std::nullopt};
    out.transcript.reserve(entries_.size());
    const std::string_view text = text_;
    for (const auto& e : entries_) {
        out.transcript.push_back({e.t_ms, std::string(text.substr(e.at, e.dir_size)),
                                  std::string(text.substr(e.at + e.dir_size, e.text_size))});
    }
    return out;
}

session_outcome session_record::outcome() const
{
    std::lock_guard lock(mutex_);
    return data_.outcome;
}

bool session_record::tls() const
{
    std::lock_guard lock(mutex_);
    return seldom_ && seldom_->tls_version;
}

std::optional<std::string> session_record::auth_user() const
{
    std::lock_guard lock(mutex_);
    return seldom_ ? seldom_->auth_user : std::nullopt;
}

} // namespace mock
