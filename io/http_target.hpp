#pragma once

// Splitting a request target into its path segments and query parameters (RFC 3986 §3.3,
// §3.4), with percent-decoding. Pure; used by the route tables of every HTTP service.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace io::http {

/// A request target taken apart.
struct request_target {
    /// The decoded path segments: "/api/v1/rules/r1" -> {"api", "v1", "rules", "r1"}.
    std::vector<std::string> segments;
    /// The decoded query parameters; a repeated name keeps its last value.
    std::map<std::string, std::string, std::less<>> query;
};

/// Parses `target`; nothing when it is not an origin-form target or its escapes are broken.
std::optional<request_target> parse_request_target(std::string_view target);

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nothing when one is broken.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

} // namespace io::http
