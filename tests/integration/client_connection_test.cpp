// io::client_connection and io's resolver over loopback: plain, STARTTLS and implicit TLS with
// the one certificate policy, deadlines in connect and read, cancellation, and DNS lookups
// against the mock's DNS server (mockserver/dns/dns_server, through tests/support/dns_served).

#include "dns_served.hpp"
#include "io/client_connection.hpp"
#include "io/client_error.hpp"
#include "io/dns_resolver.hpp"
#include "io/task_group.hpp"
#include "mockserver/certificate_factory.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <list>

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using cert_kind = faults::tls_fault::certificate_kind;

constexpr auto token = net::as_tuple(net::use_awaitable);

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
    ioc.restart(); // a context that ran out of work earlier is stopped
    while (!out && clock_type::now() < limit) {
        ioc.run_one_for(100ms);
    }
    if (!out) {
        throw std::runtime_error("task did not finish within 20 s");
    }
    return std::move(*out);
}

// A loopback server: accepts connections and runs `serve` for each, on the test's io_context.
class server {
public:
    using serve_fn = std::function<net::awaitable<void>(tcp::socket)>;

    server(net::io_context& ioc, serve_fn serve)
        : acceptor_(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0))
    {
        net::co_spawn(ioc, accept_loop(std::move(serve)), net::detached);
    }
    ~server()
    {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    net::awaitable<void> accept_loop(serve_fn serve)
    {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(token);
            if (ec) {
                co_return;
            }
            net::co_spawn(acceptor_.get_executor(), serve(std::move(sock)), net::detached);
        }
    }
    tcp::acceptor acceptor_;
};

// The mock's certificates: one CA, and a leaf of each kind for "localhost".
struct certificates {
    certificates()
        : factory("localhost")
    {
        ca_file = std::filesystem::temp_directory_path() /
                  ("smtph-io-ca-" + std::to_string(::getpid()) + ".pem");
        std::ofstream(ca_file) << factory.ca_certificate();
    }
    ~certificates() { std::filesystem::remove(ca_file); }

    std::shared_ptr<ssl::context> server_context(cert_kind kind)
    {
        auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
        factory.install(ctx->native_handle(), kind, 30);
        return ctx;
    }

    mock::certificate_factory factory;
    std::filesystem::path ca_file;
};

certificates& certs()
{
    static certificates c;
    return c;
}

// Serves TLS on each connection: with `starttls`, a plain "220 ready" and the STARTTLS
// exchange first; then the handshake and one line inside TLS.
server::serve_fn tls_server(std::shared_ptr<ssl::context> ctx, bool starttls)
{
    return [ctx, starttls](tcp::socket sock) -> net::awaitable<void> {
        if (starttls) {
            co_await net::async_write(sock, net::buffer(std::string("220 ready\r\n")), token);
            net::streambuf line;
            auto [ec, n] = co_await net::async_read_until(sock, line, "\r\n", token);
            if (ec) {
                co_return;
            }
            co_await net::async_write(sock, net::buffer(std::string("220 go ahead\r\n")), token);
        }
        ssl::stream<tcp::socket> stream(std::move(sock), *ctx);
        auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, token);
        if (hec) {
            co_return;
        }
        co_await net::async_write(stream, net::buffer(std::string("secret hello\r\n")), token);
        std::array<char, 64> buf{};
        co_await stream.async_read_some(net::buffer(buf), token); // until the client closes
    };
}

// Sends "hello\r\n", then echoes one line back.
net::awaitable<void> hello_then_echo(tcp::socket sock)
{
    co_await net::async_write(sock, net::buffer(std::string("hello\r\n")), token);
    net::streambuf line;
    auto [ec, n] = co_await net::async_read_until(sock, line, "\r\n", token);
    if (!ec) {
        co_await net::async_write(sock, line.data(), token);
    }
}

// Accepts and says nothing until the client goes.
net::awaitable<void> silent(tcp::socket sock)
{
    std::array<char, 64> buf{};
    co_await sock.async_read_some(net::buffer(buf), token);
}

io::client_settings loopback(std::uint16_t port)
{
    io::client_settings s;
    s.host = "127.0.0.1";
    s.port = port;
    return s;
}

io::client_settings verifying(std::uint16_t port)
{
    auto s = loopback(port);
    s.tls.ca_file = certs().ca_file.string();
    s.tls.server_name = "localhost";
    return s;
}

