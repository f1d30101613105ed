#pragma once

// Finds a given Message-ID (RFC 5322 §3.6.4) in the header lines of a message, as POP3 TOP or
// IMAP FETCH BODY[HEADER.FIELDS] returns them. No I/O.

#include <cstddef>
#include <string>
#include <string_view>

namespace verify {

/// "<id>" for an id given as "id" or "<id>", surrounding white space removed.
std::string normalize_message_id(std::string_view id);

/// Reads header lines one at a time and says whether a Message-ID header holds the wanted id.
/// Folded headers (RFC 5322 §2.2.3) are unfolded; the header section ends at the first empty
/// line (RFC 5322 §2.1); header names compare case-insensitively (RFC 5322 §1.2.2).
class message_id_scanner {
public:
    /// `wanted` as given by the user; it is normalised.
    explicit message_id_scanner(std::string_view wanted);

    /// One header line, without its CRLF. Lines after the end of the header are ignored.
    void feed_line(std::string_view line);

    /// The header section is over (end of data); evaluates a header still open.
    void finish();

    /// Whether a Message-ID header seen so far holds the wanted id.
    bool matched() const noexcept { return matched_; }

    /// Starts over for the next message.
    void reset();

    /// The normalised id looked for, e.g. "<abc@example.org>".
    const std::string& wanted() const noexcept { return wanted_; }

private:
    void close_header();

    std::string wanted_;
    std::string value_; // the open Message-ID header's value, unfolded
    bool in_message_id_ = false;
    bool matched_ = false;
    bool ended_ = false;
};

} // namespace verify
