#pragma once

// A DNS server for tests, on loopback UDP and TCP (one port for both), on the io_context of
// the test. It serves the project's DNS core (dns::responder): either a table of names set one
// by one, each of which can be made to fail with an RCODE, never answer, or answer over UDP
// truncated so that the client retries over TCP; or a whole zone set with fault decisions per
// query. Test code only: one coroutine per socket and per TCP connection, detached.

#include "dns/fault_decisions.hpp"
#include "dns/responder.hpp"
#include "dns/zone_set.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
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

/// The responder.
class dns_responder {
public:
    /// Listens on 127.0.0.1 and serves names set with set(); other names are NXDOMAIN (they
    /// belong to a root zone).
    explicit dns_responder(boost::asio::io_context& ioc);

    /// Listens on 127.0.0.1 and serves `zones`, with the fault decisions of `faults` for each
    /// query (none when empty).
    dns_responder(boost::asio::io_context& ioc, dns::zone_set zones, dns::fault_source faults = {});

    ~dns_responder();
    dns_responder(const dns_responder&) = delete;
    dns_responder& operator=(const dns_responder&) = delete;

    /// Answers `name` (case-insensitive, without the final dot) so, replacing its records.
    /// Throws std::invalid_argument when the name is malformed or in no zone served.
    void set(const std::string& name, dns_answer answer);

    /// Changes the fault decisions for the queries to come.
    void set_faults(dns::fault_source faults);

    /// The data served, to change between queries.
    dns::zone_set& zones();

    /// Where it listens.
    boost::asio::ip::tcp::endpoint endpoint() const;

    /// Queries received so far, over UDP and TCP.
    int queries() const noexcept;
    /// Queries received over TCP.
    int tcp_queries() const noexcept;
    /// What the responder made of the last message received (reply_action::note).
    std::string last_note() const;

    struct state;

private:
    std::shared_ptr<state> state_;
};

/// The address in the DNS core's form.
dns::ip_address to_dns(const boost::asio::ip::address& a);

} // namespace test_support
