#pragma once

// Parsing DNS messages from wire form (RFC 1035 §4.1), bounded and strict: every read is
// checked against the end of the message (and of its RDATA), compression pointers must point
// to a prior name (RFC 1035 §4.1.4) so no input can loop, names are held to 255 octets, and
// no allocation is sized by a count from the message. No I/O.
//
//   auto m = dns::parse_message(bytes);
//   if (!m) log(m.error().to_string());   // "compression pointer ... at offset 27"

#include "dns/message.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dns {

/// Why a message could not be parsed, and where.
struct parse_error {
    boost::system::error_code code; ///< an errc
    std::size_t offset = 0;         ///< the offset in the message of the faulty field

    /// "<message> at offset <n>".
    std::string to_string() const;
};

/// Lets boost::system::result<T, parse_error>::value() throw a system_error.
[[noreturn]] void throw_exception_from_error(const parse_error& e,
                                             const boost::source_location& loc);

/// Parses a whole message of at most max_message_size octets. Fails with errc::truncated,
/// trailing_data, bad_label_type, pointer_out_of_range, pointer_loop, name_too_long,
/// bad_rdata, bad_opt or message_too_large. The OPT record, if any, is taken out of the
/// additional section into message::opt.
boost::system::result<message, parse_error> parse_message(std::span<const std::uint8_t> wire);

/// The header alone, when the message has at least header_size octets, e.g. to answer a
/// malformed query with FORMERR and its ID.
std::optional<header> parse_header(std::span<const std::uint8_t> wire) noexcept;

} // namespace dns
