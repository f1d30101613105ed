#pragma once

// Cuts IMAP4rev1 commands from the client's byte stream (RFC 3501 §2.2.1, §4.3, §7.5): a
// command is a line, and when a line ends with a literal's announcement "{n}" (or "{n+}",
// RFC 7888), n raw octets and more of the command follow. Incremental and bounded: an over-long
// line, literal or command is discarded as it streams in, never held, and reported once the
// command is over (or at once for a synchronizing literal, whose octets the client sends only
// after the server's go-ahead). No I/O.

#include "smtp/imap_syntax.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace mock::imap {

/// What a client may send.
struct input_limits {
    /// Octets of one line of a command, without its CRLF. RFC 7162 §4 asks clients to keep
    /// command lines within 8192 octets.
    std::size_t line = 8192;
    /// Octets of one literal.
    std::size_t literal = 64 * 1024;
    /// Octets of one command: its lines and literals together.
    std::size_t command = 256 * 1024;
    /// Accept non-synchronizing literals "{n+}" (RFC 7888 LITERAL+); advertised when set.
    bool literal_plus = true;
};

/// Why a command was refused before it was parsed.
enum class input_error {
    line_too_long,    ///< a line passed input_limits::line
    literal_too_long, ///< a literal passed input_limits::literal
    command_too_long, ///< the command passed input_limits::command
    literal_plus,     ///< "{n+}" while LITERAL+ is not offered
};

/// A complete command: its lines joined by CRLF, each literal's octets right after the CRLF
/// that follows its announcement, without the final CRLF.
struct command_text {
    std::string text; ///< the command
};

/// A synchronizing literal is announced and within the limits: send a continuation request
/// ("+", RFC 3501 §7.5); its octets follow.
struct literal_wanted {
    std::size_t size = 0; ///< the literal's octets
};

/// A command was refused. For a synchronizing literal the refusal comes at its announcement
/// (the client waits for the answer, RFC 3501 §7.5); otherwise once the command is over.
struct command_refused {
    std::string tag;   ///< the command's tag, or "*" when it has none
    input_error error; ///< why
    std::size_t size;  ///< the literal's announced size for literal errors, else 0
};

/// Nothing complete yet: feed more bytes.
struct need_input {};

/// What the reader has for the session.
using reader_event = std::variant<need_input, command_text, literal_wanted, command_refused>;

/// A line read outside command framing (an AUTHENTICATE response, IDLE's DONE).
struct plain_line {
    std::string text;      ///< without its CRLF; empty when too long
    bool too_long = false; ///< the line passed input_limits::line and was discarded
};

/// The incremental command reader.
class command_reader {
public:
    explicit command_reader(input_limits limits);

    /// Appends received bytes.
    void feed(std::string_view bytes);

    /// The next event. Empty lines between commands are skipped.
    reader_event next();

    /// The next line, not interpreted as a command; nothing until one is complete. Only
    /// between commands.
    std::optional<plain_line> next_line();

    /// Drops everything buffered, e.g. plaintext that followed STARTTLS (RFC 3501 §6.2.1);
    /// returns how many octets were dropped.
    std::size_t discard_buffered() noexcept;

    /// Octets received and not yet consumed.
    std::size_t buffered() const noexcept { return buffer_.size() - pos_; }

    /// The limits in force.
    const input_limits& limits() const noexcept { return limits_; }

private:
    reader_event read_literal();
    reader_event end_of_line(std::string_view line, bool too_long);
    reader_event announce(const smtp::imap::literal_header& literal);
    reader_event finish();
    void refuse(input_error e, std::size_t size = 0);
    void skip_partial_line();
    void compact();

    input_limits limits_;
    std::string buffer_;
    std::size_t pos_ = 0;

    std::string command_;            // the command so far
    std::size_t command_octets_ = 0; // its lines and literals, refused parts included
    std::size_t literal_left_ = 0;   // octets of the current literal still to come
    bool in_literal_ = false;
    std::optional<command_refused> refused_;
    bool skipping_line_ = false; // the current line is over the limit
    std::string skipped_head_;   // the start of an over-long first line (for the tag)
    std::string skipped_tail_;   // the end of an over-long line (for a literal)
};

/// The tag at the start of `command`: 1*<any ASTRING-CHAR except "+"> (RFC 3501 §9), or "*".
/// With `need_space`, only a tag followed by a space counts (`command` is the start of a line
/// that was cut).
std::string command_tag(std::string_view command, bool need_space = false);

} // namespace mock::imap
