#include "prober/dnsbl_lookup.hpp"

#include "io/client_error.hpp"
#include "io/dns_resolver.hpp"
#include "io/endpoint.hpp"
#include "io/task_group.hpp"
#include "prober/probe_driver.hpp"

#include <boost/asio/this_coro.hpp>

namespace prober {
namespace {

namespace net = boost::asio;
using io::dns_errc;

template <class T> dnsbl_answer failed_or_negative(const boost::system::result<T>& r)
{
    dnsbl_answer out;
    if (r.error() == dns_errc::nxdomain) {
        out.outcome = dnsbl_answer::kind::nxdomain;
    } else if (r.error() == dns_errc::no_data) {
        out.outcome = dnsbl_answer::kind::no_data;
    } else {
        out.outcome = dnsbl_answer::kind::failed;
        out.error = r.error() == io::client_errc::timeout ? "no answer before the deadline"
                                                          : r.error().message();
    }
    return out;
}

net::awaitable<dnsbl_answer> ask(const dnsbl_check::question& q,
                                 std::chrono::steady_clock::time_point deadline,
                                 const io::dns_settings& settings)
{
    if (q.txt) {
        auto r = co_await io::query_txt(q.name, deadline, settings);
        if (!r) {
            co_return failed_or_negative(r);
        }
        co_return dnsbl_answer{dnsbl_answer::kind::answered, {}, std::move(*r), {}};
    }
    auto r = co_await io::query_a(q.name, deadline, settings);
    if (!r) {
        co_return failed_or_negative(r);
    }
    dnsbl_answer out{dnsbl_answer::kind::answered, {}, {}, {}};
    for (const auto& a : *r) {
        out.a.push_back(a.to_bytes());
    }
    co_return out;
}

net::awaitable<void> run_check(dnsbl_check& check, std::chrono::steady_clock::time_point deadline,
                               const io::dns_settings& settings)
{
    while (auto q = check.next()) {
        check.on_answer(co_await ask(*q, deadline, settings));
    }
}

// The address to look up, as the resolver gives it.
net::awaitable<std::optional<net::ip::address>>
address_of(const probe_options& o, const std::string& peer,
           std::chrono::steady_clock::time_point deadline, const io::dns_settings& settings)
{
    if (auto ep = io::parse_endpoint(peer); !peer.empty() && ep) {
        co_return ep->address();
    }
    auto addresses = co_await io::resolve_host(o.host, io_family(o.family), deadline, settings);
    if (!addresses || addresses->empty()) {
        co_return std::nullopt;
    }
    co_return addresses->front();
}

} // namespace

net::awaitable<std::vector<dnsbl_result>>
check_blocklists(const probe_options& o, std::string peer,
                 std::chrono::steady_clock::time_point deadline)
{
    std::vector<dnsbl_result> out;
    if (o.dnsbl.empty()) {
        co_return out;
    }
    const auto settings = dns_settings_of(o.dns_server);
    const auto address = co_await address_of(o, peer, deadline, settings);
    if (!address) {
        co_return out; // the session has reported why the host has no address
    }
    const dns::ip_address ip = address->is_v4() ? dns::ip_address(address->to_v4().to_bytes())
                                                : dns::ip_address(address->to_v6().to_bytes());
    std::vector<dnsbl_check> checks;
    for (const auto& zone : o.dnsbl) {
        checks.emplace_back(zone, ip);
    }
    io::task_group group(co_await net::this_coro::executor);
    for (auto& check : checks) {
        group.spawn(run_check(check, deadline, settings));
    }
    // Each lookup ends at the deadline; a moment more lets the last one report it.
    if (!co_await group.wait_until_empty(deadline + std::chrono::milliseconds(500))) {
        group.stop();
        co_await group.wait_until_empty(std::chrono::steady_clock::now() + std::chrono::seconds(1));
    }
    for (auto& check : checks) {
        while (check.next()) { // stopped at the deadline
            check.on_answer({dnsbl_answer::kind::failed, {}, {}, "no answer before the deadline"});
        }
        out.push_back(check.result());
    }
    co_return out;
}

} // namespace prober
