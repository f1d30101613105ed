#pragma once

#include "prober/probe_options.hpp"

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prober {

/// A target as written on the command line.
struct target_address {
    /// The host name or address literal, without brackets.
    std::string host;
    /// The port, or 0 when none was written.
    std::uint16_t port = 0;
};

/// Parses "host", "host:port", "[v6-literal]:port" or a bare IPv6 literal.
boost::system::result<target_address> parse_target(std::string_view text);

/// Reads targets from the text of a --targets file: one per line, blank lines and lines
/// starting with '#' ignored. Returns the first bad line's error and its line number in `bad_line`.
boost::system::result<std::vector<target_address>> parse_targets_file(std::string_view text,
                                                                      std::size_t& bad_line);

/// Parses `pop3://USER:PASS@HOST[:PORT]` (also pop3s, imap, imaps); user and password are
/// percent-decoded.
boost::system::result<verify_spec> parse_verify_url(std::string_view url);

} // namespace prober
