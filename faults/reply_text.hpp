#pragma once

// Turns the `do.reply` lines of a rule into wire form (RFC 5321 §4.2).
//
//   render_reply({"250-mock.example", "250 SIZE 1000"}) -> "250-mock.example\r\n250 SIZE 1000\r\n"

#include <string>
#include <string_view>
#include <vector>

namespace faults {

/// A reply in wire form, or why its lines are not a valid reply.
struct rendered_reply {
    std::string wire;         ///< the bytes to send, every line ending in CRLF
    std::string error;        ///< empty on success
    std::size_t bad_line = 0; ///< with an error: the index of the offending line

    /// True when the lines formed a valid reply.
    bool ok() const noexcept { return error.empty(); }
};

/// Renders reply lines, each "NNN text", "NNN-text" or "NNN", as one reply: every line but the
/// last gets "NNN-", the last "NNN " (RFC 5321 §4.2.1). Rejects a line that does not start with
/// a reply code (§4.2: 2-5, 0-5, 0-9), codes that differ between lines (§4.2.1), CR or LF
/// inside a line, and a line longer than 512 octets with its CRLF (§4.5.3.1.5).
rendered_reply render_reply(const std::vector<std::string>& lines);

/// The placeholder a `do.reply` or `do.raw` may hold for the server's own name: the hostname
/// its banner gives (`--hostname`), so that replies and banner agree.
inline constexpr std::string_view hostname_placeholder = "{hostname}";

/// `bytes` with every hostname_placeholder replaced by `hostname`, as the server sends them.
std::string expand_hostname(std::string_view bytes, std::string_view hostname);

} // namespace faults
