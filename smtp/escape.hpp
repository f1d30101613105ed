#pragma once

#include <string>
#include <string_view>

namespace smtp {

/// Escapes received bytes so that a person can read them and a terminal or JSON reader cannot be
/// confused: printable ASCII is kept, CR, LF and TAB become \r \n \t, a backslash becomes \\,
/// and every other octet becomes \xNN. At most `max` input octets are shown; more is marked
/// with "...(N more)".
std::string escape_bytes(std::string_view bytes, std::size_t max = 1024);

/// escape_bytes(), appended to `out` (no string of its own: for text kept in one buffer).
void append_escaped(std::string& out, std::string_view bytes, std::size_t max = 1024);

/// `text` as XML 1.0 character data or attribute value (also safe as HTML text): invalid UTF-8
/// replaced by U+FFFD, & < > " ' escaped, and the control characters XML forbids (all below
/// 0x20 but tab, LF and CR, and DEL) shown as `\xNN`.
std::string xml_escape(std::string_view text);

} // namespace smtp
