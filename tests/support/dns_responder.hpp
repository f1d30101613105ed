#pragma once

// A small authoritative DNS responder for tests, on loopback UDP and TCP (RFC 1035 §4.2), on
// the io_context of the test. Names are answered from a table; a name can be made to fail
// with an RCODE, never answer, or answer over UDP truncated so that the client retries over
// TCP. Test code only: it parses single-question queries and nothing more.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

/// How the responder answers one name.
struct dns_answer {
    /// RCODE of the answer (RFC 1035 §4.1.1): 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED.
    int rcode = 0;
    /// Never answer.
    bool drop = false;
    /// Over UDP, answer with TC set and no records, so that the client asks again over TCP.
    bool truncate_udp = false;
    /// A records.
    std::vector<boost::asio::ip::address_v4> a;
    /// AAAA records.
    std::vector<boost::asio::ip::address_v6> aaaa;
    /// MX records: preference and exchange.
    std::vector<std::pair<std::uint16_t, std::string>> mx;
    /// TXT records, each one or more character-strings.
    std::vector<std::vector<std::string>> txt;
};

/// The responder. Unknown names are NXDOMAIN.
class dns_responder {
public:
    /// Listens on 127.0.0.1, one port for UDP and TCP, and serves on `ioc`.
    explicit dns_responder(boost::asio::io_context& ioc);
    ~dns_responder();
    dns_responder(const dns_responder&) = delete;
    dns_responder& operator=(const dns_responder&) = delete;

    /// Answers `name` (case-insensitive, without the final dot) so.
    void set(const std::string& name, dns_answer answer);

    /// Where it listens.
    boost::asio::ip::tcp::endpoint endpoint() const;

    /// Queries received so far, over UDP and TCP.
    int queries() const noexcept;
    /// Queries received over TCP.
    int tcp_queries() const noexcept;

    struct state;

private:
    std::shared_ptr<state> state_;
};

} // namespace test_support
