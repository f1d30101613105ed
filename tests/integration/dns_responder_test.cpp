// The DNS core (dns/) served on loopback UDP and TCP by the mock's DNS server
// (mockserver/dns/dns_server) and asked by the project's resolver (io/dns_resolver, c-ares): the
// mock's names, blocklist lookups, and every fault decision as a client sees it.
#include "dns/mock_zones.hpp"
#include "dns_served.hpp"
#include "io/client_error.hpp"
#include "io/dns_resolver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <optional>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Runs `task` on `ioc` to completion (bounded) and returns its value.
template <typename T> T run(net::io_context& ioc, net::awaitable<T> task)
{
    std::optional<T> out;
    net::co_spawn(ioc, std::move(task), [&](std::exception_ptr ep, T value) {
        if (ep) {
            std::rethrow_exception(ep);
        }
        out = std::move(value);
    });
    const auto limit = clock_type::now() + 20s;
    ioc.restart();
    while (!out && clock_type::now() < limit) {
        ioc.run_one_for(100ms);
    }
    if (!out) {
        throw std::runtime_error("task did not finish within 20 s");
    }
    return std::move(*out);
}

dns::name n(std::string_view text)
{
    return *dns::name::parse(text);
}

const dns::ipv6 listed_v6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25};

dns::zone_set mock_zones()
{
    dns::mock_names names;
    names.hostname = n("mock.example.test");
    names.addresses = {dns::ipv4{127, 0, 0, 1},
                       dns::ipv6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    names.mail_domain = n("example.test");
    names.blocklists = {n("zen.example")};
    auto zones = dns::make_zone_set(names);
    EXPECT_TRUE(zones);
    // A TXT RRset too large for a UDP answer.
    dns::zone big(n("big.test"), dns::soa_data{n("mock.example.test"), n("hostmaster.big.test")});
    for (int i = 0; i < 30; ++i) {
        big.add({n("big.test"), dns::rr_type::txt, dns::rr_class::in, 60,
                 dns::txt_of("record " + std::to_string(100 + i) + " " + std::string(40, 'x'))});
    }
    zones->zones.push_back(std::move(big));
    // An IPv6 address listed by data.
    zones->blocklists[0].list({listed_v6, {dns::ipv4{127, 0, 0, 10}}, "Listed (v6)"});
    return *zones;
}

class dns_served : public ::testing::Test {
protected:
    net::io_context ioc;
    test_support::dns_served server{mock_zones()};

    // The fault decisions for every query from now on.
    void faults(dns::fault_decisions f) { server.set_faults(std::move(f)); }

    io::dns_settings through() const { return server.settings(); }
    io::dns_deadline soon() const { return clock_type::now() + 5s; }

    std::vector<std::string> a(const std::string& name)
    {
        auto r = run(ioc, io::query_a(name, soon(), through()));
        if (!r) {
            return {"error: " + r.error().message()};
        }
        std::vector<std::string> out;
        for (const auto& v4 : *r) {
            out.push_back(v4.to_string());
        }
        return out;
    }

    std::vector<std::string> txt(const std::string& name)
    {
        auto r = run(ioc, io::query_txt(name, soon(), through()));
        return r ? *r : std::vector<std::string>{"error: " + r.error().message()};
    }

    boost::system::error_code mx_error(const std::string& name)
    {
        auto r = run(ioc, io::query_mx(name, soon(), through()));
        return r ? boost::system::error_code() : r.error();
    }
};

std::vector<std::string> error(boost::system::error_code ec)
{
    return {"error: " + ec.message()};
}

TEST_F(dns_served, the_mock_names_resolve)
{
    auto host =
        run(ioc, io::resolve_host("mock.example.test", io::address_family::any, soon(), through()));
    ASSERT_TRUE(host) << host.error().message();
    ASSERT_EQ(host->size(), 2u);
    auto v4 =
        run(ioc, io::resolve_host("MOCK.example.test", io::address_family::v4, soon(), through()));
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->at(0).to_string(), "127.0.0.1");
    auto v6 =
        run(ioc, io::resolve_host("mock.example.test", io::address_family::v6, soon(), through()));
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->at(0).to_string(), "::1");

    auto mx = run(ioc, io::query_mx("example.test", soon(), through()));
    ASSERT_TRUE(mx) << mx.error().message();
    ASSERT_EQ(mx->size(), 1u);
    EXPECT_EQ(mx->at(0).preference, 10);
    EXPECT_EQ(mx->at(0).exchange, "mock.example.test");
    EXPECT_EQ(txt("example.test"), std::vector<std::string>{"v=spf1 mx -all"});
    EXPECT_EQ(mx_error("mock.example.test"), io::dns_errc::no_data);
    EXPECT_EQ(mx_error("absent.example.test"), io::dns_errc::nxdomain);
    EXPECT_EQ(mx_error("example.org"), io::dns_errc::refused);
}

