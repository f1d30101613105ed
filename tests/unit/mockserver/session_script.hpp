#pragma once

// A scripted driver for server_session: performs its actions against in-memory buffers and
// an artificial clock, so that dialogues run without sockets or sleeping.

#include "mockserver/credentials.hpp"
#include "mockserver/server_session.hpp"

#include <deque>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace mock::test {

/// A decider that answers from a list of (phase, action) pairs, each used once, in order.
class scripted_decider : public faults::session_decider {
public:
    void on(smtp::phase p, faults::action a)
    {
        a.fired = faults::fired_rule{"r" + std::to_string(script_.size() + 1), p};
        script_.push_back({p, std::move(a)});
    }

    faults::action decide(const faults::decision_point& at,
                          std::chrono::steady_clock::time_point) override
    {
        asked.push_back(at.phase);
        for (auto it = script_.begin(); it != script_.end(); ++it) {
            if (it->first == at.phase) {
                auto a = it->second;
                script_.erase(it);
                return a;
            }
        }
        return {};
    }

    std::vector<smtp::phase> asked;

private:
    std::deque<std::pair<smtp::phase, faults::action>> script_;
};

/// One session with everything it needs, and the driver loop.
class session_script {
public:
    using clock = std::chrono::steady_clock;

    explicit session_script(session_config config = {}, bool with_decider = true)
        : config_(std::move(config))
        , record_(1, "127.0.0.1:50000", "127.0.0.1:2525", std::chrono::system_clock::now(), now)
        , session_(config_, record_, store, with_decider ? &decider : nullptr)
    {
    }

    /// Accepts the connection and runs until the session wants input.
    void start(bool implicit_tls = false, std::size_t active_connections = 1)
    {
        run(session_.start(now, {implicit_tls, active_connections}));
    }

    /// Delivers bytes and runs until the session wants input again.
    void send(std::string_view bytes) { run(session_.on_read(bytes, now)); }

    /// Delivers bytes while the session hangs (the driver hands them over, expecting nothing).
    void send_while_hanging(std::string_view bytes) { session_.on_hang_input(bytes, now); }

    /// Delivers bytes one chunk per element.
    void send_chunks(const std::vector<std::string>& chunks)
    {
        for (const auto& c : chunks) {
            send(c);
        }
    }

    /// Everything written so far, and forgets it.
    std::string take_output() { return std::exchange(output, {}); }

    /// Runs the action loop: writes land in `output`, sleeps advance the clock, stores go to
    /// `store` (or fail with `store_error` when set), a close is performed and reported; it
    /// stops at a read, a hang, a TLS handshake or the end.
    void run(session_action a)
    {
        for (;;) {
            if (auto* w = std::get_if<write_op>(&a)) {
                output += w->bytes;
                writes.push_back(w->bytes);
                write_deadlines.push_back(w->deadline);
                if (w->pace) {
                    trickled.push_back(w->pace->bytes_per_second);
                }
                a = session_.on_written(now);
            } else if (auto* s = std::get_if<sleep_op>(&a)) {
                if (s->until > now) {
                    slept += s->until - now;
                    now = s->until;
                }
                a = session_.on_slept(now);
            } else if (auto* st = std::get_if<store_op>(&a)) {
                a = store_error
                        ? session_.on_stored(*store_error, "simulated failure", now)
                        : (store.add(std::move(*st->message)), session_.on_stored({}, "", now));
            } else if (auto* c = std::get_if<close_op>(&a)) {
                closed_with = *c;
                a = session_.on_closed(now);
            } else {
                last = a;
                return;
            }
        }
    }

    bool reading() const { return std::holds_alternative<read_op>(last); }
    bool hanging() const { return std::holds_alternative<hang_op>(last); }
    /// Whether the session closed the connection, with RST (`reset`) or FIN.
    bool closed(bool reset) const { return closed_with && closed_with->reset == reset; }
    bool tls_requested() const { return std::holds_alternative<tls_op>(last); }
    bool done() const { return std::holds_alternative<done_op>(last); }

    clock::time_point now = clock::time_point{} + std::chrono::hours(1);
    message_store store;
    std::optional<std::error_code> store_error;
    scripted_decider decider;
    std::string output;
    std::vector<std::string> writes;
    std::vector<clock::time_point> write_deadlines;
    std::vector<double> trickled;
    clock::duration slept{};
    std::optional<close_op> closed_with;
    session_action last;

    server_session& session() { return session_; }
    session_record& record() { return record_; }

private:
    session_config config_;
    session_record record_;
    server_session session_;
};

} // namespace mock::test
