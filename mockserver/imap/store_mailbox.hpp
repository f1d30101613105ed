#pragma once

// IMAP mailboxes over the message store: a user's messages are those of their
// POP3 maildrop (the same rule: a recipient address, or a local part matched against every
// recipient's local part; --users passwords), so POP3 and IMAP see one mailbox. What IMAP adds
// lives here: the folders INBOX and Junk, UIDs, flags and \Recent. Expunging the last copy of a
// message removes it from the maildrop, for POP3 too; a message removed from the maildrop
// (POP3 deleted it, the store was cleared) leaves every folder.
//
// How a stored message reaches a mailbox is a delivery policy: by default one copy in INBOX at
// once, as received; a policy may drop it, hold it back, put it in Junk, deliver it twice or
// change its content (issue 17's delivery faults).

#include "mockserver/imap/mailbox.hpp"
#include "mockserver/pop3/maildrop.hpp"

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <set>

namespace mock::imap {

/// One way a stored message reaches a user's mailbox.
struct delivery {
    /// The folder it lands in.
    folder_id folder = folder_id::inbox;
    /// How long after the message was received it appears.
    std::chrono::milliseconds delay{0};
    /// What the mailbox holds; null for the message exactly as stored.
    std::shared_ptr<const captured_message> content;
};

/// Decides the deliveries of `message` to `user`'s mailbox: none (lost), one, or more.
using delivery_policy =
    std::function<std::vector<delivery>(const captured_message& message, std::string_view user)>;

/// Mailboxes derived from the POP3 maildrops of the message store. Thread-safe.
class store_mailbox final : public mailbox_source {
public:
    /// The wall clock that decides when a held-back delivery is due.
    using wall_clock = std::function<std::chrono::system_clock::time_point()>;

    /// `maildrops` must outlive this. `uid_validity` is every folder's UIDVALIDITY: it must
    /// differ from that of any earlier run whose UIDs a client may remember (RFC 3501
    /// §2.3.1.1), e.g. the start time in seconds. `policy` defaults to one copy in INBOX at
    /// once; `clock` to the system clock.
    store_mailbox(pop3::maildrop_source& maildrops, std::uint32_t uid_validity,
                  delivery_policy policy = {}, wall_clock clock = {});

    bool authenticate(std::string_view user, std::string_view password) const override;
    folder_snapshot read(std::string_view user, folder_id folder, bool claim_recent) override;
    std::vector<std::pair<std::uint32_t, flag_set>>
    change_flags(std::string_view user, folder_id folder, const std::vector<std::uint32_t>& uids,
                 flag_change how, flag_set flags) override;
    std::vector<std::uint32_t> expunge(std::string_view user, folder_id folder,
                                       const std::vector<std::uint32_t>& uids) override;
    copy_result copy(std::string_view user, folder_id from, const std::vector<std::uint32_t>& uids,
                     folder_id to) override;

private:
    struct entry {
        std::uint32_t uid = 0;
        std::string source; // the store id
        std::shared_ptr<const captured_message> content;
        std::chrono::system_clock::time_point internal_date{};
        flag_set flags = 0;
    };
    struct folder_state {
        std::uint32_t uid_next = 1;
        std::uint32_t recent_claimed = 0; // the highest UID a session has claimed as \Recent
        std::vector<entry> entries;       // ascending by UID
    };
    struct pending_delivery {
        std::chrono::system_clock::time_point due{};
        folder_id folder = folder_id::inbox;
        std::string source;
        std::shared_ptr<const captured_message> content;
    };
    struct user_state {
        std::array<folder_state, all_folders.size()> folders;
        std::set<std::string> known; // store ids already handed to the policy
        std::vector<pending_delivery> pending;
    };

    user_state& refresh(std::string_view user);
    void deliver_new(user_state& st, std::string_view user,
                     const std::vector<pop3::maildrop_entry>& drop);
    void release_unreferenced(user_state& st, std::string_view user,
                              const std::set<std::string>& sources);

    pop3::maildrop_source& maildrops_;
    std::uint32_t uid_validity_;
    delivery_policy policy_;
    wall_clock clock_;
    std::mutex mutex_;
    std::map<std::string, user_state, std::less<>> users_; // by lower-case user name
};

} // namespace mock::imap
