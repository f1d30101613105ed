#pragma once

// A scripted driver for imap_session: performs its actions against in-memory buffers and an
// artificial clock, so that IMAP dialogues run without sockets or sleeping. Mailboxes come from
// a real message store through the POP3 maildrops and store_mailbox, with an injected wall
// clock.

#include "mockserver/credentials.hpp"
#include "mockserver/imap/imap_session.hpp"
#include "mockserver/imap/store_mailbox.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/pop3/store_maildrop.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mock::test {

/// The mail a set of IMAP sessions shares: a store, users, maildrops and the IMAP mailboxes.
struct imap_world {
    /// The wall clock every delivery sees: 2024-02-12 10:00:00 UTC.
    std::chrono::system_clock::time_point wall =
        std::chrono::sys_days(std::chrono::year(2024) / 2 / 12) + std::chrono::hours(10);
    message_store store;
    user_table users;
    std::vector<std::pair<std::string, std::string>> removed; // (message id, recipient)
    pop3::store_maildrop maildrops{store, &users,
                                   [this](const std::string& id, const std::string& rcpt) {
                                       removed.emplace_back(id, rcpt);
                                   }};
    imap::delivery_policy policy; // empty: the default
    std::unique_ptr<imap::store_mailbox> mailboxes = make_mailboxes();

    /// Replaces the mailboxes, e.g. after setting `policy`.
    void reset_mailboxes() { mailboxes = make_mailboxes(); }

    /// Stores a message received `ago` before `wall`; returns its id.
    std::string add(std::vector<std::string> to, std::string data,
                    std::chrono::seconds ago = std::chrono::seconds(60),
                    std::string from = "sender@example.org")
    {
        captured_message m;
        m.mail_from = std::move(from);
        m.rcpt_to = std::move(to);
        m.data = std::move(data);
        m.received_at = wall - ago;
        return store.add(std::move(m));
    }

private:
    std::unique_ptr<imap::store_mailbox> make_mailboxes()
    {
        return std::make_unique<imap::store_mailbox>(
            maildrops, 1707732000,
            [this](const captured_message& m, std::string_view user) {
                return policy ? policy(m, user) : std::vector<imap::delivery>{imap::delivery{}};
            },
            [this] { return wall; });
    }
};

/// One IMAP session and the driver loop.
class imap_script {
public:
    using clock = std::chrono::steady_clock;

    explicit imap_script(imap::mailbox_source& mailboxes, imap::session_config config = {},
                         faults::session_decider* faults = nullptr)
        : session_(mailboxes, std::move(config), faults)
    {
    }

    /// Accepts the connection; returns the greeting (empty for implicit TLS, which stops at
    /// the handshake).
    std::string start(bool implicit_tls = false)
    {
        run(session_.start(now, implicit_tls));
        return take();
    }

    /// Delivers bytes; returns everything written until the session wants input again.
    std::string send(std::string_view bytes)
    {
        run(session_.on_read(bytes, now));
        return take();
    }

    /// Delivers bytes one at a time.
    std::string send_bytewise(std::string_view bytes)
    {
        std::string out;
        for (char c : bytes) {
            if (!reading()) {
                break;
            }
            out += send(std::string_view(&c, 1));
        }
        return out;
    }

    /// Finishes the TLS handshake the session asked for.
    std::string tls_done(bool ok)
    {
        run(session_.on_tls_done(ok, now));
        return take();
    }

    /// The read deadline passes (the clock moves there).
    std::string timeout()
    {
        if (auto* r = std::get_if<imap::read_action>(&last)) {
            now = std::max(now, r->deadline);
        }
        run(session_.on_timeout(now));
        return take();
    }

    /// The driver tells the session its mailbox changed.
    std::string mailbox_changed()
    {
        if (auto a = session_.on_mailbox_changed(now)) {
            run(std::move(*a));
        }
        return take();
    }

    /// Everything written so far, forgotten.
    std::string take() { return std::exchange(output, {}); }

    /// Runs the action loop: writes land in `output` and in `writes`; it stops at a read, a
    /// TLS handshake or a close.
    void run(imap::action a)
    {
        for (int guard = 0; guard < 1000000; ++guard) {
            if (auto* w = std::get_if<imap::write_action>(&a)) {
                output += w->bytes;
                writes.push_back(w->bytes.size());
                a = session_.on_written(now);
                continue;
            }
            last = std::move(a);
            return;
        }
        throw std::runtime_error("the session never asked for input");
    }

    bool reading() const { return std::holds_alternative<imap::read_action>(last); }
    bool closed() const { return std::holds_alternative<imap::close_action>(last); }
    bool tls_requested() const { return std::holds_alternative<imap::tls_action>(last); }
    clock::time_point read_deadline() const { return std::get<imap::read_action>(last).deadline; }

    imap::imap_session& session() { return session_; }

    clock::time_point now = clock::time_point{} + std::chrono::hours(1);
    std::string output;
    std::vector<std::size_t> writes;
    imap::action last = imap::close_action{};

private:
    imap::imap_session session_;
};

} // namespace mock::test
