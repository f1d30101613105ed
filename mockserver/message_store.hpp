#pragma once

#include "faults/action.hpp"
#include "io/change_signal.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mock {

/// A message accepted by the server, exactly as received after dot-unstuffing.
struct captured_message {
    std::string id;                   ///< store-wide id, "1", "2", ...
    std::uint64_t session_id = 0;     ///< the session that delivered it
    std::string mail_from;            ///< envelope sender; empty for the null sender
    std::vector<std::string> rcpt_to; ///< envelope recipients, in order
    std::string data;                 ///< the content, byte-exact
    std::chrono::system_clock::time_point received_at; ///< when the final dot was answered
    bool tls = false;                                  ///< delivered over TLS
    std::optional<std::string> auth_user;              ///< the authenticated user, if any
    /// How it reaches the mailboxes POP3 and IMAP read, when a fault (`do.deliver`) says
    /// otherwise than one copy in INBOX at once; the store and the API keep it as received.
    std::optional<faults::delivery_fault> delivery;
};

/// Where accepted messages go. Thread-safe: sessions on every worker thread add to it while
/// the control API and POP3 read from it. Messages are shared, immutable once added.
class message_store {
public:
    /// Called with each message after it is stored in memory, e.g. to write a Maildir copy.
    /// Throws on failure; the message is then not accepted.
    using persist_hook = std::function<void(const captured_message&)>;

    message_store() = default;
    explicit message_store(persist_hook persist);

    /// Whether adding a message also persists it (and so may block on a disk).
    bool persists() const noexcept { return static_cast<bool>(persist_); }

    /// Hands out the id the next message will be stored under, e.g. for "queued as ID".
    std::string reserve_id();

    /// Stores a message under its id (reserve_id() when empty); returns the id.
    /// Throws when persisting fails; the message is then not stored.
    std::string add(captured_message message);

    /// Every stored message, oldest first.
    std::vector<std::shared_ptr<const captured_message>> list() const;

    /// The message with this id, if stored.
    std::shared_ptr<const captured_message> find(const std::string& id) const;

    /// Removes one message; returns whether it was there.
    bool remove(const std::string& id);

    /// Removes every message; returns how many there were.
    std::size_t clear();

    /// How many messages are stored.
    std::size_t size() const;

    /// How many messages were ever accepted (not reduced by remove or clear).
    std::uint64_t accepted_total() const;

    /// Notified after each message is stored (what a long poll of the API waits for).
    const io::change_signal& stored() const noexcept { return stored_; }

private:
    persist_hook persist_;
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<const captured_message>> messages_;
    std::uint64_t next_id_ = 1;
    std::uint64_t accepted_ = 0;
    io::change_signal stored_;
};

} // namespace mock
