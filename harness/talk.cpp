#include "harness/talk.hpp"

#include "harness/talk_session.hpp"
#include "io/awaitable.hpp"
#include "io/client_connection.hpp"
#include "io/client_error.hpp"
#include "io/process.hpp"
#include "smtp/ascii.hpp"

#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <optional>
#include <ostream>
#include <unistd.h>

namespace harness {

namespace {

namespace net = boost::asio;
using clock = std::chrono::steady_clock;

// A typed line longer than this is sent as it is, cut there (the server answers "too long").
constexpr std::size_t max_typed_line = 64 * 1024;

// A read of the server's lines waits at most this long before it is renewed: the conversation
// itself ends when the server closes (its idle timeout) or the input ends.
constexpr std::chrono::minutes listen_slice{10};

double ms_since(clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(clock::now() - start).count();
}

// The input descriptor's file status flags, put back as they were: reading it through Asio makes
// it non-blocking, and a terminal's flags are shared with the shell that started us.
class restore_flags {
public:
    explicit restore_flags(int fd)
        : fd_(fd)
        , flags_(::fcntl(fd, F_GETFL))
    {
    }
    ~restore_flags()
    {
        if (flags_ != -1) {
            ::fcntl(fd_, F_SETFL, flags_);
        }
    }
    restore_flags(const restore_flags&) = delete;
    restore_flags& operator=(const restore_flags&) = delete;

private:
    int fd_;
    int flags_;
};

// The typed lines, read as they come from a terminal, a pipe or a file.
class typed_lines {
public:
    typed_lines(const net::any_io_executor& executor, int fd)
        : input_(executor, ::dup(fd))
    {
    }

    // The next line without its LF (or CR LF); nothing at the end of input.
    net::awaitable<std::optional<std::string>> next()
    {
        for (;;) {
            const auto lf = buffered_.find('\n');
            if (lf != std::string::npos || buffered_.size() >= max_typed_line ||
                (ended_ && !buffered_.empty())) {
                const auto cut = std::min(lf, buffered_.size());
                std::string line = buffered_.substr(0, cut);
                buffered_.erase(0, lf == std::string::npos ? cut : cut + 1);
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back(); // the prompt adds CRLF itself
                }
                co_return line;
            }
            if (ended_) {
                co_return std::nullopt;
            }
            // A person takes as long as they like: no deadline here. The wait ends with the
            // conversation (the server closing, at its idle timeout at the latest).
            std::array<char, 4096> chunk{};
            const auto [ec, n] = co_await input_.async_read_some(net::buffer(chunk));
            buffered_.append(chunk.data(), n);
            ended_ = static_cast<bool>(ec);
        }
    }

private:
    io::pipe_stream input_;
    std::string buffered_;
    bool ended_ = false;
};

// The driver of one prompt: the connection, the session, and where the transcript goes. Two
// coroutines share it: listen() shows what the server sends the moment it arrives, type()
// sends each typed line and waits for its reply (or the reply timeout) before the next.
class talker {
public:
    talker(const net::any_io_executor& executor, io::client_settings settings, std::ostream& out,
           const talk_options& options, int input_fd)
        : conn_(executor, std::move(settings))
        , lines_(executor, input_fd)
        , reply_timer_(executor)
        , out_(out)
        , options_(options)
    {
    }

    // The whole conversation: 0, or 1 when the connection could not be made.
    net::awaitable<int> run(bool implicit_tls)
    {
        using namespace net::experimental::awaitable_operators;
        const auto opened =
            co_await conn_.open(implicit_tls, clock::now() + options_.reply_timeout);
        if (opened.ec) {
            out_ << "cannot connect: " << opened.detail << "\n";
            co_return 1;
        }
        expect_reply(clock::now()); // the greeting
        co_await (listen() || type());
        co_return 0;
    }

private:
    // Reads until the server closes, showing each line as it arrives (a reply, or a line the
    // server sends on its own such as a 421 before the next command).
    net::awaitable<void> listen()
    {
        std::array<char, 4096> buffer{};
        for (;;) {
            const auto [ec, n] =
                co_await conn_.read_some(net::buffer(buffer), clock::now() + listen_slice);
            if (over_) {
                co_return; // type() ended the conversation
            }
            if (ec == io::client_errc::timeout) {
                continue;
            }
            if (ec) {
                over_ = true;
                show_note(
                    fmt::format("(after {:.1f} ms the connection ended: {})", ms_since(since_),
                                ec == net::error::eof ? "the server closed it" : ec.message()));
                co_return;
            }
            if (!show(session_.received({buffer.data(), n}))) {
                continue;
            }
            if (!co_await after_reply()) {
                over_ = true;
                co_return;
            }
            reply_came();
        }
    }

    // Reads the typed lines and sends each, waiting for its reply when one is due.
    net::awaitable<void> type()
    {
        co_await await_reply();
        while (!over_) {
            if (options_.prompt) {
                out_ << "C: " << std::flush;
                prompt_shown_ = true;
            }
            const auto line = co_await lines_.next();
            prompt_shown_ = false;
            if (over_) {
                co_return; // listen() saw the connection end
            }
            if (!line) {
                over_ = true;
                out_ << "(end of input: closing the connection)\n" << std::flush;
                co_return;
            }
            if (!options_.prompt) {
                out_ << "C: " << *line << "\n" << std::flush;
            }
            co_await say(*line);
            over_ = over_ || smtp::iequals(*line, "QUIT");
        }
    }

