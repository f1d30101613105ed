#pragma once

// The ENVELOPE of a message (RFC 3501 §7.4.2): date, subject, the address lists and the ids,
// read from its header as IMAP serves them (raw header text, no RFC 2047 decoding). No I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock::imap {

/// One element of an envelope address list (RFC 3501 §7.4.2). A group is a start element
/// (`mailbox` holds the group name, `host` is absent) and an end element (everything absent).
struct envelope_address {
    std::optional<std::string> name;    ///< the display name
    std::optional<std::string> route;   ///< the obsolete source route ("@a,@b")
    std::optional<std::string> mailbox; ///< the local part, or the group name
    std::optional<std::string> host;    ///< the domain; absent for group markers
};

/// The addresses of an RFC 5322 §3.4 address-list (with groups, display names, quoted local
/// parts, comments and obsolete routes).
std::vector<envelope_address> parse_address_list(std::string_view value);

/// The ENVELOPE response item for a message header, e.g.
/// ("date" "subject" (("Bob" NIL "bob" "example.com")) ... NIL "<id@host>").
std::string envelope_of(std::string_view header);

/// `s` as an nstring: NIL when absent, else quoted or a literal (RFC 3501 §4.5).
std::string nstring(const std::optional<std::string>& s);

} // namespace mock::imap
