#include "mockserver/session_driver.hpp"

#include "io/blocking_work.hpp"
#include "io/deadline_watchdog.hpp"
#include "io/endpoint.hpp"
#include "mockserver/connection.hpp"
#include "mockserver/server_session.hpp"
#include "mockserver/tls_contexts.hpp"

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>
#include <cmath>
#include <system_error>

namespace mock {

namespace net = boost::asio;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

// Every deadline race of a session is woken by a graceful stop (partial cancellation) as well
// as by a stop now.
constexpr net::enable_partial_cancellation stop_too;

// What became of one read, write, wait or handshake.
struct op_result {
    error_code ec;          // its error, if it failed
    bool timed_out = false; // its deadline passed first
};

// What became of an operation raced against its deadline.
op_result result_of(const std::optional<error_code>& r)
{
    return r ? op_result{*r, false} : op_result{{}, true};
}

// What became of one store.
struct store_result {
    std::error_code error; // empty when stored
    std::string what;      // why not, for the transcript
};

store_result store_now(message_store& store, captured_message& m) noexcept
{
    try {
        store.add(std::move(m));
        return {};
    } catch (const std::system_error& e) {
        return {e.code(), e.what()};
    } catch (const std::exception& e) {
        return {std::make_error_code(std::errc::io_error), e.what()};
    } catch (...) {
        return {std::make_error_code(std::errc::io_error), "unknown error"};
    }
}

// Keeps the counters and the record right however the session ends, even when its frame is
// destroyed at a hard stop before the session could finish its record.
struct session_scope {
    server_context& ctx;
    std::shared_ptr<session_record> record;

    ~session_scope()
    {
        if (record->outcome() == session_outcome::active) {
            record->finish(session_outcome::server_stop, session_closer::server, clock_type::now());
        }
        record->flush_events();
        auto outcome = record->outcome();
        ctx.registry->count_outcome(outcome);
        if (outcome == session_outcome::refused) {
            ctx.counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
        }
        ctx.counters.connections_active.fetch_sub(1, std::memory_order_relaxed);
    }
};

// What the driver needs to perform a session's actions and report each result back to it.
// The loop itself is run_session(), so that a held connection keeps one coroutine frame.
class driver {
public:
    driver(connection& conn, server_context& ctx, const net::any_io_executor* store_executor,
           server_session& session, net::cancellation_state cancellation)
        : conn_(conn)
        , ctx_(ctx)
        , store_executor_(store_executor)
        , session_(session)
        , cancellation_(cancellation)
        , timer_(conn.socket())
        , watchdog_(timer_, conn.socket())
    {
    }

    // The stop requested since the last look, if any: each level is passed on once.
    std::optional<shutdown_kind> fresh_stop()
    {
        using ct = net::cancellation_type;
        auto cancelled = cancellation_.cancelled();
        if ((cancelled & ct::terminal) != ct::none && !stopped_now_) {
            stopped_now_ = stopping_ = true;
            return shutdown_kind::immediate;
        }
        if ((cancelled & ct::partial) != ct::none && !stopping_) {
            stopping_ = true;
            return shutdown_kind::graceful;
        }
        return std::nullopt;
    }

    // The session's answer to the result of the `pending` action; a stop that interrupted the
    // operation, or came while it ran, is passed on too.
    template <typename OnSuccess, typename OnError>
    session_action report(const op_result& r, session_action& pending, OnSuccess&& on_success,
                          OnError&& on_error)
    {
        auto stop = fresh_stop();
        auto now = clock_type::now();
        if (stop && (r.timed_out || r.ec == net::error::operation_aborted)) {
            return session_.on_shutdown(*stop, std::move(pending), true, now);
        }
        session_action next = r.timed_out ? session_.on_timeout(now)
                              : r.ec      ? on_error(r.ec, now)
                                          : on_success(now);
        return stop ? session_.on_shutdown(*stop, std::move(next), false, now) : next;
    }

