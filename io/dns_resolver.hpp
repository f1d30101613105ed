#pragma once

// I/O file: DNS lookups, the one resolver of every client of the project.
//
// Built on c-ares and driven by the caller's io_context: c-ares' sockets are watched with
// posix::stream_descriptor waits and its retransmission timeouts with a timer, so a lookup never
// blocks a thread, ends at its deadline, and ends at once (ares_cancel) when the awaiting
// coroutine is cancelled. No thread is left behind. Use within one single-threaded io_context.

#include "io/dns_error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace io {

/// Which addresses a host name may resolve to (-4 / -6).
enum class address_family {
    any, ///< IPv4 and IPv6
    v4,  ///< IPv4 only
    v6,  ///< IPv6 only
};

/// Where lookups go.
struct dns_settings {
    /// Ask this server (UDP, and TCP for truncated answers) instead of those of
    /// /etc/resolv.conf. Then every lookup goes to it: /etc/hosts is not read and no search
    /// domain is appended.
    std::optional<boost::asio::ip::tcp::endpoint> server;
};

/// One MX record (RFC 1035 §3.3.9).
struct mx_record {
    /// Lower is preferred (RFC 5321 §5.1).
    std::uint16_t preference = 0;
    /// The mail exchanger's host name, without the final dot.
    std::string exchange;
};

/// The deadline of a lookup.
using dns_deadline = std::chrono::steady_clock::time_point;

/// The addresses of `host`, as getaddrinfo would give them: an address literal is returned as
/// it is, without any lookup; a name is looked up in /etc/hosts, then as A and AAAA records
/// (with the search domains of resolv.conf), and sorted by RFC 6724. Only addresses of `family`
/// are returned; a name that has addresses, but none of that family, fails with
/// io::client_errc::no_address_of_family. Fails with a dns_errc, io::client_errc::timeout at
/// the deadline, or boost::asio::error::operation_aborted when cancelled.
boost::asio::awaitable<boost::system::result<std::vector<boost::asio::ip::address>>>
resolve_host(std::string host, address_family family, dns_deadline deadline,
             dns_settings settings = {});

/// The MX records of `domain`, most preferred first. NXDOMAIN is dns_errc::nxdomain, a domain
/// without MX records dns_errc::no_data (RFC 5321 §5.1 then falls back to its A/AAAA records).
boost::asio::awaitable<boost::system::result<std::vector<mx_record>>>
query_mx(std::string domain, dns_deadline deadline, dns_settings settings = {});

/// The TXT records of `name`, one string per record, its character-strings joined
/// (RFC 7208 §3.3), e.g. the reason a DNS blocklist gives for a listing.
boost::asio::awaitable<boost::system::result<std::vector<std::string>>>
query_txt(std::string name, dns_deadline deadline, dns_settings settings = {});

/// The A records of `name`, e.g. a DNS blocklist's answer code (127.0.0.2). No search domain
/// is appended and /etc/hosts is not read: `name` is looked up as it is.
boost::asio::awaitable<boost::system::result<std::vector<boost::asio::ip::address_v4>>>
query_a(std::string name, dns_deadline deadline, dns_settings settings = {});

} // namespace io
