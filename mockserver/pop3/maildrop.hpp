#pragma once

// What a POP3 session reads and changes: the messages of one user's maildrop, the check of
// their password, and the removal of what they deleted. Implemented over the message store
// (store_maildrop.hpp); tests may script it.

#include "mockserver/message_store.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mock::pop3 {

/// One message of a maildrop as the session sees it.
struct maildrop_entry {
    /// The store id; also the unique-id listing (RFC 1939 §7, UIDL).
    std::string id;
    /// The message.
    std::shared_ptr<const captured_message> message;
};

/// The mailboxes served over POP3.
class maildrop_source {
public:
    virtual ~maildrop_source() = default;

    /// Whether `password` opens `user`'s maildrop.
    virtual bool authenticate(std::string_view user, std::string_view password) const = 0;

    /// The messages in `user`'s maildrop now, oldest first.
    virtual std::vector<maildrop_entry> open(std::string_view user) = 0;

    /// Removes the messages with these ids from `user`'s maildrop (the UPDATE state,
    /// RFC 1939 §6); other recipients of the same messages keep them.
    virtual void remove(std::string_view user, const std::vector<std::string>& ids) = 0;
};

} // namespace mock::pop3
