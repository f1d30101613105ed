#pragma once

// I/O file: the mock's DNS server, a thin driver of dns::responder on loopback UDP and TCP
// (one port for both). It makes no DNS decisions: each received message goes to the responder
// with the fault decisions of the fault source, and the driver sends what it is told, when it
// is told. UDP datagrams are received whole; a delayed answer waits on its own timer. TCP
// connections (RFC 7766) come through the project's accept loop; their messages are cut by
// dns::tcp_framer and answered in order; an idle connection is closed after 30 s (RFC 7766
// §6.2.3). Everything runs on an io_context and thread of its own, as task_group tasks, so
// stop() is cancellation.
//
//   mock::dns_server dns("--dns", "127.0.0.1:0", dns::responder(std::move(zones)), faults);
//   dns.start();            // binds UDP, then TCP on the same port
//   dns.endpoint();         // 127.0.0.1 and the port picked
//   dns.stop();

#include "dns/responder.hpp"

#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace mock {

/// The wait before the UDP loop receives again after `errors` receive errors in a row: none after
/// one (the ICMP error an earlier send leaves), then 10 ms, doubling up to 1 s, so that an error
/// that recurs is waited out instead of spinning.
std::chrono::milliseconds dns_receive_backoff(unsigned errors) noexcept;

/// The DNS server.
class dns_server {
public:
    /// Serves `responder` at `address` ("ADDR:PORT", a literal IP; port 0 picks one free for
    /// both UDP and TCP), with the decisions of `faults` per query (none when empty). `what`
    /// names the service in errors ("--dns"). Throws std::runtime_error when the address does
    /// not parse.
    dns_server(std::string what, const std::string& address, dns::responder responder,
               dns::fault_source faults = {});
    ~dns_server();
    dns_server(const dns_server&) = delete;
    dns_server& operator=(const dns_server&) = delete;

    /// Binds both sockets and starts the thread. Throws std::system_error naming the service
    /// and the address when it cannot bind.
    void start();
    /// Closes the sockets, ends every connection and pending answer, and joins the thread.
    /// Idempotent.
    void stop();

    /// The bound endpoint (the configured one before start()).
    boost::asio::ip::udp::endpoint endpoint() const;

    /// How many messages it has received, over UDP and TCP. Thread-safe.
    std::uint64_t queries() const noexcept;
    /// How many of them came over TCP. Thread-safe.
    std::uint64_t tcp_queries() const noexcept;
    /// What the responder made of the last message received (dns::reply_action::note), e.g.
    /// "no answer (fault)". Thread-safe.
    std::string last_note() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

} // namespace mock
