#include "prober/mx_lookup.hpp"

#include "io/client_error.hpp"
#include "io/dns_resolver.hpp"
#include "prober/probe_driver.hpp"

namespace prober {
namespace {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

template <class T> mx_answer negative(const boost::system::result<T>& r)
{
    mx_answer out;
    if (r.error() == io::dns_errc::nxdomain) {
        out.outcome = mx_answer::kind::nxdomain;
    } else if (r.error() == io::dns_errc::no_data ||
               r.error() == io::client_errc::no_address_of_family) {
        out.outcome = mx_answer::kind::no_data;
    } else if (r.error() == io::client_errc::timeout || r.error() == io::dns_errc::timeout) {
        out.outcome = mx_answer::kind::timeout;
        out.error = "no answer from the DNS server";
    } else {
        out.outcome = mx_answer::kind::failed;
        out.error = r.error().message();
    }
    return out;
}

net::awaitable<mx_answer> ask(const mx_route::question& q, const probe_options& o,
                              clock_type::time_point deadline, const io::dns_settings& settings)
{
    mx_answer out{mx_answer::kind::answered, {}, {}, {}};
    if (q.mx) {
        auto r = co_await io::query_mx(q.name, deadline, settings);
        if (!r) {
            co_return negative(r);
        }
        for (auto& rec : *r) {
            out.mx.push_back({rec.preference, std::move(rec.exchange)});
        }
        co_return out;
    }
    auto r = co_await io::resolve_host(q.name, io_family(o.family), deadline, settings);
    if (!r) {
        co_return negative(r);
    }
    for (const auto& a : *r) {
        out.addresses.push_back(a.to_string());
    }
    co_return out;
}

} // namespace

net::awaitable<mx_outcome> find_mail_route(const probe_options& o, clock_type::time_point deadline)
{
    const auto settings = dns_settings_of(o.dns_server);
    mx_route route(o.host);
    const auto start = clock_type::now();
    while (auto q = route.next()) {
        auto answer = co_await ask(*q, o, deadline, settings);
        route.on_answer(answer, std::chrono::duration_cast<std::chrono::microseconds>(
                                    clock_type::now() - start));
    }
    co_return route.result();
}

} // namespace prober
