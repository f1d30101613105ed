// dns-test-server: the DNS core served on loopback UDP and TCP for black-box tests with real
// DNS clients (dig, dnspython). It serves the mock's zone set for mock.example.test
// (127.0.0.1, ::1), the mail domain example.test and the blocklist zen.example, with the given
// fault decisions for every query, prints one ready line
// {"event":"ready","dns":"127.0.0.1:PORT"} and serves until SIGTERM or SIGINT.
//
// Usage: dns-test-server [--fault no-answer|delay=MS|truncate-udp|servfail|refused|
//                          mx-nxdomain|mx-a-only|listed=IPV4|dnsbl-error=CODE]...

#include "dns/mock_zones.hpp"
#include "dns_responder.hpp"

#include <arpa/inet.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

namespace net = boost::asio;

dns::name n(const char* text)
{
    return *dns::name::parse(text);
}

dns::ipv4 parse_ipv4(const std::string& text)
{
    dns::ipv4 out{};
    if (::inet_pton(AF_INET, text.c_str(), out.data()) != 1) {
        throw std::invalid_argument("not an IPv4 address: " + text);
    }
    return out;
}

// One --fault argument into `f`.
void apply(const std::string& fault, dns::fault_decisions& f)
{
    const auto eq = fault.find('=');
    const std::string key = fault.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : fault.substr(eq + 1);
    if (key == "no-answer") {
        f.no_answer = true;
    } else if (key == "delay") {
        f.delay = std::chrono::milliseconds(std::stoi(value));
    } else if (key == "truncate-udp") {
        f.truncate_udp = true;
    } else if (key == "servfail") {
        f.rcode = dns::rcode::servfail;
    } else if (key == "refused") {
        f.rcode = dns::rcode::refused;
    } else if (key == "mx-nxdomain") {
        f.mx = dns::mx_fault::nxdomain;
    } else if (key == "mx-a-only") {
        f.mx = dns::mx_fault::a_only;
    } else if (key == "listed") {
        f.listed.push_back(
            {parse_ipv4(value), {dns::ipv4{127, 0, 0, 2}}, "Listed: " + value + " sends spam"});
    } else if (key == "dnsbl-error") {
        f.dnsbl_error = dns::dnsbl_error{static_cast<std::uint8_t>(std::stoi(value)), ""};
    } else {
        throw std::invalid_argument("unknown fault: " + fault);
    }
}

} // namespace

int main(int argc, char** argv)
{
    try {
        dns::fault_decisions faults;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg != "--fault" || i + 1 == argc) {
                throw std::invalid_argument("usage: dns-test-server [--fault FAULT]...");
            }
            apply(argv[++i], faults);
        }
        dns::mock_names names;
        names.hostname = n("mock.example.test");
        names.addresses = {dns::ipv4{127, 0, 0, 1},
                           dns::ipv6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
        names.mail_domain = n("example.test");
        names.blocklists = {n("zen.example")};
        net::io_context ioc;
        test_support::dns_responder server(ioc, *dns::make_zone_set(names),
                                           [faults](const dns::query&) { return faults; });
        net::signal_set signals(ioc, SIGTERM, SIGINT);
        signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
        const auto at = server.endpoint();
        std::cout << R"({"event":"ready","dns":")" << at.address().to_string() << ':' << at.port()
                  << "\"}" << std::endl;
        ioc.run();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "dns-test-server: " << e.what() << '\n';
        return 2;
    }
}
