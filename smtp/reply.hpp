#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp {

/// An RFC 3463 enhanced status code, class.subject.detail, e.g. 5.7.1.
struct enhanced_code {
    int klass = 0;   ///< 2, 4 or 5
    int subject = 0; ///< 0 to 999
    int detail = 0;  ///< 0 to 999

    /// The dotted form, e.g. "5.7.1".
    std::string to_string() const;

    friend bool operator==(const enhanced_code&, const enhanced_code&) = default;
};

/// Parses an enhanced code at the start of `text` (RFC 3463 §2), followed by SP or the end.
/// Returns the code and how many octets it took, or nothing when `text` does not start with one.
std::optional<std::pair<enhanced_code, std::size_t>> parse_enhanced_code(std::string_view text);

/// A complete SMTP reply (RFC 5321 §4.2): one code and one or more lines of text.
struct reply {
    /// The three-digit reply code, 200 to 599.
    int code = 0;
    /// The text of each line, without the code, separator or CRLF.
    std::vector<std::string> lines;

    /// The enhanced status code at the start of the first line, if any.
    std::optional<enhanced_code> enhanced() const;

    /// The first digit: 2 positive completion, 3 intermediate, 4 transient, 5 permanent.
    int klass() const noexcept { return code / 100; }

    /// All lines joined with a single space, as a person would read them.
    std::string text() const;

    /// The reply as sent: "250-a\r\n250 b\r\n".
    std::string to_wire() const;
};

/// Builds the wire form of a one-line reply, e.g. make_reply(250, "2.1.0", "Ok").
/// The enhanced code is left out when empty.
std::string make_reply(int code, std::string_view enhanced, std::string_view text);

/// Builds the wire form of a multi-line reply from its lines (RFC 5321 §4.2.1).
std::string make_reply(int code, const std::vector<std::string>& lines);

} // namespace smtp
