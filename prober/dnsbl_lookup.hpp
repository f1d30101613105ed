#pragma once

// I/O file: the blocklist checks of --dnsbl, each zone's dnsbl_check driven over the project's
// one resolver (io/dns_resolver.hpp), every zone at once. It decides nothing: the state machine
// says what to ask, the resolver's outcome goes back to it as it came.

#include "prober/dnsbl_check.hpp"
#include "prober/probe_options.hpp"

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace prober {

/// What each zone of `o.dnsbl` says about the server's address: that of `peer` (the address
/// connected to, "127.0.0.1:25" or "[::1]:25"), or when empty the first address of `o.host`.
/// Every lookup ends by `deadline`. Empty when there is no zone or no address to look up.
boost::asio::awaitable<std::vector<dnsbl_result>>
check_blocklists(const probe_options& o, std::string peer,
                 std::chrono::steady_clock::time_point deadline);

} // namespace prober