    template <typename OnSuccess>
    session_action report(const op_result& r, session_action& pending, OnSuccess&& on_success)
    {
        return report(r, pending, std::forward<OnSuccess>(on_success),
                      [this](const error_code& ec, clock_type::time_point now) {
                          return session_.on_io_error(to_transport_error(ec), ec.message(), now);
                      });
    }

    // A read that must end by `deadline` starts: run_session awaits conn.read_some(input())
    // itself (one coroutine frame fewer per read), then hands its error to end_read().
    void start_read(clock_type::time_point deadline) { watchdog_.start(deadline); }

    std::string& input() noexcept { return input_; }

    op_result end_read(const error_code& ec)
    {
        return watchdog_.finish() ? op_result{{}, true} : op_result{ec, false};
    }

    net::awaitable<op_result> sleep_until(clock_type::time_point until)
    {
        watchdog_.release();
        auto& timer = timer_.get();
        timer.expires_at(until);
        auto [ec] = co_await timer.async_wait();
        co_return op_result{ec, false};
    }

    session_action delivered(clock_type::time_point now)
    {
        ctx_.counters.bytes_received.fetch_add(input_.size(), std::memory_order_relaxed);
        auto next = session_.on_read(input_, now);
        input_.clear();
        return next;
    }

    // Writes what the socket takes at once. Most replies fit the send buffer: they are done
    // here, with no wait, no deadline and no coroutine frame; the rest (a trickle, a full send
    // buffer) returns nothing and is for write_rest().
    std::optional<op_result> write_now(const write_op& w)
    {
        if (w.pace) {
            return std::nullopt;
        }
        op_result r;
        sent_ = conn_.write_now(w.bytes, r.ec);
        if (!r.ec && sent_ < w.bytes.size()) {
            return std::nullopt;
        }
        ctx_.counters.bytes_sent.fetch_add(sent_, std::memory_order_relaxed);
        return r;
    }

    // What write_now() left: the trickle, or the bytes the send buffer did not take.
    net::awaitable<op_result> write_rest(const write_op& w)
    {
        if (w.pace) {
            co_return co_await trickle(w);
        }
        auto r = result_of(co_await io::with_deadline(
            conn_.write(std::string_view(w.bytes).substr(sent_)), w.deadline, stop_too));
        const auto sent = r.ec || r.timed_out ? sent_ : w.bytes.size();
        ctx_.counters.bytes_sent.fetch_add(sent, std::memory_order_relaxed);
        co_return r;
    }

    // Sends the bytes in the slices of the trickle's pace, paced against the start time so that
    // rounding does not accumulate.
    net::awaitable<op_result> trickle(const write_op& w)
    {
        const std::string_view bytes = w.bytes;
        const auto slice = std::max<std::size_t>(w.pace->slice_bytes, 1);
        const auto start = clock_type::now();
        std::size_t sent = 0;
        std::int64_t slices = 0;
        while (sent < bytes.size()) {
            auto n = std::min(slice, bytes.size() - sent);
            auto r = result_of(co_await io::with_deadline(conn_.write(bytes.substr(sent, n)),
                                                          w.deadline, stop_too));
            if (r.ec || r.timed_out) {
                co_return r;
            }
            sent += n;
            ++slices;
            ctx_.counters.bytes_sent.fetch_add(n, std::memory_order_relaxed);
            if (sent < bytes.size()) {
                auto pace =
                    std::chrono::duration_cast<clock_type::duration>(w.pace->interval) * slices;
                auto due = pace < w.deadline - start ? start + pace : w.deadline;
                watchdog_.release();
                auto& timer = timer_.get();
                timer.expires_at(due);
                auto [ec] = co_await timer.async_wait();
                if (ec || due == w.deadline) {
                    co_return op_result{ec, !ec};
                }
            }
        }
        co_return op_result{};
    }

