#pragma once

// Finds a given Message-ID (RFC 5322 §3.6.4) in the header lines of a message, as POP3 TOP or
// IMAP FETCH BODY[HEADER.FIELDS] returns them, and keeps the message's Subject and body, so that
// what arrived can be compared with what was sent. No I/O.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace verify {

/// "<id>" for an id given as "id" or "<id>", surrounding white space removed.
std::string normalize_message_id(std::string_view id);

/// Reads a message's lines one at a time and says whether a Message-ID header holds the wanted
/// id. Folded headers (RFC 5322 §2.2.3) are unfolded; the header section ends at the first empty
/// line (RFC 5322 §2.1) and the lines after it are the body; header names compare
/// case-insensitively (RFC 5322 §1.2.2).
class message_id_scanner {
public:
    /// Octets of the body that are kept; the rest is counted, not stored (bounded memory).
    static constexpr std::size_t max_body_octets = 64 * 1024;

    /// `wanted` as given by the user; it is normalised.
    explicit message_id_scanner(std::string_view wanted);

    /// One line, without its CRLF: a header line, or after the first empty line a body line.
    void feed_line(std::string_view line);

    /// The header section is over (end of data, or a header fetched apart from the body);
    /// evaluates a header still open. Lines fed after it are body lines.
    void finish();

    /// Whether a Message-ID header seen so far holds the wanted id.
    bool matched() const noexcept { return matched_; }

    /// A line too long to keep was left out: in the body, the body is kept only up to it.
    void skip_line();

    /// The unfolded value (its first 4096 octets) of the first Subject header, leading and trailing
    /// white space removed; nothing when the message has none.
    const std::optional<std::string>& subject() const noexcept { return subject_; }

    /// The body lines seen so far, each ended with CRLF, up to max_body_octets.
    const std::string& body() const noexcept { return body_; }

    /// Whether the body was longer than max_body_octets (then body() holds its beginning).
    bool body_truncated() const noexcept { return body_truncated_; }

    /// Starts over for the next message.
    void reset();

    /// The normalised id looked for, e.g. "<abc@example.org>".
    const std::string& wanted() const noexcept { return wanted_; }

private:
    void close_header();
    void feed_body_line(std::string_view line);

    std::string wanted_;
    enum class open_header { other, message_id, subject };

    std::string value_; // the open Message-ID or Subject header's value, unfolded
    open_header open_ = open_header::other;
    std::optional<std::string> subject_;
    std::string body_;
    bool body_truncated_ = false;
    bool matched_ = false;
    bool ended_ = false;
};

} // namespace verify
