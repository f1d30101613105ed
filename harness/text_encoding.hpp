#pragma once

// Making a monitor's arbitrary output safe for the reports: valid UTF-8 for JSON and XML,
// escaped for XML.

#include <string>
#include <string_view>

namespace harness {

/// `text` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

/// `text` as XML 1.0 character data or attribute value: valid UTF-8, & < > " ' escaped, and
/// the control characters XML forbids (all below 0x20 but tab, LF and CR) shown as `\xNN`.
std::string xml_escape(std::string_view text);

} // namespace harness
