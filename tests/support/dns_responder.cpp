#include "dns_responder.hpp"

#include "dns/tcp_framer.hpp"
#include "io/awaitable.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/write.hpp>
#include <map>
#include <stdexcept>

namespace test_support {

namespace net = boost::asio;
using udp = net::ip::udp;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

struct dns_responder::state {
    state(net::io_context& ioc, dns::zone_set zones, dns::fault_source source)
        : udp_socket(ioc)
        , acceptor(ioc)
        , core(std::move(zones))
        , faults(std::move(source))
    {
    }
    udp::socket udp_socket;
    tcp::acceptor acceptor;
    dns::responder core;
    dns::fault_source faults;
    std::map<std::string, dns::fault_decisions> by_name; // set() faults, by name::key()
    int queries = 0;
    int tcp_queries = 0;
    std::string last_note;
    bool stopped = false;

    // The action for one received message: faults of set() for its name, else of `faults`.
    dns::reply_action respond(std::span<const std::uint8_t> bytes, dns::transport via,
                              const net::ip::address& from, clock_type::time_point at)
    {
        ++queries;
        tcp_queries += via == dns::transport::tcp ? 1 : 0;
        auto action = core.respond({bytes, via, to_dns(from), at}, [this](const dns::query& q) {
            const auto named = by_name.find(q.question.qname.key());
            if (named != by_name.end()) {
                return named->second;
            }
            return faults ? faults(q) : dns::fault_decisions{};
        });
        last_note = action.note;
        return action;
    }
};

namespace {

// TCP connections idle this long are closed (RFC 7766 §6.2.3).
constexpr auto tcp_idle_timeout = std::chrono::seconds(30);

dns::zone_set root_zone()
{
    dns::soa_data soa;
    soa.mname = *dns::name::parse("ns.test");
    soa.rname = *dns::name::parse("hostmaster.test");
    dns::zone_set zones;
    zones.zones.emplace_back(dns::name(), soa, 60);
    return zones;
}

std::vector<dns::resource_record> records_of(const dns::name& owner, const dns_answer& answer)
{
    std::vector<dns::resource_record> out;
    auto add = [&](dns::rr_type type, dns::rdata data) {
        out.push_back({owner, type, dns::rr_class::in, 60, std::move(data)});
    };
    for (const auto& v4 : answer.a) {
        add(dns::rr_type::a, dns::a_data{v4.to_bytes()});
    }
    for (const auto& v6 : answer.aaaa) {
        add(dns::rr_type::aaaa, dns::aaaa_data{v6.to_bytes()});
    }
    for (const auto& [preference, exchange] : answer.mx) {
        auto host = dns::name::parse(exchange);
        if (!host) {
            throw std::invalid_argument("dns_responder: bad MX exchange " + exchange);
        }
        add(dns::rr_type::mx, dns::mx_data{preference, *host});
    }
    for (const auto& strings : answer.txt) {
        add(dns::rr_type::txt, dns::txt_data{strings});
    }
    return out;
}

net::awaitable<void> send_later(std::shared_ptr<dns_responder::state> s, dns::reply_action action,
                                udp::endpoint to)
{
    io::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_at(action.at);
    co_await timer.async_wait();
    if (!s->stopped) {
        co_await s->udp_socket.async_send_to(net::buffer(action.bytes), to, io::use_tuple);
    }
}

net::awaitable<void> serve_udp(std::shared_ptr<dns_responder::state> s)
{
    // A whole datagram, however large, so that the responder sees what was sent.
    std::vector<std::uint8_t> buffer(65535);
    while (!s->stopped) {
        udp::endpoint from;
        auto [ec, n] =
            co_await s->udp_socket.async_receive_from(net::buffer(buffer), from, io::use_tuple);
        if (ec) {
            co_return;
        }
        auto action = s->respond(std::span(buffer.data(), n), dns::transport::udp, from.address(),
                                 clock_type::now());
        if (action.what != dns::reply_action::kind::send) {
            continue;
        }
        if (action.at > clock_type::now()) {
            // A slow answer waits on its own timer; other queries are answered meanwhile.
            net::co_spawn(s->udp_socket.get_executor(), send_later(s, std::move(action), from),
                          net::detached);
            continue;
        }
        co_await s->udp_socket.async_send_to(net::buffer(action.bytes), from, io::use_tuple);
    }
}

// Answers each framed message in turn; a slow answer delays those after it on the connection.
net::awaitable<void> serve_tcp_client(std::shared_ptr<dns_responder::state> s, tcp::socket sock)
{
    dns::tcp_framer framer;
    std::array<std::uint8_t, 4096> buffer{};
    boost::system::error_code peer_ec;
    const auto peer = sock.remote_endpoint(peer_ec).address();
    while (!s->stopped) {
        auto read =
            co_await io::with_deadline(sock.async_read_some(net::buffer(buffer), io::use_tuple),
                                       clock_type::now() + tcp_idle_timeout);
        if (!read || std::get<0>(*read)) {
            co_return;
        }
        const auto arrived = clock_type::now();
        std::span<const std::uint8_t> data(buffer.data(), std::get<1>(*read));
        while (!data.empty()) {
            data = data.subspan(framer.consume(data));
            if (framer.error()) {
                co_return;
            }
            if (!framer.has_message()) {
                continue;
            }
            const auto message = framer.take();
            auto action = s->respond(message, dns::transport::tcp, peer, arrived);
            if (action.what != dns::reply_action::kind::send) {
                continue;
            }
            io::steady_timer timer(co_await net::this_coro::executor);
            timer.expires_at(action.at);
            co_await timer.async_wait();
            auto [ec, n] =
                co_await net::async_write(sock, net::buffer(action.bytes), io::use_tuple);
            if (ec) {
                co_return;
            }
        }
    }
}

net::awaitable<void> serve_tcp(std::shared_ptr<dns_responder::state> s)
{
    while (!s->stopped) {
        auto [ec, sock] = co_await s->acceptor.async_accept(io::use_tuple);
        if (ec) {
            co_return;
        }
        net::co_spawn(s->acceptor.get_executor(), serve_tcp_client(s, std::move(sock)),
                      net::detached);
    }
}

} // namespace

dns::ip_address to_dns(const net::ip::address& a)
{
    if (a.is_v4()) {
        return a.to_v4().to_bytes();
    }
    return a.to_v6().to_bytes();
}

dns_responder::dns_responder(net::io_context& ioc)
    : dns_responder(ioc, root_zone())
{
}

dns_responder::dns_responder(net::io_context& ioc, dns::zone_set zones, dns::fault_source faults)
    : state_(std::make_shared<state>(ioc, std::move(zones), std::move(faults)))
{
    // One port for both transports: take a UDP port, then the same TCP port (retry if taken).
    for (int attempt = 0;; ++attempt) {
        boost::system::error_code ec;
        state_->udp_socket.close(ec);
        state_->udp_socket.open(udp::v4());
        state_->udp_socket.bind(udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        const auto port = state_->udp_socket.local_endpoint().port();
        state_->acceptor.close(ec);
        state_->acceptor.open(tcp::v4());
        state_->acceptor.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
        if (!ec) {
            state_->acceptor.listen();
            break;
        }
        if (attempt == 20) {
            throw std::runtime_error("dns_responder: no port free for both UDP and TCP");
        }
    }
    net::co_spawn(ioc, serve_udp(state_), net::detached);
    net::co_spawn(ioc, serve_tcp(state_), net::detached);
}

dns_responder::~dns_responder()
{
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->udp_socket.close(ignored);
    state_->acceptor.close(ignored);
}

void dns_responder::set(const std::string& name, dns_answer answer)
{
    auto owner = dns::name::parse(name);
    if (!owner) {
        throw std::invalid_argument("dns_responder: bad name " + name);
    }
    auto& zones = state_->core.zones().zones;
    auto holder = std::find_if(zones.begin(), zones.end(), [&](const dns::zone& z) {
        return &z == state_->core.zones().zone_of(*owner);
    });
    if (holder == zones.end()) {
        throw std::invalid_argument("dns_responder: no zone holds " + name);
    }
    holder->remove(*owner);
    for (auto& rr : records_of(*owner, answer)) {
        if (auto ec = holder->add(std::move(rr))) {
            throw std::invalid_argument("dns_responder: " + name + ": " + ec.message());
        }
    }
    dns::fault_decisions faults;
    faults.no_answer = answer.drop;
    faults.truncate_udp = answer.truncate_udp;
    if (answer.rcode != 0) {
        faults.rcode = static_cast<dns::rcode>(answer.rcode);
    }
    if (faults == dns::fault_decisions{}) {
        state_->by_name.erase(owner->key());
    } else {
        state_->by_name[owner->key()] = faults;
    }
}

void dns_responder::set_faults(dns::fault_source faults)
{
    state_->faults = std::move(faults);
}

dns::zone_set& dns_responder::zones()
{
    return state_->core.zones();
}

tcp::endpoint dns_responder::endpoint() const
{
    return {state_->acceptor.local_endpoint().address(), state_->acceptor.local_endpoint().port()};
}

int dns_responder::queries() const noexcept
{
    return state_->queries;
}

int dns_responder::tcp_queries() const noexcept
{
    return state_->tcp_queries;
}

std::string dns_responder::last_note() const
{
    return state_->last_note;
}

} // namespace test_support
