// Fuzzes the IMAP server session with hostile clients: arbitrary bytes in arbitrary chunks,
// with news from the mailbox, IDLE wake-ups and TLS upgrades between them. The session must
// never crash, never loop without asking for input, keep every write within its chunk size,
// and keep its output proportional to what it was sent.
#include "mockserver/credentials.hpp"
#include "mockserver/imap/imap_session.hpp"
#include "mockserver/imap/store_mailbox.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/pop3/store_maildrop.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) {
        return 0;
    }
    using clock = std::chrono::steady_clock;
    static const mock::user_table users = [] {
        mock::user_table t;
        t.add("carol", "pw");
        return t;
    }();
    const auto wall = std::chrono::system_clock::time_point{} + std::chrono::hours(480000);
    mock::message_store store;
    auto add = [&](std::string to, std::string content, std::chrono::seconds ago) {
        mock::captured_message m;
        m.rcpt_to = {std::move(to)};
        m.data = std::move(content);
        m.received_at = wall - ago;
        store.add(std::move(m));
    };
    add("bob@example.com",
        "From: A <a@example.org>\r\nTo: bob@example.com, \"Q, R\" <q@r>\r\nSubject: one\r\n"
        "Date: Mon, 12 Feb 2024 09:00:00 +0000\r\n\r\nbody one\r\n",
        std::chrono::seconds(7200));
    add("carol@example.com", "Subject: two\r\n\tfolded\r\n\r\nbody two", std::chrono::seconds(60));
    add("bob@example.com",
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\n"
        "a\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\nContent-Type: "
        "multipart/alternative; boundary=i\r\n\r\n--i\r\n\r\nx\r\n--i--\r\n--o--\r\n",
        std::chrono::seconds(30));
    mock::pop3::store_maildrop maildrops(store, &users);
    // Message 4 (the first that arrives later) is held back a minute, message 5 goes to Junk;
    // the wall clock does not move.
    mock::imap::store_mailbox mailboxes(
        maildrops, 1,
        [](const mock::captured_message& m, std::string_view) {
            mock::imap::delivery d;
            d.delay = m.id == "4" ? std::chrono::minutes(1) : std::chrono::minutes(0);
            d.folder = m.id == "5" ? mock::imap::folder_id::junk : mock::imap::folder_id::inbox;
            return std::vector<mock::imap::delivery>{d};
        },
        [wall] { return wall; });

    const std::uint8_t options = data[1];
    mock::imap::session_config config;
    config.tls_available = (options & 1) != 0;
    config.login_requires_tls = (options & 2) != 0;
    config.limits.literal_plus = (options & 4) != 0;
    config.limits.line = 512;
    config.limits.literal = 1024;
    config.limits.command = 4096;
    config.max_write = 256;
    mock::imap::imap_session session(mailboxes, config);
    auto now = clock::now();
    const std::size_t chunk = 1 + data[0] % 64;
    std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

    std::size_t written = 0;
    auto run = [&](mock::imap::action a) {
        for (int guard = 0; guard < 100000; ++guard) {
            if (auto* w = std::get_if<mock::imap::write_action>(&a)) {
                if (w->bytes.empty() || w->bytes.size() > config.max_write) {
                    std::abort(); // a write is never empty nor over the chunk size
                }
                written += w->bytes.size();
                a = session.on_written(now);
            } else if (std::holds_alternative<mock::imap::tls_action>(a)) {
                a = session.on_tls_done(true, now);
            } else {
                return a;
            }
        }
        std::abort(); // an action loop that never asks for input
    };
    auto a = run(session.start(now));
    std::size_t chunks = 0;
    while (!input.empty() && std::holds_alternative<mock::imap::read_action>(a)) {
        auto piece = input.substr(0, chunk);
        input.remove_prefix(piece.size());
        a = run(session.on_read(piece, now));
        ++chunks;
        if ((options & 8) != 0 && chunks % 3 == 0 &&
            std::holds_alternative<mock::imap::read_action>(a)) {
            add("bob@example.com", "Subject: more\r\n\r\n", std::chrono::seconds(1));
            if (auto changed = session.on_mailbox_changed(now)) {
                a = run(*changed);
            }
        }
        if ((options & 16) != 0 && std::holds_alternative<mock::imap::read_action>(a)) {
            // A wake-up before the autologout deadline (an IDLE poll).
            now = std::min(std::get<mock::imap::read_action>(a).deadline,
                           now + std::chrono::seconds(5));
            a = run(session.on_timeout(now));
        }
    }
    // Output stays proportional to input: no command multiplies the stored messages without
    // naming them once more.
    if (written > 64 * 1024 + 2000 * size) {
        std::abort();
    }
    return 0;
}
