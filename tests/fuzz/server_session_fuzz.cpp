// Fuzzes the whole server session with hostile clients: arbitrary bytes in arbitrary chunks,
// with the driver's events (a failed store, a timeout, a server stop) chosen by the input too.
// The session must never crash or throw, never stop answering with well-formed output, and
// keep memory bounded; whatever it accepted must be in the store; and however the input ends
// the session, its record says how it ended (an outcome, when, and who closed).
#include "mockserver/credentials.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/server_session.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <system_error>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) {
        return 0;
    }
    using clock = std::chrono::steady_clock;
    static const mock::user_table users = [] {
        mock::user_table t;
        t.add("user", "pass");
        return t;
    }();
    mock::session_config config;
    config.tls_available = true;
    config.credentials = &users;
    config.max_message_size = 4096;
    mock::message_store store;
    auto now = clock::now();
    mock::session_record record(1, "peer", "local", std::chrono::system_clock::now(), now);
    mock::server_session session(config, record, store, nullptr);
    // The first octet: the chunk size; the second: which event ends the input (and whether
    // stores fail).
    std::size_t chunk = 1 + data[0] % 64;
    const std::uint8_t events = data[1];
    const bool stores_fail = (events & 0x80) != 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

    std::size_t written = 0;
    bool closed = false;
    auto run = [&](mock::session_action a) {
        for (int guard = 0; guard < 100000; ++guard) {
            if (auto* w = std::get_if<mock::write_op>(&a)) {
                written += w->bytes.size();
                a = session.on_written(now);
            } else if (std::holds_alternative<mock::sleep_op>(a)) {
                a = session.on_slept(now);
            } else if (std::holds_alternative<mock::tls_op>(a)) {
                a = session.on_tls_done(true, "TLSv1.3", "fuzz", now);
            } else if (auto* st = std::get_if<mock::store_op>(&a)) {
                if (stores_fail) {
                    a = session.on_stored(std::make_error_code(std::errc::io_error), "fuzz", now);
                } else {
                    store.add(std::move(*st->message));
                    a = session.on_stored({}, "", now);
                }
            } else if (std::holds_alternative<mock::close_op>(a)) {
                closed = true;
                a = session.on_closed(now);
            } else {
                return a;
            }
        }
        std::abort(); // an action loop that never asks for input
    };
    auto a = run(session.start(now));
    while (!input.empty() && std::holds_alternative<mock::read_op>(a)) {
        auto piece = input.substr(0, chunk);
        input.remove_prefix(piece.size());
        a = run(session.on_read(piece, now));
    }
    // The input is over: the client goes, or a deadline passes, or the server stops.
    if (!std::holds_alternative<mock::done_op>(a)) {
        switch (events % 4) {
        case 0:
            a = run(session.on_io_error(mock::transport_error::end_of_stream, "", now));
            break;
        case 1:
            a = run(session.on_timeout(now));
            break;
        case 2:
            a = run(session.on_shutdown(mock::shutdown_kind::graceful, a, true, now));
            break;
        default:
            a = run(session.on_shutdown(mock::shutdown_kind::immediate, a, true, now));
            break;
        }
        if (!std::holds_alternative<mock::done_op>(a)) {
            a = run(session.on_io_error(mock::transport_error::reset, "", now));
        }
    }
    // No input ends a session without a record of how it ended.
    auto r = record.read();
    if (!std::holds_alternative<mock::done_op>(a) || !closed ||
        r.outcome == mock::session_outcome::active || !r.ended_at || !r.closed_by) {
        std::abort();
    }
    // Replies are bounded by the input: no amplification beyond a fixed factor.
    if (written > 4096 + 200 * size) {
        std::abort();
    }
    for (const auto& m : store.list()) {
        if (m->data.size() > config.max_message_size) {
            std::abort();
        }
    }
    if (r.messages.size() != store.size()) {
        std::abort();
    }
    return 0;
}
