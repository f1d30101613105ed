#include "dns_responder.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace test_support {

namespace net = boost::asio;
using udp = net::ip::udp;
using tcp = net::ip::tcp;

struct dns_responder::state {
    explicit state(net::io_context& ioc)
        : udp_socket(ioc)
        , acceptor(ioc)
    {
    }
    udp::socket udp_socket;
    tcp::acceptor acceptor;
    std::map<std::string, dns_answer> names;
    int queries = 0;
    int tcp_queries = 0;
    bool stopped = false;
};

namespace {

constexpr auto token = net::as_tuple(net::use_awaitable);

std::string lower(std::string s)
{
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

void put16(std::string& out, unsigned v)
{
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
}

void put32(std::string& out, unsigned long v)
{
    put16(out, static_cast<unsigned>(v >> 16));
    put16(out, static_cast<unsigned>(v & 0xffff));
}

unsigned get16(const std::string& in, std::size_t at)
{
    return (static_cast<unsigned char>(in[at]) << 8) | static_cast<unsigned char>(in[at + 1]);
}

std::string encode_name(const std::string& name)
{
    std::string out;
    std::size_t start = 0;
    while (start < name.size()) {
        auto dot = name.find('.', start);
        if (dot == std::string::npos) {
            dot = name.size();
        }
        out += static_cast<char>(dot - start);
        out += name.substr(start, dot - start);
        start = dot + 1;
    }
    out += '\0';
    return out;
}

struct question {
    std::string name;     // lower case, no final dot
    unsigned type = 0;    // QTYPE
    std::size_t end = 12; // offset after the question
};

std::optional<question> parse_question(const std::string& q)
{
    if (q.size() < 12 || get16(q, 4) != 1) {
        return std::nullopt;
    }
    question out;
    std::size_t at = 12;
    while (at < q.size() && q[at] != 0) {
        const auto len = static_cast<unsigned char>(q[at]);
        if (len > 63 || at + 1 + len > q.size()) {
            return std::nullopt;
        }
        out.name += (out.name.empty() ? "" : ".") + q.substr(at + 1, len);
        at += 1 + len;
    }
    if (at + 5 > q.size()) {
        return std::nullopt;
    }
    out.type = get16(q, at + 1);
    out.end = at + 5;
    out.name = lower(out.name);
    return out;
}

// One resource record for the question's name (compressed as a pointer to offset 12).
void put_record(std::string& out, unsigned type, const std::string& rdata)
{
    put16(out, 0xc00c);
    put16(out, type);
    put16(out, 1); // IN
    put32(out, 60);
    put16(out, static_cast<unsigned>(rdata.size()));
    out += rdata;
}

// The answer to `query`, or nothing to stay silent.
std::optional<std::string> respond(dns_responder::state& s, const std::string& query, bool udp)
{
    auto q = parse_question(query);
    if (!q) {
        return std::nullopt;
    }
    auto it = s.names.find(q->name);
    const dns_answer* a = it == s.names.end() ? nullptr : &it->second;
    if (a != nullptr && a->drop) {
        return std::nullopt;
    }
    const bool truncated = a != nullptr && a->truncate_udp && udp;
    const int rcode = a == nullptr ? 3 : a->rcode;
    std::vector<std::pair<unsigned, std::string>> records;
    if (a != nullptr && rcode == 0 && !truncated) {
        constexpr unsigned t_a = 1, t_mx = 15, t_txt = 16, t_aaaa = 28;
        if (q->type == t_a) {
            for (const auto& v4 : a->a) {
                auto b = v4.to_bytes();
                records.emplace_back(t_a, std::string(b.begin(), b.end()));
            }
        } else if (q->type == t_aaaa) {
            for (const auto& v6 : a->aaaa) {
                auto b = v6.to_bytes();
                records.emplace_back(t_aaaa, std::string(b.begin(), b.end()));
            }
        } else if (q->type == t_mx) {
            for (const auto& [pref, exchange] : a->mx) {
                std::string rdata;
                put16(rdata, pref);
                rdata += encode_name(exchange);
                records.emplace_back(t_mx, rdata);
            }
        } else if (q->type == t_txt) {
            for (const auto& strings : a->txt) {
                std::string rdata;
                for (const auto& str : strings) {
                    rdata += static_cast<char>(str.size());
                    rdata += str;
                }
                records.emplace_back(t_txt, rdata);
            }
        }
    }
    std::string out = query.substr(0, 2); // ID
    const unsigned flags_in = get16(query, 2);
    unsigned flags = 0x8000 | (flags_in & 0x7800) | 0x0400 | (flags_in & 0x0100) | 0x0080 |
                     static_cast<unsigned>(rcode);
    if (truncated) {
        flags |= 0x0200;
    }
    put16(out, flags);
    put16(out, 1);
    put16(out, static_cast<unsigned>(records.size()));
    put16(out, 0);
    put16(out, 0);
    out += query.substr(12, q->end - 12);
    for (const auto& [type, rdata] : records) {
        put_record(out, type, rdata);
    }
    return out;
}

net::awaitable<void> serve_udp(std::shared_ptr<dns_responder::state> s)
{
    std::array<char, 1500> buffer{};
    while (!s->stopped) {
        udp::endpoint from;
        auto [ec, n] = co_await s->udp_socket.async_receive_from(net::buffer(buffer), from, token);
        if (ec) {
            co_return;
        }
        ++s->queries;
        if (auto reply = respond(*s, std::string(buffer.data(), n), true)) {
            co_await s->udp_socket.async_send_to(net::buffer(*reply), from, token);
        }
    }
}

net::awaitable<void> serve_tcp_client(std::shared_ptr<dns_responder::state> s, tcp::socket sock)
{
    for (;;) {
        std::array<unsigned char, 2> length{};
        auto [ec, n] = co_await net::async_read(sock, net::buffer(length), token);
        if (ec) {
            co_return;
        }
        std::string query(static_cast<std::size_t>(length[0] << 8 | length[1]), '\0');
        auto [rec, rn] = co_await net::async_read(sock, net::buffer(query), token);
        if (rec) {
            co_return;
        }
        ++s->queries;
        ++s->tcp_queries;
        if (auto reply = respond(*s, query, false)) {
            std::string framed;
            put16(framed, static_cast<unsigned>(reply->size()));
            framed += *reply;
            co_await net::async_write(sock, net::buffer(framed), token);
        }
    }
}

net::awaitable<void> serve_tcp(std::shared_ptr<dns_responder::state> s)
{
    while (!s->stopped) {
        auto [ec, sock] = co_await s->acceptor.async_accept(token);
        if (ec) {
            co_return;
        }
        net::co_spawn(s->acceptor.get_executor(), serve_tcp_client(s, std::move(sock)),
                      net::detached);
    }
}

} // namespace

dns_responder::dns_responder(net::io_context& ioc)
    : state_(std::make_shared<state>(ioc))
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
    state_->names[lower(name)] = std::move(answer);
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

} // namespace test_support
