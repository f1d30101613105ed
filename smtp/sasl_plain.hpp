#pragma once

// The PLAIN SASL mechanism's message (RFC 4616 §2), as a client writes it and a server reads it:
// the same for SMTP AUTH (RFC 4954) and IMAP AUTHENTICATE (RFC 3501 §6.2.2). No I/O.

#include <optional>
#include <string>
#include <string_view>

namespace smtp {

/// The three fields of a PLAIN message.
struct sasl_plain_credentials {
    std::string authzid;  ///< the identity to act as; empty means the same as authcid
    std::string authcid;  ///< the user name
    std::string password; ///< the password
};

/// Decodes a PLAIN client response given in base64 (RFC 4648 §4), "=" standing for an empty
/// response (RFC 4954 §4, RFC 4959 §3). Nothing when the base64 is invalid or the message lacks
/// its two NUL separators or has an empty authcid (RFC 4616 §2).
std::optional<sasl_plain_credentials> decode_sasl_plain(std::string_view base64);

/// A client's PLAIN response in base64: base64("" NUL user NUL password), with an empty authzid
/// so that the server acts as the user who logs in (RFC 4616 §2).
std::string encode_sasl_plain(std::string_view user, std::string_view password);

} // namespace smtp
