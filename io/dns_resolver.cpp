#include "io/dns_resolver.hpp"

#include "io/client_error.hpp"
#include "io/dns_channel.hpp"

#include <algorithm>
#include <arpa/nameser.h>
#include <array>
#include <boost/asio/this_coro.hpp>
#include <cstring>
#include <netinet/in.h>

namespace io {

namespace net = boost::asio;
using detail::dns_channel;
using detail::dns_error_of;

namespace {

template <typename T> using lookup_result = boost::system::result<T>;

// Ends the lookup however the awaiting coroutine ends (even destroyed while suspended): closing
// the channel cancels its socket waits, whose handlers hold the channel alive.
struct channel_closer {
    std::shared_ptr<dns_channel>& channel;
    ~channel_closer()
    {
        if (channel) {
            channel->close();
        }
    }
};

bool family_matches(const net::ip::address& a, address_family family) noexcept
{
    return family == address_family::any || (family == address_family::v4 && a.is_v4()) ||
           (family == address_family::v6 && a.is_v6());
}

int ares_family(address_family family) noexcept
{
    switch (family) {
    case address_family::v4:
        return AF_INET;
    case address_family::v6:
        return AF_INET6;
    case address_family::any:
        break;
    }
    return AF_UNSPEC;
}

std::vector<net::ip::address> addresses_of(const ares_addrinfo* info)
{
    std::vector<net::ip::address> out;
    for (auto* node = info != nullptr ? info->nodes : nullptr; node != nullptr;
         node = node->ai_next) {
        net::ip::address a;
        if (node->ai_family == AF_INET && node->ai_addr != nullptr) {
            const auto* sin = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
            net::ip::address_v4::bytes_type b;
            std::memcpy(b.data(), &sin->sin_addr, b.size());
            a = net::ip::address_v4(b);
        } else if (node->ai_family == AF_INET6 && node->ai_addr != nullptr) {
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
            net::ip::address_v6::bytes_type b;
            std::memcpy(b.data(), &sin6->sin6_addr, b.size());
            a = net::ip::address_v6(b, sin6->sin6_scope_id);
        } else {
            continue;
        }
        if (std::find(out.begin(), out.end(), a) == out.end()) {
            out.push_back(a);
        }
    }
    return out;
}

// Runs one ares_query of `type` and returns the answer message.
net::awaitable<lookup_result<std::string>>
run_query(const std::string& name, int type, dns_deadline deadline, const dns_settings& settings)
{
    auto created = dns_channel::create(co_await net::this_coro::executor, settings);
    if (!created) {
        co_return created.error();
    }
    auto channel = *created;
    channel_closer closer{channel};
    channel->start_query(name, type);
    if (auto ec = co_await channel->run(deadline)) {
        co_return ec;
    }
    if (auto ec = dns_error_of(channel->result().status)) {
        co_return ec;
    }
    co_return std::move(channel->result().answer);
}

const unsigned char* bytes_of(const std::string& s) noexcept
{
    return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

net::awaitable<lookup_result<std::vector<net::ip::address>>>
resolve_host(std::string host, address_family family, dns_deadline deadline, dns_settings settings)
{
    // An address literal is its own answer: it never touches DNS.
    boost::system::error_code literal_ec;
    const auto literal = net::ip::make_address(host, literal_ec);
    if (!literal_ec) {
        if (!family_matches(literal, family)) {
            co_return make_error_code(client_errc::no_address_of_family);
        }
        co_return std::vector<net::ip::address>{literal};
    }
    auto created = dns_channel::create(co_await net::this_coro::executor, settings);
    if (!created) {
        co_return created.error();
    }
    auto channel = *created;
    channel_closer closer{channel};
    channel->start_getaddrinfo(host, ares_family(family));
    if (auto ec = co_await channel->run(deadline)) {
        co_return ec;
    }
    auto& outcome = channel->result();
    if (auto ec = dns_error_of(outcome.status)) {
        if (ec == dns_errc::no_data && family != address_family::any) {
            co_return make_error_code(client_errc::no_address_of_family);
        }
        co_return ec;
    }
    auto addresses = addresses_of(outcome.info);
    std::erase_if(addresses, [family](const auto& a) { return !family_matches(a, family); });
    if (addresses.empty()) {
        co_return family == address_family::any
            ? make_error_code(dns_errc::no_data)
            : make_error_code(client_errc::no_address_of_family);
    }
    co_return addresses;
}

net::awaitable<lookup_result<std::vector<mx_record>>>
query_mx(std::string domain, dns_deadline deadline, dns_settings settings)
{
    auto answer = co_await run_query(domain, ns_t_mx, deadline, settings);
    if (!answer) {
        co_return answer.error();
    }
    ares_mx_reply* replies = nullptr;
    const int status =
        ares_parse_mx_reply(bytes_of(*answer), static_cast<int>(answer->size()), &replies);
    if (status != ARES_SUCCESS) {
        co_return dns_error_of(status);
    }
    std::vector<mx_record> out;
    for (auto* r = replies; r != nullptr; r = r->next) {
        out.push_back({r->priority, r->host != nullptr ? r->host : ""});
    }
    ares_free_data(replies);
    // RFC 5321 §5.1: the lowest preference is tried first.
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.preference < b.preference; });
    co_return out;
}

net::awaitable<lookup_result<std::vector<std::string>>>
query_txt(std::string name, dns_deadline deadline, dns_settings settings)
{
    auto answer = co_await run_query(name, ns_t_txt, deadline, settings);
    if (!answer) {
        co_return answer.error();
    }
    ares_txt_ext* replies = nullptr;
    const int status =
        ares_parse_txt_reply_ext(bytes_of(*answer), static_cast<int>(answer->size()), &replies);
    if (status != ARES_SUCCESS) {
        co_return dns_error_of(status);
    }
    std::vector<std::string> out;
    for (auto* r = replies; r != nullptr; r = r->next) {
        // Each record is one or more character-strings (RFC 1035 §3.3.14); join them.
        if (r->record_start != 0 || out.empty()) {
            out.emplace_back();
        }
        out.back().append(reinterpret_cast<const char*>(r->txt), r->length);
    }
    ares_free_data(replies);
    co_return out;
}

net::awaitable<lookup_result<std::vector<net::ip::address_v4>>>
query_a(std::string name, dns_deadline deadline, dns_settings settings)
{
    auto answer = co_await run_query(name, ns_t_a, deadline, settings);
    if (!answer) {
        co_return answer.error();
    }
    std::array<ares_addrttl, 64> records{};
    int count = static_cast<int>(records.size());
    const int status = ares_parse_a_reply(bytes_of(*answer), static_cast<int>(answer->size()),
                                          nullptr, records.data(), &count);
    if (status != ARES_SUCCESS) {
        co_return dns_error_of(status);
    }
    std::vector<net::ip::address_v4> out;
    for (int i = 0; i < count; ++i) {
        net::ip::address_v4::bytes_type b;
        std::memcpy(b.data(), &records[static_cast<std::size_t>(i)].ipaddr, b.size());
        out.emplace_back(b);
    }
    co_return out;
}

} // namespace io
