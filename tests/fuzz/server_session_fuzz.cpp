// Fuzzes the whole server session with hostile clients: arbitrary bytes in arbitrary chunks.
// The session must never crash, never stop answering with well-formed output, and keep memory
// bounded; whatever it accepted must be in the store.
#include "mockserver/credentials.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/server_session.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
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
    std::size_t chunk = 1 + data[0] % 64;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    std::size_t written = 0;
    auto run = [&](mock::session_action a) {
        for (int guard = 0; guard < 100000; ++guard) {
            if (auto* w = std::get_if<mock::write_op>(&a)) {
                written += w->bytes.size();
                a = session.on_written(now);
            } else if (std::holds_alternative<mock::sleep_op>(a)) {
                a = session.on_slept(now);
            } else if (std::holds_alternative<mock::tls_op>(a)) {
                a = session.on_tls_done(true, "TLSv1.3", "fuzz", now);
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
    // Replies are bounded by the input: no amplification beyond a fixed factor.
    if (written > 4096 + 200 * size) {
        std::abort();
    }
    for (const auto& m : store.list()) {
        if (m->data.size() > config.max_message_size) {
            std::abort();
        }
    }
    return 0;
}
