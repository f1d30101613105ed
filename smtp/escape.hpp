#pragma once

#include <string>
#include <string_view>

namespace smtp {

/// Escapes received bytes so that a person can read them and a terminal or JSON reader cannot be
/// confused: printable ASCII is kept, CR, LF and TAB become \r \n \t, a backslash becomes \\,
/// and every other octet becomes \xNN. At most `max` input octets are shown; more is marked
/// with "...(N more)".
std::string escape_bytes(std::string_view bytes, std::size_t max = 1024);

} // namespace smtp
