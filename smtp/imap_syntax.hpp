#pragma once

// The lexical rules of IMAP4rev1 (RFC 3501 §4, §9) that both sides of the protocol need: which
// octets make an atom, when a string can be quoted, how a literal is announced. The IMAP client
// of the round-trip check and the mock's IMAP server both use these. No I/O.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::imap {

/// Whether `c` is an ATOM-CHAR: any CHAR but atom-specials, i.e. not "(" ")" "{" SP, a control,
/// "%" "*", DQUOTE "\" or "]" (RFC 3501 §9).
bool is_atom_char(char c) noexcept;

/// Whether `c` is an ASTRING-CHAR: an ATOM-CHAR or "]" (RFC 3501 §9, resp-specials).
bool is_astring_char(char c) noexcept;

/// Whether every octet of `s` is an ATOM-CHAR and `s` is not empty (RFC 3501 §9).
bool is_atom(std::string_view s) noexcept;

/// Whether `s` can be sent as a quoted string: no CR, LF, NUL or 8-bit octet (RFC 3501 §9).
bool is_quotable(std::string_view s) noexcept;

/// `s` as a quoted string, DQUOTE and "\" escaped (RFC 3501 §4.3). `s` must be quotable.
std::string quoted(std::string_view s);

/// `s` as a string: quoted when it can be, otherwise a literal ("{n}" CRLF and the octets),
/// which a server may always send and a client only after the server's "+" (RFC 3501 §4.3).
std::string string_or_literal(std::string_view s);

/// `s` as an astring: an atom when it can be one, otherwise as string_or_literal().
std::string astring(std::string_view s);

/// A literal's announcement at the end of a line: "{n}", or "{n+}" for a non-synchronizing
/// literal (RFC 7888, LITERAL+).
struct literal_header {
    std::size_t size = 0;           ///< the octets that follow the CRLF
    bool non_synchronizing = false; ///< "{n+}": sent without waiting for a continuation
    std::size_t length = 0;         ///< octets of the announcement itself, braces included
};

/// The literal announced at the end of `line` (CRLF removed), if it ends with one. The number
/// may have at most ten digits (a literal of at most 4294967295 octets, RFC 3501 §4.2).
std::optional<literal_header> trailing_literal(std::string_view line) noexcept;

} // namespace smtp::imap
