#pragma once

// The MIME structure of a message (RFC 2045 §5-6, RFC 2046 §5, RFC 2183, RFC 3066 via
// Content-Language), as IMAP serves it: the BODY and BODYSTRUCTURE items (RFC 3501 §7.4.2) and
// the parts that numbered sections such as BODY[1.2.MIME] name (RFC 3501 §6.4.5). Parts are
// views of the stored octets; nesting and part counts are bounded. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock::imap {

/// One MIME entity: a message, a part of a multipart, or the message inside a message/rfc822
/// part.
struct mime_part {
    /// The entity's header and the empty line after it (BODY[n.MIME]); empty when it has none.
    std::string_view header;
    /// The entity's body: a part's content, or for message/rfc822 the whole inner message.
    std::string_view body;
    std::string type = "TEXT";     ///< the media type, upper case
    std::string subtype = "PLAIN"; ///< the media subtype, upper case
    /// Content-Type parameters (name upper case, value as given).
    std::vector<std::pair<std::string, std::string>> parameters;
    std::optional<std::string> id;          ///< Content-ID
    std::optional<std::string> description; ///< Content-Description
    std::string encoding = "7BIT";          ///< Content-Transfer-Encoding, upper case
    std::optional<std::string> md5;         ///< Content-MD5
    /// Content-Disposition: the disposition (upper case) and its parameters.
    std::optional<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
        disposition;
    std::optional<std::string> language; ///< Content-Language
    std::optional<std::string> location; ///< Content-Location
    /// The parts of a multipart, or the one inner message of a message/rfc822 part.
    std::vector<mime_part> children;
};

/// The structure of `message` (header and body). Nesting deeper than `max_depth` or more than
/// `max_parts` parts in all leave the rest as opaque bodies.
mime_part parse_mime(std::string_view message, std::size_t max_depth = 16,
                     std::size_t max_parts = 1000);

/// The BODYSTRUCTURE (with extension data) or BODY (without) of a parsed message.
std::string body_structure(const mime_part& message, bool extensible);

/// What a section's part path (e.g. {1, 2} for "1.2") names: the part, or nothing. Part 1 of
/// a message that is not multipart is its body; the parts of a message/rfc822 part are those
/// of the message inside.
const mime_part* find_part(const mime_part& message, const std::vector<std::uint32_t>& path);

/// The message inside a message/rfc822 part; nothing for other parts.
const mime_part* inner_message(const mime_part& part);

} // namespace mock::imap
