#pragma once

// UTF-8 well-formedness (RFC 3629 §4): the one validator every program uses, for scenario
// text, JSON strings, reports and anything a peer sent.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace smtp {

/// The length of the well-formed UTF-8 sequence at the start of `text` (1 to 4), or 0 when it
/// does not start with one (RFC 3629 §4: no overlong forms, no surrogates, nothing above
/// U+10FFFF, no truncated sequence). 0 for empty text.
std::size_t utf8_sequence_length(std::string_view text) noexcept;

/// The offset of the first octet that is not part of a well-formed UTF-8 sequence, or nothing
/// when all of `text` is well-formed.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

/// Whether all of `text` is well-formed UTF-8.
inline bool is_valid_utf8(std::string_view text) noexcept
{
    return !first_invalid_utf8(text).has_value();
}

/// `text` with every octet that is not part of a well-formed sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

} // namespace smtp
