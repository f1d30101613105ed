#pragma once

// FETCH data items (RFC 3501 §6.4.5): parsed from the command, then each message's response
// is built from them. Body sections whose text is a part of the stored message are served as
// views of it (no copy), so that a large message costs no memory per FETCH; MIME part numbers
// and BODY/BODYSTRUCTURE come from mime_structure.hpp. No I/O.

#include "mockserver/imap/command_parser.hpp"
#include "mockserver/imap/mailbox.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock::imap {

/// Which part of a message a body section names (RFC 3501 §6.4.5, section-msgtext).
enum class section_part : std::uint8_t {
    whole,             ///< BODY[]
    header,            ///< BODY[HEADER], RFC822.HEADER
    header_fields,     ///< BODY[HEADER.FIELDS (...)]
    header_fields_not, ///< BODY[HEADER.FIELDS.NOT (...)]
    text,              ///< BODY[TEXT], RFC822.TEXT
    mime,              ///< BODY[1.MIME]: a part's MIME header
};

/// One FETCH data item.
struct fetch_item {
    /// What it asks for.
    enum class kind : std::uint8_t {
        envelope,      ///< ENVELOPE
        flags,         ///< FLAGS
        internal_date, ///< INTERNALDATE
        rfc822_size,   ///< RFC822.SIZE
        uid,           ///< UID
        section,       ///< BODY[...], BODY.PEEK[...], RFC822, RFC822.HEADER, RFC822.TEXT
        body,          ///< BODY: the structure without extension data
        structure,     ///< BODYSTRUCTURE
    };
    kind what = kind::flags;                 ///< the item
    section_part part = section_part::whole; ///< for a section
    std::vector<std::uint32_t> part_path;    ///< for a section: "1.2" is {1, 2}; empty: all
    std::vector<std::string> fields;         ///< for HEADER.FIELDS[.NOT]: the names as given
    bool peek = false;                       ///< leaves \Seen alone
    std::optional<std::uint32_t> origin;     ///< a partial fetch's first octet ("<o.n>")
    std::uint32_t length = 0;                ///< a partial fetch's octet count
    std::string label;                       ///< the item's name in the response
};

/// A FETCH command's items.
struct fetch_request {
    std::vector<fetch_item> items; ///< in the order asked, UID first when added for UID FETCH
    bool sets_seen = false;        ///< a non-peek section is asked: \Seen gets set
    bool has_flags = false;        ///< FLAGS is among the items
};

/// Parses what follows the sequence set (with its leading SP): a macro (ALL, FAST, FULL), one
/// item, or a parenthesised list of items. With `uid_command`, UID is added first when not
/// asked (RFC 3501 §6.4.8).
std::optional<fetch_request> parse_fetch(arg_reader& in, bool uid_command);

/// What a section names in a message.
struct section_text {
    bool exists = true;               ///< false for a part that is not there (served as NIL)
    std::string_view stored;          ///< the text as a view of the message, unless built
    std::optional<std::string> built; ///< the text, for header fields (they are picked out)
};

/// The text `item` (a section) names in `content`.
section_text section_of(const fetch_item& item, std::string_view content);

/// Applies a partial fetch's "<origin.length>" to a section's text (RFC 3501 §6.4.5).
std::string_view partial_of(const fetch_item& item, std::string_view text) noexcept;

/// A FLAGS list: "(\Seen \Deleted \Recent)".
std::string flags_text(flag_set flags, bool recent);

/// An INTERNALDATE: "17-Jul-1996 02:44:25 +0000" in double quotes (RFC 3501 §9, date-time).
std::string internal_date_text(std::chrono::system_clock::time_point t);

} // namespace mock::imap