TEST_F(dns_served, a_blocklist_answers_listed_and_unlisted_addresses)
{
    // RFC 5782 §5 test entries.
    EXPECT_EQ(a("2.0.0.127.zen.example"), std::vector<std::string>{"127.0.0.2"});
    EXPECT_EQ(txt("2.0.0.127.zen.example"),
              std::vector<std::string>{"Test entry (RFC 5782 section 5)"});
    EXPECT_EQ(a("1.0.0.127.zen.example"), error(io::dns_errc::nxdomain));

    // The mock's own address listed, by a fault.
    faults(test_support::fault([&](dns::fault_decisions& f) {
        f.listed = {
            {dns::ipv4{127, 0, 0, 1}, {dns::ipv4{127, 0, 0, 2}}, "Blocked: 127.0.0.1 is listed"}};
    }));
    EXPECT_EQ(a("1.0.0.127.zen.example"), std::vector<std::string>{"127.0.0.2"});
    EXPECT_EQ(txt("1.0.0.127.zen.example"),
              std::vector<std::string>{"Blocked: 127.0.0.1 is listed"});
    // And for IPv6, by data (mock_zones).
    const std::string v6_name =
        "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example";
    EXPECT_EQ(a(v6_name), std::vector<std::string>{"127.0.0.10"});
    EXPECT_EQ(txt(v6_name), std::vector<std::string>{"Listed (v6)"});
}

TEST_F(dns_served, a_broken_blocklist_answers_its_error_codes)
{
    for (std::uint8_t code :
         {dns::dnsbl_typing_error, dns::dnsbl_public_resolver, dns::dnsbl_excessive_queries}) {
        faults(test_support::fault([&](dns::fault_decisions& f) {
            f.dnsbl_error = dns::dnsbl_error{code, ""};
        }));
        EXPECT_EQ(a("1.0.0.127.zen.example"),
                  std::vector<std::string>{"127.255.255." + std::to_string(code)});
    }
    EXPECT_EQ(txt("1.0.0.127.zen.example"),
              std::vector<std::string>{"Error: excessive number of queries"});
}

TEST_F(dns_served, the_mx_faults_as_a_sender_sees_them)
{
    faults(test_support::fault([&](dns::fault_decisions& f) { f.mx = dns::mx_fault::nxdomain; }));
    EXPECT_EQ(mx_error("example.test"), io::dns_errc::nxdomain);
    faults(test_support::fault([&](dns::fault_decisions& f) { f.mx = dns::mx_fault::a_only; }));
    EXPECT_EQ(mx_error("example.test"), io::dns_errc::no_data);
    // RFC 5321 §5.1: the domain's own address is the implicit MX.
    auto host =
        run(ioc, io::resolve_host("example.test", io::address_family::v4, soon(), through()));
    ASSERT_TRUE(host) << host.error().message();
    EXPECT_EQ(host->at(0).to_string(), "127.0.0.1");
}

TEST_F(dns_served, servfail_and_refused_are_reported_as_such)
{
    faults(test_support::fault([&](dns::fault_decisions& f) { f.rcode = dns::rcode::servfail; }));
    EXPECT_EQ(mx_error("example.test"), io::dns_errc::server_failure);
    EXPECT_EQ(a("2.0.0.127.zen.example"), error(io::dns_errc::server_failure));
    faults(test_support::fault([&](dns::fault_decisions& f) { f.rcode = dns::rcode::refused; }));
    EXPECT_EQ(mx_error("example.test"), io::dns_errc::refused);
}

TEST_F(dns_served, a_silent_server_ends_at_the_deadline)
{
    faults(test_support::fault([&](dns::fault_decisions& f) { f.no_answer = true; }));
    const auto started = clock_type::now();
    auto r = run(ioc, io::query_a("2.0.0.127.zen.example", started + 500ms, through()));
    const auto took = clock_type::now() - started;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), io::client_errc::timeout);
    EXPECT_GE(took, 500ms);
    EXPECT_LT(took, 3s);
    EXPECT_GE(server.server().queries(), 1u);
    EXPECT_EQ(server.server().last_note(), "no answer (fault)");
}

TEST_F(dns_served, a_slow_answer_arrives_late)
{
    faults(test_support::fault([&](dns::fault_decisions& f) { f.delay = 400ms; }));
    const auto started = clock_type::now();
    EXPECT_EQ(a("2.0.0.127.zen.example"), std::vector<std::string>{"127.0.0.2"});
    EXPECT_GE(clock_type::now() - started, 400ms);
    // Over a deadline shorter than the delay, the lookup times out.
    auto r = run(ioc, io::query_a("2.0.0.127.zen.example", clock_type::now() + 150ms, through()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), io::client_errc::timeout);
}

TEST_F(dns_served, truncated_answers_are_asked_again_over_tcp)
{
    // By the fault: TC with no records over UDP.
    faults(test_support::fault([&](dns::fault_decisions& f) { f.truncate_udp = true; }));
    EXPECT_EQ(a("2.0.0.127.zen.example"), std::vector<std::string>{"127.0.0.2"});
    EXPECT_GE(server.server().tcp_queries(), 1u);
    // By size: 30 TXT records do not fit in 512 octets.
    faults({});
    const auto before = server.server().tcp_queries();
    const auto records = txt("big.test");
    EXPECT_EQ(records.size(), 30u);
    EXPECT_GT(server.server().tcp_queries(), before);
}

} // namespace