// Reads once and returns what came, or the error's text.
net::awaitable<std::string> read_text(io::client_connection& c, clock_type::time_point deadline)
{
    std::array<char, 256> buf{};
    auto [ec, n] = co_await c.read_some(net::buffer(buf), deadline);
    co_return ec ? "error: " + ec.message() : std::string(buf.data(), n);
}

TEST(client_connection, plain_open_read_write)
{
    net::io_context ioc;
    server srv(ioc, hello_then_echo);
    auto got = run(ioc, [&]() -> net::awaitable<std::string> {
        io::client_connection c(co_await net::this_coro::executor, loopback(srv.port()));
        auto deadline = clock_type::now() + 5s;
        auto opened = co_await c.open(false, deadline);
        if (opened.ec) {
            co_return "open: " + opened.detail;
        }
        // (g++ 12: no co_await inside a larger expression with temporaries.)
        std::string first = co_await read_text(c, deadline);
        auto wec = co_await c.write("ping\r\n", deadline);
        std::string echoed = co_await read_text(c, deadline);
        std::string last = co_await read_text(c, deadline);
        co_return opened.detail + "|" + first + (wec ? "write: " + wec.message() : echoed) + "|" +
            last;
    }());
    EXPECT_EQ(got, "127.0.0.1:" + std::to_string(srv.port()) + "|hello\r\nping\r\n|error: " +
                       boost::system::error_code(net::error::eof).message());
}

TEST(client_connection, starttls_upgrade_verifies_chain_and_name)
{
    net::io_context ioc;
    server srv(ioc, tls_server(certs().server_context(cert_kind::normal), true));
    auto got = run(ioc, [&]() -> net::awaitable<std::string> {
        io::client_connection c(co_await net::this_coro::executor, verifying(srv.port()));
        auto deadline = clock_type::now() + 5s;
        auto opened = co_await c.open(false, deadline);
        std::string out = co_await read_text(c, deadline);
        co_await c.write("STARTTLS\r\n", deadline);
        std::string go = co_await read_text(c, deadline);
        out += go;
        auto shake = co_await c.handshake(deadline);
        if (shake.ec) {
            co_return out + "handshake: " + shake.detail;
        }
        std::string secret = co_await read_text(c, deadline);
        out += secret;
        out += c.tls() && c.tls()->certificate ? c.tls()->certificate->subject : "no certificate";
        co_return out;
    }());
    EXPECT_EQ(got.substr(0, 39), "220 ready\r\n220 go ahead\r\nsecret hello\r\n");
    EXPECT_NE(got.find("CN=localhost"), std::string::npos) << got;
}

// Opens with implicit TLS and returns the handshake's outcome ("ok" or the error detail).
std::string implicit_tls(cert_kind kind, io::client_settings (*settings)(std::uint16_t),
                         bool insecure = false)
{
    net::io_context ioc;
    server srv(ioc, tls_server(certs().server_context(kind), false));
    return run(ioc, [&]() -> net::awaitable<std::string> {
        auto s = settings(srv.port());
        s.tls.insecure = insecure;
        io::client_connection c(co_await net::this_coro::executor, s);
        auto opened = co_await c.open(true, clock_type::now() + 5s);
        if (opened.ec) {
            co_return opened.detail;
        }
        auto text = co_await read_text(c, clock_type::now() + 5s);
        co_return "ok " + text + (c.tls() && c.tls()->certificate ? "cert" : "");
    }());
}

TEST(client_connection, implicit_tls_with_the_one_certificate_policy)
{
    EXPECT_EQ(implicit_tls(cert_kind::normal, verifying), "ok secret hello\r\ncert");
    // A certificate for another name is named as a hostname mismatch, with the name expected.
    auto wrong = implicit_tls(cert_kind::wrong_host, verifying);
    EXPECT_NE(wrong.find("certificate verification failed: hostname mismatch (expected "
                         "localhost)"),
              std::string::npos)
        << wrong;
    auto expired = implicit_tls(cert_kind::expired, verifying);
    EXPECT_NE(expired.find("certificate has expired"), std::string::npos) << expired;
    // Without the mock's CA the chain is not trusted.
    auto untrusted = implicit_tls(cert_kind::normal, [](std::uint16_t port) {
        auto s = loopback(port);
        s.tls.server_name = "localhost";
        return s;
    });
    EXPECT_NE(untrusted.find("certificate verification failed"), std::string::npos) << untrusted;
    // An address literal is checked as an address: the mock's certificate names 127.0.0.1 and
    // ::1, not 127.0.0.2.
    auto address_settings = [](std::uint16_t port) {
        auto s = loopback(port);
        s.tls.ca_file = certs().ca_file.string();
        return s;
    };
    EXPECT_EQ(implicit_tls(cert_kind::normal, address_settings), "ok secret hello\r\ncert");
    auto other_address = implicit_tls(cert_kind::normal, [](std::uint16_t port) {
        auto s = loopback(port);
        s.tls.ca_file = certs().ca_file.string();
        s.tls.server_name = "127.0.0.2";
        return s;
    });
    EXPECT_NE(other_address.find("IP address mismatch (expected 127.0.0.2)"), std::string::npos)
        << other_address;
    // --insecure accepts anything and still reports the certificate.
    EXPECT_EQ(implicit_tls(cert_kind::expired, verifying, true), "ok secret hello\r\ncert");
    EXPECT_EQ(implicit_tls(cert_kind::wrong_host, loopback, true), "ok secret hello\r\ncert");
}

