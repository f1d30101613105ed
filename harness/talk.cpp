#include "harness/talk.hpp"

#include "harness/talk_session.hpp"
#include "io/client_connection.hpp"
#include "io/client_error.hpp"
#include "smtp/ascii.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <fmt/format.h>
#include <istream>
#include <ostream>

namespace harness {

namespace {

namespace net = boost::asio;
using clock = std::chrono::steady_clock;

// Runs one coroutine to its end on `ctx` (the prompt reads its input between two of them).
template <typename T> T run_one(net::io_context& ctx, net::awaitable<T> op)
{
    std::exception_ptr failure;
    T value{};
    net::co_spawn(ctx, std::move(op), [&](std::exception_ptr ep, T v) {
        failure = ep;
        value = std::move(v);
    });
    ctx.restart();
    ctx.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return value;
}

double ms_since(clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(clock::now() - start).count();
}

// The driver of one prompt: the connection, the session, and where the transcript goes.
class talker {
public:
    talker(net::io_context& ctx, io::client_settings settings, std::ostream& out,
           std::chrono::milliseconds reply_timeout)
        : conn_(ctx.get_executor(), std::move(settings))
        , out_(out)
        , reply_timeout_(reply_timeout)
    {
    }

    net::awaitable<bool> open(bool implicit_tls)
    {
        const auto opened = co_await conn_.open(implicit_tls, clock::now() + reply_timeout_);
        if (opened.ec) {
            out_ << "cannot connect: " << opened.detail << "\n";
            co_return false;
        }
        co_return co_await await_reply(clock::now());
    }

    // Sends one typed line; waits for the reply when one is due. False once the connection is
    // gone.
    net::awaitable<bool> say(std::string typed)
    {
        const auto start = clock::now();
        if (const auto ec = co_await conn_.write(session_.wire(typed), start + reply_timeout_)) {
            out_ << fmt::format("(cannot send: {}; the connection is gone)\n", ec.message());
            co_return false;
        }
        if (!session_.awaits_reply()) {
            co_return true;
        }
        co_return co_await await_reply(start);
    }

private:
    net::awaitable<bool> await_reply(clock::time_point start)
    {
        std::array<char, 4096> buffer{};
        for (;;) {
            const auto [ec, n] =
                co_await conn_.read_some(net::buffer(buffer), start + reply_timeout_);
            if (ec == io::client_errc::timeout) {
                out_ << fmt::format(
                    "(no reply within {} ms: the server is silent)\n",
                    std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start)
                        .count());
                co_return true;
            }
            if (ec) {
                out_ << fmt::format("(after {:.1f} ms the connection ended: {})\n", ms_since(start),
                                    ec == net::error::eof ? "the server closed it" : ec.message());
                co_return false;
            }
            if (show(session_.received({buffer.data(), n}), start)) {
                co_return co_await after_reply();
            }
        }
    }

    // Prints the server's lines; true when a reply ended.
    bool show(const std::vector<talk_line>& lines, clock::time_point start)
    {
        bool ended = false;
        for (const auto& line : lines) {
            out_ << "S: " << line.text;
            if (line.malformed) {
                out_ << "    <- not a valid SMTP reply line";
            }
            if (line.ends_reply) {
                out_ << fmt::format("    ({:.1f} ms)", ms_since(start));
                ended = true;
            }
            out_ << "\n";
        }
        out_ << std::flush;
        return ended;
    }

    net::awaitable<bool> after_reply()
    {
        if (session_.in_message()) {
            out_ << "(type the message: headers, an empty line, the body, then a lone '.')\n";
        }
        if (!session_.take_tls_due()) {
            co_return true;
        }
        const auto start = clock::now();
        const auto tls = co_await conn_.handshake(start + reply_timeout_);
        if (tls.ec) {
            out_ << fmt::format("(TLS failed after {:.1f} ms: {})\n", ms_since(start), tls.detail);
            co_return false;
        }
        out_ << fmt::format("(TLS started in {:.1f} ms; say EHLO again)\n", ms_since(start));
        co_return true;
    }

    io::client_connection conn_;
    talk_session session_;
    std::ostream& out_;
    std::chrono::milliseconds reply_timeout_;
};

} // namespace

int talk(const faults::scenario& s, const mock_settings& settings, std::istream& in,
         std::ostream& out, const talk_options& options)
{
    scenario_mock mock(s, settings);
    const bool implicit_tls = s.probe.tls && mock.smtp_tls();
    const auto& endpoint = implicit_tls ? *mock.smtp_tls() : mock.smtp();
    io::client_settings connect_to;
    connect_to.host = endpoint.address().to_string();
    connect_to.port = endpoint.port();
    connect_to.tls.ca_file = mock.ca_file().string();
    connect_to.tls.server_name = "localhost"; // the name the mock's certificates carry
    out << fmt::format("A fresh mock serving '{}' on {}:{}{}. Type SMTP commands; each line is "
                       "sent with CRLF.\nQUIT, or the end of input, ends it.\n",
                       s.name, connect_to.host, connect_to.port,
                       implicit_tls ? " (implicit TLS)" : "");
    net::io_context ctx(1);
    talker t(ctx, connect_to, out, options.reply_timeout);
    if (!run_one(ctx, t.open(implicit_tls))) {
        return 1;
    }
    std::string line;
    for (;;) {
        if (options.prompt) {
            out << "C: " << std::flush;
        }
        if (!std::getline(in, line)) {
            out << "(end of input: closing the connection)\n";
            break;
        }
        if (!line.empty() && line.back() == '\r') {
            line.pop_back(); // the prompt adds CRLF itself
        }
        if (!options.prompt) {
            out << "C: " << line << "\n";
        }
        if (!run_one(ctx, t.say(line)) || smtp::iequals(line, "QUIT")) {
            break;
        }
    }
    return 0;
}

} // namespace harness
