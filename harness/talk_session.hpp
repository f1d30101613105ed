#pragma once

// `smtp-harness talk`: the protocol side of an interactive SMTP prompt, without I/O. It turns
// the lines a person types into CRLF-terminated octets (dot-stuffed inside a message, RFC 5321
// §4.5.2), knows when a reply is due (every command; inside DATA only after the final dot),
// and cuts what the server sends into lines and whole replies.

#include "smtp/line_framer.hpp"
#include "smtp/reply.hpp"
#include "smtp/reply_parser.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness {

/// One line the server sent, as the prompt shows it.
struct talk_line {
    std::string text;        ///< without CRLF
    bool ends_reply = false; ///< the last line of a complete reply
    bool malformed = false;  ///< not a valid reply line (the parser's reason is lost)
};

/// The prompt's protocol state. Pure.
class talk_session {
public:
    talk_session();

    /// What to send for one typed line: the line with CRLF, dot-stuffed inside a message.
    std::string wire(std::string_view typed);

    /// Whether the line last given to wire() asks for a reply (a command, or the final dot).
    bool awaits_reply() const noexcept { return awaits_reply_; }

    /// Whether typed lines are message content (after 354, until the lone dot).
    bool in_message() const noexcept { return in_message_; }

    /// Appends received octets; returns the lines they complete. After a 354 reply to DATA,
    /// typed lines are message content; after a 220 reply to STARTTLS, TLS is due.
    std::vector<talk_line> received(std::string_view bytes);

    /// Whether the server just agreed to STARTTLS (RFC 3207 §4): the driver starts TLS now.
    /// Reading it clears it.
    bool take_tls_due() noexcept { return std::exchange(tls_due_, false); }

private:
    smtp::line_framer framer_;
    smtp::reply_parser parser_;
    bool awaits_reply_ = true; // the greeting
    bool in_message_ = false;
    bool sent_data_ = false;
    bool sent_starttls_ = false;
    bool tls_due_ = false;
};

} // namespace harness