    // Performs `action`, a sleep, the rest of a write, a handshake, a store or a close, and
    // puts the session's answer there. Their awaits live in this frame, made while one runs,
    // not in the session's: a connection held by a hang keeps that one for its whole life.
    net::awaitable<void> perform(session_action& action)
    {
        if (auto* w = std::get_if<write_op>(&action)) {
            auto r = co_await write_rest(*w);
            action = report(r, action, [this](auto t) { return session_.on_written(t); });
        } else if (auto* sl = std::get_if<sleep_op>(&action)) {
            auto r = co_await sleep_until(sl->until);
            action = report(r, action, [this](auto t) { return session_.on_slept(t); });
        } else if (std::holds_alternative<tls_op>(action)) {
            co_await handshake(action);
        } else if (std::holds_alternative<store_op>(action)) {
            co_await store(action);
        } else if (auto* c = std::get_if<close_op>(&action)) {
            co_await close(*c);
            action = session_.on_closed(clock_type::now());
        }
    }

    // Runs the handshake of the tls_op in `action`, and puts the session's answer there (the
    // answer is not returned: a returned action would be stored in the session's frame for
    // the whole session).
    net::awaitable<void> handshake(session_action& action)
    {
        const tls_op& t = std::get<tls_op>(action);
        if (ctx_.tls == nullptr) {
            action = session_.on_tls_done(false, "TLS is not configured", "", clock_type::now());
            co_return;
        }
        session_action pending = t;
        auto r = result_of(co_await io::with_deadline(
            conn_.handshake(ctx_.tls->context_for(t.fault)), t.deadline, stop_too));
        action = report(
            r, pending,
            [this](auto now) {
                return session_.on_tls_done(true, conn_.tls_version(), conn_.tls_cipher(), now);
            },
            [this](const error_code& ec, auto now) {
                return session_.on_tls_done(false, ec.message(), "", now);
            });
    }

    // Stores the message of the store_op in `action`, and puts the session's answer there:
    // away from this thread when storing may block (a Maildir write), so that a slow disk
    // delays no other session. Never interrupted: a stop waits for it.
    net::awaitable<void> store(session_action& action)
    {
        store_op& s = std::get<store_op>(action);
        store_result result;
        if (store_executor_ != nullptr && ctx_.store->persists()) {
            auto work = [store = ctx_.store, m = std::move(s.message)]() mutable noexcept {
                return store_now(*store, *m);
            };
            result = co_await io::run_blocking(*store_executor_, std::move(work));
        } else {
            result = store_now(*ctx_.store, *s.message);
        }
        auto now = clock_type::now();
        auto next = session_.on_stored(result.error, result.what, now);
        auto stop = fresh_stop();
        action = stop ? session_.on_shutdown(*stop, std::move(next), false, now) : std::move(next);
    }

