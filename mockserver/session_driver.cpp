#include "mockserver/session_driver.hpp"

#include "io/endpoint.hpp"
#include "mockserver/connection.hpp"
#include "mockserver/server_session.hpp"
#include "mockserver/tls_contexts.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>


namespace mock {

namespace net = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

bool is_reset(const error_code& ec)
{
    return ec == net::error::connection_reset || ec == net::error::broken_pipe;
}

// Keeps the active-connection count and the live list right however the session ends.
struct session_scope {
    server_context& ctx;
    session_list& live;
    session_list::iterator handle;
    ~session_scope()
    {
        live.erase(handle);
        ctx.counters.connections_active.fetch_sub(1, std::memory_order_relaxed);
    }
};

// Sends `bytes` in slices at `pace` (the trickle effect chose the slice size).
net::awaitable<error_code> trickle(connection& conn, std::string_view bytes,
                                   const faults::pace& pace, server_context& ctx)
{
    auto start = clock_type::now();
    std::size_t sent = 0;
    std::size_t slices = 0;
    while (sent < bytes.size()) {
        auto n = std::min(std::max<std::size_t>(pace.slice_bytes, 1), bytes.size() - sent);
        if (auto ec = co_await conn.write(bytes.substr(sent, n))) {
            co_return ec;
        }
        sent += n;
        ++slices;
        ctx.counters.bytes_sent.fetch_add(n, std::memory_order_relaxed);
        if (sent < bytes.size()) {
            // Pace against the start time so that rounding does not accumulate.
            auto due = start + std::chrono::duration_cast<clock_type::duration>(
                                   pace.interval * static_cast<std::int64_t>(slices));
            io::steady_timer timer(co_await net::this_coro::executor);
            timer.expires_at(due);
            co_await timer.async_wait();
        }
    }
    co_return error_code{};
}

} // namespace

net::awaitable<void> run_session(io::tcp_socket socket, server_context& ctx, session_list& live,
                                 bool implicit_tls)
{
    error_code ec;
    auto peer = socket.remote_endpoint(ec);
    auto local = socket.local_endpoint(ec);
    connection conn(std::move(socket));
    ctx.counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    auto active = ctx.counters.connections_active.fetch_add(1, std::memory_order_relaxed) + 1;
    session_scope scope{ctx, live, live.insert(live.end(), session_handle{&conn, false})};

    auto record = ctx.registry->create(io::to_string(peer), io::to_string(local), clock_type::now());
    record->add("event", "connection from " + io::to_string(peer), clock_type::now());
    std::unique_ptr<faults::session_decider> decider;
    if (ctx.faults != nullptr) {
        decider = ctx.faults->open_session(record->id(), peer.address().to_string(),
                                           clock_type::now());
    }
    server_session session(ctx.config, *record, *ctx.store, decider.get());

    session_action action;
    if (ctx.max_connections != 0 && active > ctx.max_connections) {
        ctx.counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
        action = session.refuse(clock_type::now());
    } else {
        action = session.start(clock_type::now(), implicit_tls);
    }

    std::string input; // bytes read and not yet handed to the session
    io::steady_timer idle_timer(co_await net::this_coro::executor);
    for (;;) {
        if (scope.handle->stop_requested && !session.finished() &&
            (std::holds_alternative<read_op>(action) || std::holds_alternative<hang_op>(action))) {
            action = session.on_shutdown(clock_type::now());
            scope.handle->stop_requested = false;
        }
        if (auto* w = std::get_if<write_op>(&action)) {
            error_code wec;
            if (w->pace) {
                wec = co_await trickle(conn, w->bytes, *w->pace, ctx);
            } else {
                wec = co_await conn.write(w->bytes);
                ctx.counters.bytes_sent.fetch_add(w->bytes.size(), std::memory_order_relaxed);
            }
            action = !wec ? session.on_written(clock_type::now())
                     : is_reset(wec) ? session.on_peer_closed(true, clock_type::now())
                                     : session.on_io_error(wec.message(), clock_type::now());
        } else if (auto* r = std::get_if<read_op>(&action)) {
            // One timer per session, re-armed for each read, races the read.
            idle_timer.expires_at(r->deadline);
            auto result = co_await (conn.read_some(input) || idle_timer.async_wait());
            if (result.index() == 1) {
                action = session.on_read_timeout(clock_type::now());
                continue;
            }
            auto rec = std::get<0>(result);
            if (rec == net::error::operation_aborted && scope.handle->stop_requested) {
                continue;
            }
            if (rec) {
                action = rec == net::error::eof || is_reset(rec) || rec == net::ssl::error::stream_truncated
                             ? session.on_peer_closed(is_reset(rec), clock_type::now())
                             : session.on_io_error(rec.message(), clock_type::now());
                continue;
            }
            ctx.counters.bytes_received.fetch_add(input.size(), std::memory_order_relaxed);
            action = session.on_read(input, clock_type::now());
            input.clear();
        } else if (auto* s = std::get_if<sleep_op>(&action)) {
            co_await io::sleep_for(s->duration);
            action = session.on_slept(clock_type::now());
        } else if (std::holds_alternative<hang_op>(action)) {
            // Send nothing; discard input until the peer goes or the server stops.
            error_code hec;
            while (!hec && !scope.handle->stop_requested) {
                hec = co_await conn.read_discard();
            }
            if (scope.handle->stop_requested) {
                conn.close(false);
                break;
            }
            action = session.on_peer_closed(is_reset(hec), clock_type::now());
        } else if (auto* t = std::get_if<tls_op>(&action)) {
            if (ctx.tls == nullptr) {
                action = session.on_tls_done(false, "TLS is not configured", "", clock_type::now());
                continue;
            }
            if (t->fault && t->fault->handshake == faults::tls_fault::handshake_mode::hang) {
                action = hang_op{};
                continue;
            }
            auto deadline = clock_type::now() + ctx.config.idle_timeout;
            auto result = co_await io::with_deadline(conn.handshake(ctx.tls->context_for(t->fault)),
                                                     deadline);
            if (!result || *result) {
                action = session.on_tls_done(false, result ? result->message() : "handshake timed out",
                                             "", clock_type::now());
                conn.close(false);
                continue;
            }
            action = session.on_tls_done(true, conn.tls_version(), conn.tls_cipher(),
                                         clock_type::now());
        } else if (auto* c = std::get_if<close_op>(&action)) {
            if (c->reset) {
                conn.close(true);
            } else {
                co_await conn.close_gracefully(ctx.close_linger);
            }
            break;
        } else {
            break; // done_op
        }
    }
    ctx.registry->count_outcome(record->outcome());
}

} // namespace mock
