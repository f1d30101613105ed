#pragma once

// The parts of an Internet message (RFC 5322 §2.1) that IMAP serves and searches: the header
// and the body, header fields with their folded lines (§2.2.3), and the origination date
// (§3.3). Works on the stored octets as they are; no MIME decoding. No I/O.

#include "mockserver/imap/command_parser.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock::imap {

/// A message cut at the end of its header.
struct message_parts {
    /// The header fields and the empty line that ends them (RFC 3501 §6.4.5: BODY[HEADER]
    /// includes it); the whole message when there is no empty line.
    std::string_view header;
    /// Everything after that empty line (BODY[TEXT]).
    std::string_view body;
};

/// Cuts `message` at the first empty line (CRLF CRLF, or a bare LF LF).
message_parts split_message(std::string_view message) noexcept;

/// The values of the header fields named `name` (case-insensitive), in order, unfolded
/// (RFC 5322 §2.2.3: the CRLF before each folding white space removed) and without the white
/// space after the colon.
std::vector<std::string> header_values(std::string_view header, std::string_view name);

/// One header field: its name as written and its value as header_values() gives it.
struct header_field {
    std::string name;  ///< the field name, e.g. "Subject"
    std::string value; ///< the unfolded value
};

/// Every header field of `header`, in order, unfolded as header_values() does.
std::vector<header_field> header_fields(std::string_view header);

/// The header fields of `header` whose names are (or, with `exclude`, are not) in `names`
/// (case-insensitive), each with its folded lines, then an empty line (RFC 3501 §6.4.5:
/// HEADER.FIELDS and HEADER.FIELDS.NOT).
std::string header_subset(std::string_view header, const std::vector<std::string>& names,
                          bool exclude);

/// The calendar day of an RFC 5322 §3.3 date-time ("Tue, 1 Jul 2003 10:52:37 +0200"), in its
/// own timezone (RFC 3501 §6.4.4: SENTON and friends disregard time and timezone); the obsolete
/// two-digit years of §4.3 are accepted.
std::optional<civil_date> message_date(std::string_view value);

} // namespace mock::imap
