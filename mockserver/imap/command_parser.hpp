#pragma once

// Reads the arguments of an IMAP4rev1 command (RFC 3501 §9 grammar) from a complete command
// (command_reader.hpp): atoms, astrings, quoted strings and literals, numbers, sequence sets,
// dates, parenthesised lists. The first error is kept with the octet where it happened, for a
// BAD response that says what was wrong and where. No I/O, no exceptions.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock::imap {

/// A message set: sequence numbers or UIDs, "*" standing for the largest (RFC 3501 §9).
class sequence_set {
public:
    /// "*" in a range.
    static constexpr std::uint32_t star = 0;

    /// One range; first may exceed last ("5:2" is "2:5").
    struct range {
        std::uint32_t first = 1; ///< a number, or star
        std::uint32_t last = 1;  ///< a number, or star
    };

    /// Adds a range.
    void add(range r) { ranges_.push_back(r); }

    /// The ranges as given.
    const std::vector<range>& ranges() const noexcept { return ranges_; }

    /// Whether any number of the set exceeds `largest` ("*" never does); for sequence
    /// numbers this is an error (RFC 3501 §9: seq-number).
    bool exceeds(std::uint32_t largest) const noexcept;

    /// The ranges with "*" replaced by `largest`, ordered and merged. RFC 3501 §6.4.8: for
    /// UIDs, "n:*" includes the largest UID even when n is above it.
    std::vector<range> resolve(std::uint32_t largest) const;

    /// Whether `value` is in the set, "*" being `largest`.
    bool contains(std::uint32_t value, std::uint32_t largest) const noexcept;

private:
    std::vector<range> ranges_;
};

/// A calendar date as SEARCH compares them (RFC 3501 §6.4.4: time and timezone disregarded).
using civil_date = std::chrono::sys_days;

/// A reader over one complete command.
class arg_reader {
public:
    /// `command` must outlive the reader.
    explicit arg_reader(std::string_view command);
    /// `command` must outlive the reader.
    explicit arg_reader(const char* command)
        : arg_reader(std::string_view(command))
    {
    }
    /// Not from a temporary: the reader keeps a view.
    explicit arg_reader(std::string&& command) = delete;

    /// Whether no error happened so far.
    bool ok() const noexcept { return error_.empty(); }
    /// The first error: what was expected, and at which octet.
    const std::string& error() const noexcept { return error_; }
    /// Records an error at the current octet unless one is recorded already.
    void fail(std::string_view what) { fail(what, pos_); }
    /// Records an error at octet `at` unless one is recorded already.
    void fail(std::string_view what, std::size_t at);

    /// Whether everything was read.
    bool at_end() const noexcept { return pos_ >= in_.size(); }
    /// Whether the next octet is `c`.
    bool peek(char c) const noexcept { return pos_ < in_.size() && in_[pos_] == c; }
    /// Whether the next octets are `s`, ignoring ASCII case.
    bool peek_word(std::string_view s) const noexcept;
    /// Takes `c` if it is next.
    bool take(char c) noexcept;
    /// Takes `c`, or fails naming what was expected.
    bool expect(char c, std::string_view what);
    /// Takes exactly one SP.
    bool space() { return expect(' ', "a space"); }
    /// Requires that nothing is left.
    bool end();

    /// The tag (1*<ASTRING-CHAR except "+">).
    std::optional<std::string> tag();
    /// An atom (1*ATOM-CHAR).
    std::optional<std::string> atom(std::string_view what = "an atom");
    /// An atom of letters, digits and "." upper-cased, e.g. a command name or FETCH item.
    std::optional<std::string> keyword(std::string_view what);
    /// An astring: 1*ASTRING-CHAR, a quoted string or a literal.
    std::optional<std::string> astring(std::string_view what = "a string");
    /// A LIST pattern: 1*list-char (ATOM-CHAR, "%", "*", "]") or a string (RFC 3501 §9).
    std::optional<std::string> list_mailbox();
    /// A string: quoted or literal.
    std::optional<std::string> string(std::string_view what = "a string");
    /// A number (RFC 3501 §9: 32 bits unsigned).
    std::optional<std::uint32_t> number(std::string_view what = "a number");
    /// A number greater than zero.
    std::optional<std::uint32_t> nz_number(std::string_view what = "a non-zero number");
    /// A sequence set (RFC 3501 §9).
    std::optional<sequence_set> sequence(std::string_view what = "a sequence set");
    /// A date "d-Mon-yyyy", optionally in double quotes (RFC 3501 §9: date).
    std::optional<civil_date> date();
    /// The rest of the command, unparsed.
    std::string_view rest() const noexcept { return in_.substr(std::min(pos_, in_.size())); }
    /// The current octet offset.
    std::size_t offset() const noexcept { return pos_; }

private:
    std::optional<std::string> quoted(std::string_view what);
    std::optional<std::string> literal(std::string_view what);
    std::optional<std::uint32_t> seq_number();

    std::string_view in_;
    std::size_t pos_ = 0;
    std::string error_;
};

} // namespace mock::imap