    // Sends one line; waits for its reply when one is due. The reply is expected before the
    // write is, since it may arrive before the write is reported done.
    net::awaitable<void> say(const std::string& line)
    {
        const auto start = clock::now();
        const auto wire = session_.wire(line);
        const bool awaits = session_.awaits_reply();
        since_ = start;
        if (awaits) {
            expect_reply(start);
        }
        if (const auto ec = co_await conn_.write(wire, start + options_.reply_timeout)) {
            if (!over_) {
                over_ = true;
                out_ << fmt::format("(cannot send: {}; the connection is gone)\n", ec.message());
            }
            co_return;
        }
        co_await await_reply();
    }

    void expect_reply(clock::time_point start)
    {
        since_ = start;
        pending_ = true;
        late_ = false;
        reply_timer_.expires_at(start + options_.reply_timeout);
    }

    // Waits until listen() saw the reply, or the reply timeout.
    net::awaitable<void> await_reply()
    {
        if (pending_) {
            co_await reply_timer_.async_wait();
        }
        // STARTTLS was answered and the handshake is under way: nothing may be sent meanwhile.
        while (handshaking_ && !over_) {
            reply_timer_.expires_after(options_.reply_timeout);
            co_await reply_timer_.async_wait();
        }
        if (pending_ && !over_) {
            pending_ = false;
            late_ = true;
            out_ << fmt::format("(no reply within {} ms: the server is silent)\n",
                                options_.reply_timeout.count())
                 << std::flush;
        }
    }

    // Wakes type() once a reply is shown (and TLS started, when it was due).
    void reply_came() { reply_timer_.cancel(); }

    // A note between the lines, on its own line even when the prompt is showing.
    void show_note(const std::string& note)
    {
        out_ << (prompt_shown_ ? "\n" : "") << note << "\n" << std::flush;
    }

    // Prints the server's lines; true when a reply ended. A reply nobody waited for says so.
    bool show(const std::vector<talk_line>& lines)
    {
        bool ended = false;
        for (const auto& line : lines) {
            out_ << (prompt_shown_ ? "\r" : "") << "S: " << line.text;
            if (line.malformed) {
                out_ << "    <- not a valid SMTP reply line";
            }
            if (line.ends_reply) {
                const auto when = pending_ ? "" : late_ ? ", after the wait ended" : ", unasked";
                out_ << fmt::format("    ({:.1f} ms{})", ms_since(since_), when);
                ended = true;
                pending_ = false; // a second reply in the same read was not asked for
                late_ = false;
            }
            out_ << "\n";
        }
        if (prompt_shown_ && !lines.empty()) {
            out_ << "C: ";
        }
        out_ << std::flush;
        return ended;
    }

    // After a reply: the message prompt, or TLS when the server agreed to STARTTLS. False when
    // the conversation cannot go on.
    net::awaitable<bool> after_reply()
    {
        if (session_.in_message()) {
            out_ << "(type the message: headers, an empty line, the body, then a lone '.')\n";
        }
        if (!session_.take_tls_due()) {
            co_return true;
        }
        const auto start = clock::now();
        handshaking_ = true;
        const auto tls = co_await conn_.handshake(start + options_.reply_timeout);
        handshaking_ = false;
        if (tls.ec) {
            out_ << fmt::format("(TLS failed after {:.1f} ms: {})\n", ms_since(start), tls.detail);
            co_return false;
        }
        out_ << fmt::format("(TLS started in {:.1f} ms; say EHLO again)\n", ms_since(start));
        co_return true;
    }

    io::client_connection conn_;
    talk_session session_;
    typed_lines lines_;
    io::steady_timer reply_timer_;
    std::ostream& out_;
    talk_options options_;
    clock::time_point since_ = clock::now(); // the last line sent, or the connection
    bool pending_ = false;                   // a reply is due and not yet complete
    bool late_ = false;                      // the last reply due did not come in time
    bool handshaking_ = false;               // TLS is starting after STARTTLS
    bool prompt_shown_ = false;              // "C: " is showing, waiting for a line
    bool over_ = false; // the conversation ended: the other coroutine stops without a word
};

net::awaitable<int> converse(io::client_settings to, bool implicit_tls, std::ostream& out,
                             talk_options options, int input_fd)
{
    talker t(co_await net::this_coro::executor, std::move(to), out, options, input_fd);
    co_return co_await t.run(implicit_tls);
}

} // namespace

int talk(const faults::scenario& s, const mock_settings& settings, int input_fd, std::ostream& out,
         const talk_options& options)
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
    const restore_flags keep(input_fd);
    return io::run_to_completion(converse(connect_to, implicit_tls, out, options, input_fd),
                                 [&out](std::string_view what) {
                                     out << "(the prompt failed: " << what << ")\n";
                                     return 1;
                                 });
}

} // namespace harness