    // FIN, then drain the client's input until it closes or the linger ends (so that unread
    // input does not turn the close into a reset); or RST at once. The drain's reads are timed
    // as every read of the session is, by the watchdog; a stop wakes them too.
    net::awaitable<void> close(const close_op& c)
    {
        if (c.reset) {
            conn_.close(true);
            co_return;
        }
        conn_.shutdown_send();
        while (clock_type::now() < c.linger_until) {
            watchdog_.start(c.linger_until);
            auto ec = co_await conn_.read_some(input_);
            input_.clear();
            if (watchdog_.finish() || ec) {
                break;
            }
        }
        conn_.close(false);
    }

private:
    connection& conn_;
    server_context& ctx_;
    const net::any_io_executor* store_executor_; // null: store here
    server_session& session_;
    net::cancellation_state cancellation_;
    io::lazy_timer timer_; // sleeps, trickles, and the deadline of reads
    // The deadline of reads, on timer_, without a race per read.
    io::deadline_watchdog watchdog_;
    std::string input_;    // bytes read and not yet handed to the session
    std::size_t sent_ = 0; // octets of the current write that write_now() sent
    bool stopping_ = false;
    bool stopped_now_ = false;
};

// The record of a new session, in the registry, with its first line. Not in serve(): its
// locals would stay in the session's frame for as long as the session lasts.
std::shared_ptr<session_record> create_record(server_context& ctx, connection& conn,
                                              const net::ip::tcp::endpoint& peer,
                                              const std::string* local,
                                              clock_type::time_point now)
{
    std::string local_text;
    if (local == nullptr) {
        error_code ignored;
        local_text = io::to_string(conn.socket().local_endpoint(ignored));
    }
    auto peer_text = io::to_string(peer);
    auto record = ctx.registry->create(peer_text, local ? *local : std::move(local_text), now);
    record->add("event", "connection from " + peer_text, now);
    return record;
}

// The session of `conn`: run_session() less its parameter, which would otherwise stay in the
// frame beside the connection made of it for as long as the session lasts.
net::awaitable<void> serve(connection conn, net::ip::tcp::endpoint peer, const std::string* local,
                           bool implicit_tls, const scenario_listener* scenario,
                           server_context& ctx, const net::any_io_executor* store_executor)
{
    // Wake for a graceful stop as well as for a stop now, and see cancellation as values.
    co_await net::this_coro::throw_if_cancelled(false);
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    auto now = clock_type::now();
    ctx.counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    auto active = ctx.counters.connections_active.fetch_add(1, std::memory_order_relaxed) + 1;
    session_scope scope{ctx, create_record(ctx, conn, peer, local, now)};
    auto& record = *scope.record;
    if (scenario != nullptr) {
        record.add("event", "scenario port of '" + scenario->name + "'", now);
    }
    std::unique_ptr<faults::session_decider> decider;
    if (auto* source = scenario != nullptr ? scenario->faults : ctx.faults; source != nullptr) {
        decider = source->open_session(record.id(), record.peer(), now);
    }
    server_session session(ctx.config, record, *ctx.store, decider.get());
    driver d(conn, ctx, store_executor, session, co_await net::this_coro::cancellation_state);
    auto action = session.start(now, {implicit_tls, static_cast<std::size_t>(active)});
    // One action at a time, each awaited right here; the live events of the last one go first.
    error_code ec; // of the last read or wait (one for both: a local of each takes frame room)
    for (;;) {
        record.flush_events();
        if (auto* w = std::get_if<write_op>(&action)) {
            if (auto done = d.write_now(*w)) {
                action = d.report(*done, action, [&](auto t) { return session.on_written(t); });
                continue;
            }
            co_await d.perform(action); // the rest of the write
        } else if (auto* rd = std::get_if<read_op>(&action)) {
            d.start_read(rd->deadline);
            ec = co_await conn.read_some(d.input());
            action = d.report(d.end_read(ec), action, [&](auto t) { return d.delivered(t); });
        } else if (std::holds_alternative<hang_op>(action)) {
            // Send nothing; hand what arrives to the session (it records the lines) until the
            // peer goes or the server stops. Over plain TCP the wait is awaited right here and
            // what arrived is read without waiting: a held connection keeps one frame, and no
            // buffer until bytes come. What arrives goes where reads put it, d.input().
            ec.clear();
            while (!ec) {
                record.flush_events();
                if (conn.tls()) {
                    ec = co_await conn.read_some(d.input());
                } else {
                    ec = std::get<0>(co_await conn.wait_readable());
                    if (!ec) {
                        ec = conn.read_available(d.input());
                    }
                }
                if (!d.input().empty()) {
                    session.on_hang_input(d.input(), clock_type::now());
                    d.input().clear();
                }
            }
            action = d.report(op_result{ec, false}, action, [&](auto t) {
                return session.on_io_error(transport_error::end_of_stream, "", t); // not reached
            });
        } else if (std::holds_alternative<done_op>(action)) {
            co_return;
        } else {
            co_await d.perform(action);
        }
    }
}

} // namespace

net::awaitable<void> run_session(accepted_connection accepted, server_context& ctx,
                                 const net::any_io_executor* store_executor)
{
    return serve(connection(std::move(accepted.socket)), accepted.peer, accepted.local,
                 accepted.implicit_tls, accepted.scenario, ctx, store_executor);
}

} // namespace mock