TEST(client_connection, unreadable_ca_file_is_reported)
{
    auto got = implicit_tls(cert_kind::normal, [](std::uint16_t port) {
        auto s = loopback(port);
        s.tls.ca_file = "/nonexistent/ca.pem";
        return s;
    });
    EXPECT_NE(got.find("cannot load CA file /nonexistent/ca.pem"), std::string::npos) << got;
}

TEST(client_connection, refused_and_bad_source_address)
{
    std::uint16_t closed_port = 0;
    {
        net::io_context probe_ioc;
        tcp::acceptor a(probe_ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        closed_port = a.local_endpoint().port();
    }
    net::io_context ioc;
    auto refused = run(ioc, [&]() -> net::awaitable<io::step_result> {
        io::client_connection c(co_await net::this_coro::executor, loopback(closed_port));
        co_return co_await c.open(false, clock_type::now() + 5s);
    }());
    EXPECT_EQ(refused.ec, net::error::connection_refused);
    EXPECT_EQ(refused.detail, "cannot connect to 127.0.0.1:" + std::to_string(closed_port) +
                                  ": 127.0.0.1:" + std::to_string(closed_port) + " (" +
                                  refused.ec.message() + ")");

    server srv(ioc, silent);
    auto bad = run(ioc, [&]() -> net::awaitable<io::step_result> {
        auto s = loopback(srv.port());
        s.source_address = "not-an-address";
        io::client_connection c(co_await net::this_coro::executor, s);
        co_return co_await c.open(false, clock_type::now() + 5s);
    }());
    EXPECT_EQ(bad.ec, io::client_errc::bad_source_address);

    auto bound = run(ioc, [&]() -> net::awaitable<std::string> {
        auto s = loopback(srv.port());
        s.source_address = "127.0.0.1";
        s.family = io::address_family::v4;
        io::client_connection c(co_await net::this_coro::executor, s);
        auto opened = co_await c.open(false, clock_type::now() + 5s);
        co_return opened.ec ? opened.detail : "ok";
    }());
    EXPECT_EQ(bound, "ok");

    auto wrong_family = run(ioc, [&]() -> net::awaitable<io::step_result> {
        auto s = loopback(srv.port());
        s.family = io::address_family::v6;
        io::client_connection c(co_await net::this_coro::executor, s);
        co_return co_await c.resolve(clock_type::now() + 5s);
    }());
    EXPECT_EQ(wrong_family.ec, io::client_errc::no_address_of_family);
    EXPECT_EQ(wrong_family.detail, "no IPv6 address");
}

TEST(client_connection, read_deadline)
{
    net::io_context ioc;
    server srv(ioc, silent);
    auto started = clock_type::now();
    auto ec = run(ioc, [&]() -> net::awaitable<boost::system::error_code> {
        io::client_connection c(co_await net::this_coro::executor, loopback(srv.port()));
        co_await c.open(false, clock_type::now() + 5s);
        std::array<char, 16> buf{};
        auto [rec, n] = co_await c.read_some(net::buffer(buf), clock_type::now() + 300ms);
        co_return rec;
    }());
    auto took = clock_type::now() - started;
    EXPECT_EQ(ec, io::client_errc::timeout);
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 2s);
}

// Sends "one" at once and "two" 600 ms later, then waits for the client to go.
net::awaitable<void> two_lines_apart(tcp::socket sock)
{
    co_await net::async_write(sock, net::buffer(std::string("one\r\n")), token);
    co_await io::sleep_for(600ms);
    co_await net::async_write(sock, net::buffer(std::string("two\r\n")), token);
    std::array<char, 64> buf{};
    co_await sock.async_read_some(net::buffer(buf), token);
}

