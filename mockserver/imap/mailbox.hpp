#pragma once

// What an IMAP session reads and changes: one user's folders (INBOX and Junk), their messages
// with UIDs, flags and internal dates, and the check of the user's password. Implemented over
// the message store (store_mailbox.hpp); tests may script it.
//
// A folder's messages are deliveries, not the store's messages themselves: the store decides
// what a message becomes in a mailbox (its folder, when it arrives, how many copies, its
// content), so a delivery fault can put a message in Junk, hold it back, duplicate it or
// change it without the session knowing.

#include "mockserver/message_store.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock::imap {

/// The folders every user has. RFC 3501 §5.1: "INBOX" is case-insensitive; "Junk" carries the
/// \Junk special use (RFC 6154 §2).
enum class folder_id : std::uint8_t { inbox, junk };

/// Every folder, in LIST order.
inline constexpr std::array<folder_id, 2> all_folders{folder_id::inbox, folder_id::junk};

/// The folder's name on the wire: "INBOX" or "Junk".
std::string_view folder_name(folder_id f) noexcept;

/// The folder a client named: "INBOX" in any case, "Junk" exactly; nothing for others.
std::optional<folder_id> find_folder(std::string_view name) noexcept;

/// The permanent system flags (RFC 3501 §2.3.2) as bits. \Recent is not among them: it belongs
/// to one session and travels apart (folder_message::recent).
enum flag : std::uint8_t {
    flag_seen = 1,     ///< \Seen: the message has been read
    flag_answered = 2, ///< \Answered
    flag_flagged = 4,  ///< \Flagged: marked for attention
    flag_deleted = 8,  ///< \Deleted: EXPUNGE removes it
    flag_draft = 16,   ///< \Draft
};
/// A set of `flag` bits.
using flag_set = std::uint8_t;
/// Every permanent flag.
inline constexpr flag_set all_flags =
    flag_seen | flag_answered | flag_flagged | flag_deleted | flag_draft;

/// How STORE changes flags (RFC 3501 §6.4.6).
enum class flag_change : std::uint8_t {
    replace, ///< FLAGS: set exactly these
    add,     ///< +FLAGS
    remove,  ///< -FLAGS
};

/// One message in a folder, as the store delivered it.
struct folder_message {
    /// Its unique identifier in the folder (RFC 3501 §2.3.1.1), strictly ascending.
    std::uint32_t uid = 0;
    /// The content as delivered; it may differ from the store's message (a delivery fault).
    std::shared_ptr<const captured_message> content;
    /// The internal date (RFC 3501 §2.3.3): when the message was delivered.
    std::chrono::system_clock::time_point internal_date{};
    /// The permanent flags.
    flag_set flags = 0;
    /// \Recent for the session that read it (RFC 3501 §2.3.2).
    bool recent = false;
};

/// A folder's contents at one moment.
struct folder_snapshot {
    /// RFC 3501 §2.3.1.1: UIDs are valid as long as this does not change.
    std::uint32_t uid_validity = 1;
    /// The UID the next message will get.
    std::uint32_t uid_next = 1;
    /// The messages, ascending by UID.
    std::vector<folder_message> messages;
    /// The folder changes by itself after this long (a held-back delivery falls due): a session
    /// that waits for news reads the folder again then.
    std::optional<std::chrono::milliseconds> next_change_in;
};

/// What COPY or MOVE did (RFC 4315 §3, COPYUID).
struct copy_result {
    /// The target folder's UIDVALIDITY.
    std::uint32_t uid_validity = 0;
    /// (source UID, new UID) for each message copied, ascending by source UID.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> uids;
};

/// The mailboxes served over IMAP. Every call names the user as they logged in; the store
/// decides which messages are theirs. UID lists passed in are ascending. Implementations are
/// shared by every session and must be thread-safe.
class mailbox_source {
public:
    virtual ~mailbox_source() = default;

    /// Whether `password` opens `user`'s mailbox.
    virtual bool authenticate(std::string_view user, std::string_view password) const = 0;

    /// The contents of `folder` now. With `claim_recent`, the caller is the session that sees
    /// the messages no session has seen yet: they come back with `recent` set, and no later
    /// claim gets them again. Without it (EXAMINE, STATUS), `recent` shows what a claim would
    /// get, and nothing changes.
    virtual folder_snapshot read(std::string_view user, folder_id folder, bool claim_recent) = 0;

    /// Changes the flags of the messages with these UIDs; returns (UID, new flags) for each
    /// one that still exists, ascending by UID.
    virtual std::vector<std::pair<std::uint32_t, flag_set>>
    change_flags(std::string_view user, folder_id folder, const std::vector<std::uint32_t>& uids,
                 flag_change how, flag_set flags) = 0;

    /// Removes the messages with these UIDs (EXPUNGE); returns the UIDs removed, ascending.
    virtual std::vector<std::uint32_t> expunge(std::string_view user, folder_id folder,
                                               const std::vector<std::uint32_t>& uids) = 0;

    /// Copies the messages with these UIDs to `to`, with their flags and internal dates
    /// (RFC 3501 §6.4.7); they are \Recent there for the next session that claims them.
    virtual copy_result copy(std::string_view user, folder_id from,
                             const std::vector<std::uint32_t>& uids, folder_id to) = 0;
};

} // namespace mock::imap
