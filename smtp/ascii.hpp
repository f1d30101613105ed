#pragma once

// ASCII case handling for protocol tokens (SMTP verbs and keywords, header names, URL schemes,
// Nagios and Prometheus words). Locale-independent: only A-Z and a-z change.

#include <string>
#include <string_view>

namespace smtp {

/// `c` in upper case when it is an ASCII letter, unchanged otherwise.
constexpr char ascii_upper(char c) noexcept
{
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

/// `c` in lower case when it is an ASCII letter, unchanged otherwise.
constexpr char ascii_lower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `s` with its ASCII letters in upper case.
std::string to_upper(std::string_view s);

/// `s` with its ASCII letters in lower case.
std::string to_lower(std::string_view s);

/// Whether `a` and `b` are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// Whether `s` starts with `prefix`, ignoring ASCII case.
bool istarts_with(std::string_view s, std::string_view prefix) noexcept;

/// The offset of the first occurrence of `needle` in `haystack` ignoring ASCII case, or npos.
std::size_t ifind(std::string_view haystack, std::string_view needle) noexcept;

/// `s` without the blanks (space, tab, CR, LF) at its ends.
std::string_view trim_blanks(std::string_view s) noexcept;

} // namespace smtp