TEST(client_connection, reads_share_one_timer_and_each_keeps_its_own_deadline)
{
    // The connection's one timer is armed for the sooner deadline of the first read. It fires
    // during the second read, whose deadline is later: that read goes on to its own end. A
    // third read, with a deadline sooner than the armed one, ends at its own.
    net::io_context ioc;
    server srv(ioc, two_lines_apart);
    auto seen = run(ioc, [&]() -> net::awaitable<std::vector<std::string>> {
        io::client_connection c(co_await net::this_coro::executor, loopback(srv.port()));
        co_await c.open(false, clock_type::now() + 5s);
        std::vector<std::string> out;
        auto first = co_await read_text(c, clock_type::now() + 300ms);
        out.push_back(first);
        auto second = co_await read_text(c, clock_type::now() + 5s);
        out.push_back(second);
        const auto started = clock_type::now();
        auto third = co_await read_text(c, started + 200ms);
        out.push_back(third);
        const auto took = clock_type::now() - started;
        out.push_back(took >= 200ms && took < 2s ? "on time" : "not on time");
        co_return out;
    }());
    const auto timeout = "error: " + make_error_code(io::client_errc::timeout).message();
    EXPECT_EQ(seen, (std::vector<std::string>{"one\r\n", "two\r\n", timeout, "on time"}));
}

TEST(client_connection, connect_deadline_against_a_listener_that_never_accepts)
{
    // A queue of length 0 that our own connections fill: the kernel then drops further SYNs.
    net::io_context ioc;
    tcp::acceptor full(ioc);
    full.open(tcp::v4());
    full.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    full.listen(0);
    std::list<tcp::socket> fillers;
    for (int i = 0; i < 8; ++i) {
        auto& s = fillers.emplace_back(ioc);
        auto done = run(ioc, [&]() -> net::awaitable<bool> {
            auto r = co_await io::with_deadline(s.async_connect(full.local_endpoint(), token),
                                                clock_type::now() + 200ms);
            co_return r.has_value() && !std::get<0>(*r);
        }());
        if (!done) {
            break; // the queue is full
        }
    }
    auto started = clock_type::now();
    auto result = run(ioc, [&]() -> net::awaitable<io::step_result> {
        io::client_connection c(co_await net::this_coro::executor,
                                loopback(full.local_endpoint().port()));
        co_return co_await c.open(false, clock_type::now() + 400ms);
    }());
    auto took = clock_type::now() - started;
    EXPECT_EQ(result.ec, io::client_errc::timeout) << result.detail;
    EXPECT_LT(took, 2s);
}

TEST(client_connection, cancellation_ends_a_read_at_once_with_operation_aborted)
{
    net::io_context ioc;
    server srv(ioc, silent);
    io::task_group group(ioc.get_executor());
    std::optional<boost::system::error_code> seen;
    // The lambda outlives the statement: the coroutine refers to its captures.
    auto reader = [&]() -> net::awaitable<void> {
        io::client_connection c(co_await net::this_coro::executor, loopback(srv.port()));
        co_await c.open(false, clock_type::now() + 5s);
        std::array<char, 16> buf{};
        auto [ec, n] = co_await c.read_some(net::buffer(buf), clock_type::now() + 1h);
        seen = ec;
    };
    group.spawn(reader());
    // Stop the group once the read is waiting.
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            co_await io::sleep_for(100ms);
            group.stop();
        },
        net::detached);
    auto started = clock_type::now();
    while (!seen && clock_type::now() - started < 10s) {
        ioc.run_one_for(100ms);
    }
    ASSERT_TRUE(seen);
    EXPECT_EQ(*seen, net::error::operation_aborted);
    EXPECT_LT(clock_type::now() - started, 2s);
}

// --- the resolver ----------------------------------------------------------------------------

using test_support::address_record;
using test_support::dns_served;
using test_support::record;
using test_support::root_zone;

std::string text_of(const boost::system::result<std::vector<net::ip::address>>& r)
{
    if (!r) {
        return "error: " + r.error().message();
    }
    std::string out;
    for (const auto& a : *r) {
        out += (out.empty() ? "" : " ") + a.to_string();
    }
    return out;
}

