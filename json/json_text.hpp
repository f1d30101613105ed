#pragma once

// JSON text for every JSON the programs print or serve. Like boost::json::serialize, except that
// doubles are written in their shortest plain form ("0.015", "3.748") rather than Boost 1.81's
// exponent form ("1.5E-2"), which people read in terminals, curl output and docs.

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace json_text {

/// Serializes `v` as compact JSON, always valid UTF-8: a string that is not well-formed UTF-8
/// is written with U+FFFD for each octet that does not belong to a well-formed sequence.
std::string serialize(const boost::json::value& v);

/// Appends `v` to `out` exactly as serialize() writes it.
void append(std::string& out, const boost::json::value& v);

/// Appends `text` as a JSON string, quoted and escaped as serialize() writes a string, for
/// callers that write JSON text directly (the live events of smtp-mock, thousands a second).
void append_string(std::string& out, std::string_view text);

/// Appends a number as serialize() writes it.
void append_number(std::string& out, double d);
/// Appends a number as serialize() writes it.
void append_number(std::string& out, std::uint64_t n);
/// Appends a number as serialize() writes it.
void append_number(std::string& out, std::int64_t n);

/// Appends the milliseconds of `d` exactly as append_number() writes the double
/// `std::chrono::duration<double, std::milli>(d).count()`, without the double's arithmetic:
/// digits, then up to six decimals without trailing zeros (the shortest form of that double).
void append_milliseconds(std::string& out, std::chrono::nanoseconds d);

} // namespace json_text
