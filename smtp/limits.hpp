#pragma once

#include <cstddef>

namespace smtp::limits {

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including the CRLF.
inline constexpr std::size_t command_line = 512;

/// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the CRLF.
inline constexpr std::size_t reply_line = 512;

/// RFC 5321 §4.5.3.1.6: a text line of message content is at most 1000 octets including
/// the CRLF.
inline constexpr std::size_t text_line = 1000;

/// RFC 5321 §4.5.3.1.8: a server must accept at least 100 recipients per transaction.
/// The mock accepts this many; more get 452 4.5.3.
inline constexpr std::size_t recipients = 1000;

/// Lines in one multi-line reply before a client calls it a protocol error. RFC 5321 sets no
/// limit; this bound keeps an endless "250-" stream from holding a client forever.
inline constexpr std::size_t reply_lines = 1000;

/// RFC 4954 §4: an AUTH command line, with its initial response, may be up to 12288 octets.
inline constexpr std::size_t auth_line = 12288;

} // namespace smtp::limits