TEST(dns_resolver, host_addresses_by_family_through_a_given_server)
{
    net::io_context ioc;
    dns_served dns(
        root_zone({address_record("mail.test", "127.0.0.1"), address_record("mail.test", "::1"),
                   address_record("v4only.test", "127.0.0.2")}));
    auto lookup = [&](std::string name, io::address_family f) {
        return text_of(run(ioc, io::resolve_host(name, f, clock_type::now() + 5s, dns.settings())));
    };
    auto any = lookup("mail.test", io::address_family::any);
    EXPECT_TRUE(any == "::1 127.0.0.1" || any == "127.0.0.1 ::1") << any;
    EXPECT_EQ(lookup("MAIL.test", io::address_family::v4), "127.0.0.1");
    EXPECT_EQ(lookup("mail.test", io::address_family::v6), "::1");
    EXPECT_EQ(lookup("v4only.test", io::address_family::v6),
              "error: " + make_error_code(io::client_errc::no_address_of_family).message());
    EXPECT_EQ(lookup("missing.test", io::address_family::any),
              "error: " + make_error_code(io::dns_errc::nxdomain).message());
}

TEST(dns_resolver, literals_never_touch_dns_and_localhost_comes_from_the_hosts_file)
{
    net::io_context ioc;
    dns_served dns(root_zone({}));
    auto lit = run(ioc, io::resolve_host("127.0.0.1", io::address_family::any,
                                         clock_type::now() + 5s, dns.settings()));
    EXPECT_EQ(text_of(lit), "127.0.0.1");
    auto lit6 = run(ioc, io::resolve_host("::1", io::address_family::v4, clock_type::now() + 5s,
                                          dns.settings()));
    EXPECT_EQ(lit6.error(), io::client_errc::no_address_of_family);
    EXPECT_EQ(dns.server().queries(), 0u);
    // Without a server, names are looked up as the C library does: /etc/hosts first.
    auto local =
        run(ioc, io::resolve_host("localhost", io::address_family::v4, clock_type::now() + 5s));
    EXPECT_EQ(text_of(local), "127.0.0.1");
}

TEST(dns_resolver, dns_errors_are_typed)
{
    net::io_context ioc;
    dns_served dns(root_zone({address_record("servfail.test", "127.0.0.1"),
                              address_record("refused.test", "127.0.0.1"),
                              address_record("noerror.test", "127.0.0.1")}));
    dns.set_faults("servfail.test", test_support::fault([&](dns::fault_decisions& f) {
                       f.rcode = dns::rcode::servfail;
                   }));
    dns.set_faults("refused.test", test_support::fault([&](dns::fault_decisions& f) {
                       f.rcode = dns::rcode::refused;
                   }));
    auto mx = [&](std::string name) {
        auto r = run(ioc, io::query_mx(name, clock_type::now() + 5s, dns.settings()));
        return r ? boost::system::error_code() : r.error();
    };
    EXPECT_EQ(mx("servfail.test"), io::dns_errc::server_failure);
    EXPECT_EQ(mx("refused.test"), io::dns_errc::refused);
    EXPECT_EQ(mx("nothing.test"), io::dns_errc::nxdomain);
    EXPECT_EQ(mx("noerror.test"), io::dns_errc::no_data);
    // Host lookups report the same codes.
    auto host = run(ioc, io::resolve_host("servfail.test", io::address_family::any,
                                          clock_type::now() + 5s, dns.settings()));
    EXPECT_EQ(host.error(), io::dns_errc::server_failure);
}

TEST(dns_resolver, mx_txt_and_a_records)
{
    net::io_context ioc;
    const std::string bl = "9.0.0.127.bl.example";
    dns_served dns(root_zone({
        record("example.test", dns::rr_type::mx,
               dns::mx_data{20, test_support::dns_name("backup.example.test")}),
        record("example.test", dns::rr_type::mx,
               dns::mx_data{10, test_support::dns_name("mx1.example.test")}),
        record("example.test", dns::rr_type::txt, dns::txt_data{{"v=spf1 ", "-all"}}),
        record("example.test", dns::rr_type::txt, dns::txt_data{{"second"}}),
        address_record(bl, "127.0.0.2"),
        address_record(bl, "127.0.0.4"),
        record(bl, dns::rr_type::txt,
               dns::txt_data{{"Listed: see https://bl.example/lookup?ip=127.0.0.9"}}),
    }));

    auto mx = run(ioc, io::query_mx("example.test", clock_type::now() + 5s, dns.settings()));
    ASSERT_TRUE(mx) << mx.error().message();
    ASSERT_EQ(mx->size(), 2u);
    EXPECT_EQ((*mx)[0].preference, 10);
    EXPECT_EQ((*mx)[0].exchange, "mx1.example.test");
    EXPECT_EQ((*mx)[1].exchange, "backup.example.test");

    auto txt = run(ioc, io::query_txt("example.test", clock_type::now() + 5s, dns.settings()));
    ASSERT_TRUE(txt) << txt.error().message();
    EXPECT_EQ(*txt, (std::vector<std::string>{"v=spf1 -all", "second"}));

    auto a = run(ioc, io::query_a(bl, clock_type::now() + 5s, dns.settings()));
    ASSERT_TRUE(a) << a.error().message();
    ASSERT_EQ(a->size(), 2u);
    EXPECT_EQ((*a)[0].to_string(), "127.0.0.2");
    auto reason = run(ioc, io::query_txt(bl, clock_type::now() + 5s, dns.settings()));
    ASSERT_TRUE(reason);
    EXPECT_EQ(reason->at(0), "Listed: see https://bl.example/lookup?ip=127.0.0.9");
}

