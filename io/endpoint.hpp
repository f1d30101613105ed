#pragma once

// Text forms of TCP endpoints, as the command lines and the ready line use them.

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace io {

/// Parses "ADDR:PORT", "[IPV6]:PORT" or "localhost:PORT" (which means 127.0.0.1) into an
/// endpoint; the address must be literal. Port 0 asks for an ephemeral port.
boost::system::result<boost::asio::ip::tcp::endpoint> parse_endpoint(std::string_view text);

/// "127.0.0.1:2525" or "[::1]:2525".
std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint);

} // namespace io
