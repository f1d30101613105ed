#pragma once

// POP3 maildrops over the message store: USER is a recipient address, matched
// whole, or a local part, matched against every recipient's local part (both case-insensitive).
// When the user (or its local part) is listed in --users, PASS must match; otherwise any
// password is accepted. Deleting removes a message for that mailbox only.

#include "mockserver/credentials.hpp"
#include "mockserver/pop3/maildrop.hpp"

#include <functional>
#include <mutex>
#include <set>
#include <utility>

namespace mock::pop3 {

/// Maildrops derived from the recipients of stored messages. Thread-safe.
class store_maildrop final : public maildrop_source {
public:
    /// Called for each (message id, recipient) removed, e.g. to delete a Maildir file.
    using removal_hook = std::function<void(const std::string& id, const std::string& recipient)>;

    /// `store` and `users` (may be null: any password) must outlive this.
    store_maildrop(message_store& store, const credential_checker* users,
                   removal_hook on_remove = {});

    bool authenticate(std::string_view user, std::string_view password) const override;
    std::vector<maildrop_entry> open(std::string_view user) override;
    void remove(std::string_view user, const std::vector<std::string>& ids) override;

    /// Whether recipient address `rcpt` belongs to the maildrop of `user`.
    static bool belongs_to(std::string_view rcpt, std::string_view user);

private:
    message_store& store_;
    const credential_checker* users_;
    removal_hook on_remove_;
    mutable std::mutex mutex_;
    std::set<std::pair<std::string, std::string>> removed_; // (message id, lower-case rcpt)
};

} // namespace mock::pop3
