#pragma once

// The mock's own DNS server (mockserver/dns/dns_server) serving what an integration test needs:
// its zones, and fault decisions the test changes between queries, for every name or for one.
// The server answers on a thread of its own; the decisions are read under a lock.
//
//   test_support::dns_served dns(test_support::root_zone({a_record("mail.test", "127.0.0.1")}));
//   dns.set_faults("slow.test", fault([](dns::fault_decisions& f) { f.no_answer = true; }));
//   io::resolve_host("mail.test", io::address_family::any, deadline, dns.settings());

#include "dns/fault_decisions.hpp"
#include "dns/responder.hpp"
#include "dns/zone_set.hpp"
#include "io/dns_resolver.hpp"
#include "mockserver/dns/dns_server.hpp"

#include <boost/asio/ip/address.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

/// A name of the test's, which must parse.
inline dns::name dns_name(std::string_view text)
{
    auto n = dns::name::parse(text);
    if (!n) {
        throw std::invalid_argument("not a DNS name: " + std::string(text));
    }
    return *n;
}

/// One record of `owner` with a TTL of 60 s.
inline dns::resource_record record(std::string_view owner, dns::rr_type type, dns::rdata data)
{
    return {dns_name(owner), type, dns::rr_class::in, 60, std::move(data)};
}

/// An A or AAAA record.
inline dns::resource_record address_record(std::string_view owner, const char* address)
{
    const auto a = boost::asio::ip::make_address(address);
    if (a.is_v4()) {
        return record(owner, dns::rr_type::a, dns::a_data{a.to_v4().to_bytes()});
    }
    return record(owner, dns::rr_type::aaaa, dns::aaaa_data{a.to_v6().to_bytes()});
}

/// The root zone holding `records`: every name is below it, and those without records are
/// NXDOMAIN.
inline dns::zone_set root_zone(std::vector<dns::resource_record> records)
{
    dns::soa_data soa{dns_name("ns.test"), dns_name("hostmaster.test")};
    dns::zone root(dns::name(), soa, 60);
    for (auto& rr : records) {
        if (auto ec = root.add(std::move(rr))) {
            throw std::invalid_argument("cannot serve a test record: " + ec.message());
        }
    }
    dns::zone_set zones;
    zones.zones.push_back(std::move(root));
    return zones;
}

/// Fault decisions as `set` makes them:
/// fault([](dns::fault_decisions& f) { f.no_answer = true; }).
template <class Set> dns::fault_decisions fault(Set set)
{
    dns::fault_decisions f;
    set(f);
    return f;
}

/// The server, on 127.0.0.1 and a free port for both UDP and TCP, started.
class dns_served {
public:
    explicit dns_served(dns::zone_set zones)
        : decisions_(std::make_shared<shared>())
        , server_("dns", "127.0.0.1:0", dns::responder(std::move(zones)),
                  [d = decisions_](const dns::query& q) {
                      const std::lock_guard lock(d->mutex);
                      const auto named = d->by_name.find(q.question.qname.key());
                      return named != d->by_name.end() ? named->second : d->every;
                  })
    {
        server_.start();
    }

    /// The decisions for every query from now on (but names given their own).
    void set_faults(dns::fault_decisions f)
    {
        const std::lock_guard lock(decisions_->mutex);
        decisions_->every = std::move(f);
    }

    /// The decisions for the queries of `name` from now on.
    void set_faults(std::string_view name, dns::fault_decisions f)
    {
        const std::lock_guard lock(decisions_->mutex);
        decisions_->by_name[dns_name(name).key()] = std::move(f);
    }

    /// Where lookups go to ask it.
    io::dns_settings settings() const
    {
        const auto at = server_.endpoint();
        return io::dns_settings{boost::asio::ip::tcp::endpoint(at.address(), at.port())};
    }

    /// The server itself: queries(), tcp_queries(), last_note().
    const mock::dns_server& server() const noexcept { return server_; }

private:
    struct shared {
        std::mutex mutex;
        dns::fault_decisions every;
        std::map<std::string, dns::fault_decisions> by_name;
    };
    std::shared_ptr<shared> decisions_;
    mock::dns_server server_;
};

} // namespace test_support