TEST(dns_resolver, a_truncated_udp_answer_is_asked_again_over_tcp)
{
    net::io_context ioc;
    dns_served dns(root_zone({address_record("big.test", "127.0.0.3")}));
    dns.set_faults("big.test",
                   test_support::fault([&](dns::fault_decisions& f) { f.truncate_udp = true; }));
    auto r = run(ioc, io::query_a("big.test", clock_type::now() + 5s, dns.settings()));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->at(0).to_string(), "127.0.0.3");
    EXPECT_GE(dns.server().tcp_queries(), 1u);
}

TEST(dns_resolver, a_server_that_never_answers_ends_at_the_deadline)
{
    net::io_context ioc;
    dns_served dns(root_zone({address_record("slow.test", "127.0.0.1")}));
    dns.set_faults("slow.test",
                   test_support::fault([&](dns::fault_decisions& f) { f.no_answer = true; }));
    auto started = clock_type::now();
    auto r = run(ioc, io::resolve_host("slow.test", io::address_family::any,
                                       clock_type::now() + 400ms, dns.settings()));
    auto took = clock_type::now() - started;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), io::client_errc::timeout);
    EXPECT_GE(took, 400ms);
    EXPECT_LT(took, 1500ms);
    EXPECT_GE(dns.server().queries(), 1u);
}

TEST(dns_resolver, cancellation_ends_a_lookup_at_once)
{
    net::io_context ioc;
    dns_served dns(root_zone({record("slow.test", dns::rr_type::txt, dns::txt_of("late"))}));
    dns.set_faults("slow.test",
                   test_support::fault([&](dns::fault_decisions& f) { f.no_answer = true; }));
    io::task_group group(ioc.get_executor());
    std::optional<boost::system::error_code> seen;
    auto lookup = [&]() -> net::awaitable<void> {
        auto r = co_await io::query_txt("slow.test", clock_type::now() + 1h, dns.settings());
        seen = r ? boost::system::error_code() : r.error();
    };
    group.spawn(lookup());
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            co_await io::sleep_for(150ms);
            group.stop();
        },
        net::detached);
    auto started = clock_type::now();
    while (!seen && clock_type::now() - started < 10s) {
        ioc.run_one_for(100ms);
    }
    ASSERT_TRUE(seen);
    EXPECT_EQ(*seen, net::error::operation_aborted);
    EXPECT_LT(clock_type::now() - started, 2s);
    EXPECT_EQ(group.size(), 0u);
}

TEST(client_connection, resolves_names_through_the_given_server)
{
    net::io_context ioc;
    dns_served dns(root_zone({address_record("smtp.test", "127.0.0.1")}));
    server srv(ioc, hello_then_echo);
    auto got = run(ioc, [&]() -> net::awaitable<std::string> {
        io::client_settings s;
        s.host = "smtp.test";
        s.port = srv.port();
        s.dns = dns.settings();
        io::client_connection c(co_await net::this_coro::executor, s);
        auto resolved = co_await c.resolve(clock_type::now() + 5s);
        auto connected = co_await c.connect(clock_type::now() + 5s);
        std::string text = co_await read_text(c, clock_type::now() + 5s);
        co_return resolved.detail + " " + connected.detail + " " + text;
    }());
    EXPECT_EQ(got, "127.0.0.1 127.0.0.1:" + std::to_string(srv.port()) + " hello\r\n");
}

} // namespace
