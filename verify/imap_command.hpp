#pragma once

// Building IMAP4rev1 commands (RFC 3501 §9): arguments as atoms, quoted strings or
// synchronizing literals, cut where the client must wait for the server's "+" (RFC 3501 §7.5).
// The lexical rules come from smtp/imap_syntax.hpp. No I/O.

#include <string>
#include <string_view>
#include <vector>

namespace verify {

/// An IMAP command ready to send. Every segment but the last ends with a literal's "{n}\r\n";
/// after sending it the client waits for a continuation request before the next segment.
struct imap_command {
    std::vector<std::string> segments{std::string()}; ///< the bytes, cut at literals
    std::string transcript;                           ///< the command for the transcript

    /// Appends raw command text (already valid IMAP) to both the bytes and the transcript.
    imap_command& text(std::string_view s);

    /// Appends `s` as an astring (RFC 3501 §9): an atom when it can be one, otherwise a quoted
    /// string, otherwise (CR, LF, NUL or 8-bit octets) a literal. `shown` replaces it in the
    /// transcript when given (for passwords).
    imap_command& astring(std::string_view s, std::string_view shown = {});

    /// Appends `s` as a string: quoted, or a literal when it cannot be quoted.
    imap_command& string(std::string_view s, std::string_view shown = {});

    /// Ends the command with CRLF.
    imap_command& end();
};

} // namespace verify
