#include "io/http_service.hpp"

#include "io/http_errors.hpp"
#include "smtp/ascii.hpp"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <linux/sockios.h>
#include <memory>
#include <optional>
#include <sys/ioctl.h>

namespace io::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto drain_timeout = std::chrono::seconds(2);
constexpr std::size_t drain_limit = 4 * 1024 * 1024;

using request_parser = bhttp::request_parser<bhttp::string_body>;

// One connection being served.
struct connection {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    const service_config& config;
    const async_handler& answer;
    connection_info info;
};

enum class next_step { keep_going, close, taken_over };

connection_info info_of(const tcp::socket& socket)
{
    error_code ec;
    auto ep = socket.local_endpoint(ec);
    return {ec ? std::string() : ep.address().to_string(), ec ? std::uint16_t(0) : ep.port()};
}

request head_of(const request_parser::value_type& m)
{
    request r;
    r.method = std::string(m.method_string());
    r.target = std::string(m.target());
    r.version = m.version();
    for (const auto& f : m) {
        r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    }
    return r;
}

template <typename Header>
void fill_head(Header& out, const response& r, const service_config& config, bool keep_alive)
{
    out.set(bhttp::field::server, config.server_name);
    out.set(bhttp::field::content_type, r.content_type);
    out.set(bhttp::field::cache_control, "no-store");
    for (const auto& f : r.headers) {
        out.set(f.name, f.value);
    }
    out.keep_alive(keep_alive);
}

// The head alone: for HEAD requests (RFC 9110 §9.3.2), which get the GET answer's fields.
net::awaitable<bool> write_head_only(connection& c, const response& r, unsigned version,
                                     bool keep_alive)
{
    bhttp::response<bhttp::empty_body> out{static_cast<bhttp::status>(r.status), version};
    fill_head(out, r, c.config, keep_alive);
    if (r.stream) {
        out.chunked(version >= 11);
    } else {
        out.content_length(r.body.size());
    }
    bhttp::response_serializer<bhttp::empty_body> sr{out};
    c.stream.expires_after(c.config.write_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(c.stream, sr, use_tuple);
    co_return !ec;
}

net::awaitable<bool> write_whole(connection& c, const response& r, unsigned version,
                                 bool keep_alive)
{
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(r.status), version};
    fill_head(out, r, c.config, keep_alive);
    out.body() = r.body;
    out.prepare_payload();
    c.stream.expires_after(c.config.write_timeout);
    auto [ec, n] = co_await bhttp::async_write(c.stream, out, use_tuple);
    co_return !ec;
}

// Chunked (RFC 9112 §7.1) for HTTP/1.1; for HTTP/1.0 the body ends with the connection. One
// piece is pulled from the source at a time, after the previous one was written.
net::awaitable<bool> write_streamed(connection& c, const response& r, unsigned version,
                                    bool keep_alive)
{
    const bool chunked = version >= 11;
    bhttp::response<bhttp::empty_body> out{static_cast<bhttp::status>(r.status), version};
    fill_head(out, r, c.config, keep_alive && chunked);
    out.chunked(chunked);
    bhttp::response_serializer<bhttp::empty_body> sr{out};
    c.stream.expires_after(c.config.write_timeout);
    auto [hec, hn] = co_await bhttp::async_write_header(c.stream, sr, use_tuple);
    if (hec) {
        co_return false;
    }
    for (;;) {
        std::string piece;
        try {
            piece = r.stream->next();
        } catch (const std::exception&) {
            co_return false; // the head is out: the only way to say so is to close
        }
        if (piece.empty()) {
            break;
        }
        c.stream.expires_after(c.config.write_timeout);
        error_code ec;
        if (chunked) {
            const auto chunk = bhttp::make_chunk(net::buffer(piece));
            std::tie(ec, std::ignore) = co_await net::async_write(c.stream, chunk, use_tuple);
        } else {
            std::tie(ec, std::ignore) =
                co_await net::async_write(c.stream, net::buffer(piece), use_tuple);
        }
        if (ec) {
            co_return false;
        }
    }
    if (chunked) {
        c.stream.expires_after(c.config.write_timeout);
        const auto last = bhttp::make_chunk_last();
        auto [ec, n] = co_await net::async_write(c.stream, last, use_tuple);
        co_return !ec;
    }
    co_return true;
}

net::awaitable<bool> write_response(connection& c, const response& r, const request& req,
                                    bool keep_alive)
{
    if (req.method == "HEAD") {
        co_return co_await write_head_only(c, r, req.version, keep_alive);
    }
    if (r.stream) {
        co_return co_await write_streamed(c, r, req.version, keep_alive);
    }
    co_return co_await write_whole(c, r, req.version, keep_alive);
}

// The answer to a read that failed: some failures deserve one before the close, others (end of
// stream, time-out, reset, cancellation) only the close.
std::optional<response> answer_to(error_code ec, const service_config& config)
{
    const auto& http_category = bhttp::make_error_code(bhttp::error::bad_method).category();
    if (ec == bhttp::error::header_limit) {
        return make_error(http_error::header_too_large, "the request head is over the limit of " +
                                                            std::to_string(config.header_limit) +
                                                            " octets");
    }
    if (ec == bhttp::error::body_limit) {
        return make_error(http_error::payload_too_large, "the body is over the limit of " +
                                                             std::to_string(config.body_limit) +
                                                             " octets");
    }
    if (ec == bhttp::error::bad_transfer_encoding) {
        return make_error(http_error::bad_transfer_encoding,
                          "the Transfer-Encoding cannot be framed (RFC 9112 section 6.3)",
                          "Transfer-Encoding");
    }
    if (ec.category() == http_category && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
        return make_error(http_error::bad_request, "malformed HTTP request: " + ec.message());
    }
    return std::nullopt;
}

// A request that cannot go on: answer it if there is an answer, and close, since its body (if
// any) is not read.
net::awaitable<next_step> refuse(connection& c, const std::optional<response>& answer,
                                 const request& req)
{
    if (answer) {
        co_await write_response(c, *answer, req, false);
    }
    co_return next_step::close;
}

net::awaitable<response> call(const async_handler& answer, const request& req)
{
    std::string failure;
    try {
        co_return co_await answer(req);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    co_return make_error(http_error::internal, failure);
}

// A handler that answers at once, as one that awaits.
net::awaitable<response> answer_now(const handler& answer, const request& req)
{
    co_return answer(req);
}

async_handler awaiting(const handler& answer)
{
    return [&answer](const request& req) {
        return answer_now(answer, req);
    };
}

// Waits until `poll` is ready, its wait is over, or the service stops (a partial or terminal
// cancellation ends the timer's wait). The timer runs to the deadline; a notification of
// poll.watch cancels it on this executor, and ready() is asked again: no polling.
net::awaitable<void> wait_until_ready(const long_poll& poll)
{
    const auto deadline = std::chrono::steady_clock::now() + poll.wait;
    const auto executor = co_await net::this_coro::executor;
    const auto timer = std::make_shared<steady_timer>(executor);
    const auto wake = [executor, weak = std::weak_ptr<steady_timer>(timer)] {
        net::post(executor, [weak] {
            if (auto t = weak.lock()) {
                t->cancel();
            }
        });
    };
    const auto subscription = poll.watch ? poll.watch(wake) : nullptr;
    while (!poll.ready() && std::chrono::steady_clock::now() < deadline) {
        timer->expires_at(deadline);
        auto [ec] = co_await timer->async_wait();
        const auto state = co_await net::this_coro::cancellation_state;
        if (ec && (ec != net::error::operation_aborted ||
                   state.cancelled() != net::cancellation_type::none)) {
            break; // the service stops
        }
    }
}

// A long poll's answer: once it is ready, its wait is over, or the service stops (the answer
// then goes out at once).
net::awaitable<response> settle(const request& req, response res)
{
    while (res.poll) {
        const auto poll = res.poll;
        co_await wait_until_ready(*poll);
        const handler late = [&poll](const request&) {
            return poll->answer();
        };
        res = co_await call(awaiting(late), req);
    }
    co_return res;
}

// Reads one request and answers it.
net::awaitable<next_step> read_and_answer(connection& c)
{
    // Waiting for the next request: a stop request (partial or terminal) ends the connection.
    // (The stream's own read honours partial cancellation; Beast's HTTP read would not.)
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    c.stream.expires_after(c.config.request_timeout);
    if (c.buffer.size() == 0) {
        auto [ec, n] = co_await c.stream.async_read_some(c.buffer.prepare(4096), use_tuple);
        if (ec) {
            co_return next_step::close;
        }
        c.buffer.commit(n);
    }
    // The request has begun: a stop request is noted and honoured after the answer; only a
    // terminal cancellation interrupts it.
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation(),
                                                      net::enable_terminal_cancellation());
    request_parser parser;
    parser.header_limit(c.config.header_limit);
    parser.body_limit(c.config.body_limit);
    auto [hec, hn] = co_await bhttp::async_read_header(c.stream, c.buffer, parser, use_tuple);
    if (hec) {
        const request none;
        const auto answer = answer_to(hec, c.config);
        co_return co_await refuse(c, answer, none);
    }
    auto req = head_of(parser.get());
    if (const auto refusal = screen(req, c.info, c.config.access)) {
        co_return co_await refuse(c, refusal, req);
    }
    // RFC 9110 §10.1.1: a client waiting for 100 Continue gets it before it sends the body.
    if (auto expect = req.header("Expect"); expect && smtp::iequals(*expect, "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, req.version};
        auto [cec, cn] = co_await bhttp::async_write(c.stream, cont, use_tuple);
        if (cec) {
            co_return next_step::close;
        }
    }
    auto [bec, bn] = co_await bhttp::async_read(c.stream, c.buffer, parser, use_tuple);
    if (bec) {
        const auto answer = answer_to(bec, c.config);
        co_return co_await refuse(c, answer, req);
    }
    req.body = std::move(parser.get().body());
    const bool keep_alive = parser.get().keep_alive();
    auto res = co_await settle(req, co_await call(c.answer, req));
    if (res.takeover) {
        auto buffered = beast::buffers_to_string(c.buffer.data());
        co_await res.takeover->run(tcp_socket(c.stream.release_socket()), std::move(buffered),
                                   std::move(req));
        co_return next_step::taken_over;
    }
    const bool again = keep_alive && !res.close;
    bool written = co_await write_response(c, res, req, again);
    auto stop = (co_await net::this_coro::cancellation_state).cancelled();
    co_return written&& again&& stop == net::cancellation_type::none ? next_step::keep_going
                                                                     : next_step::close;
}

// Whether everything written has left: nothing waits in the socket's send queue.
bool all_sent(tcp::socket& socket)
{
    int queued = 0;
    return ::ioctl(socket.native_handle(), SIOCOUTQ, &queued) == 0 && queued == 0;
}

// Half-close, then read and drop what the client still sends (e.g. the rest of a body over the
// limit) for a while, so that closing does not reset the connection before the client has read
// the answer. When stopping with nothing left to deliver, close at once.
net::awaitable<void> close_gracefully(connection& c)
{
    error_code ignored;
    auto stop = (co_await net::this_coro::cancellation_state).cancelled();
    if (stop != net::cancellation_type::none && all_sent(c.stream.socket())) {
        c.stream.socket().close(ignored);
        co_return;
    }
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink;
    std::size_t drained = 0;
    c.stream.expires_after(drain_timeout);
    while (drained < drain_limit) {
        auto [ec, n] = co_await c.stream.async_read_some(net::buffer(sink), use_tuple);
        if (ec) {
            break;
        }
        drained += n;
    }
    c.stream.socket().close(ignored);
}

} // namespace

net::awaitable<void> serve_connection(tcp::socket socket, const service_config& config,
                                      const handler& answer)
{
    const auto awaited = awaiting(answer);
    co_await serve_connection(std::move(socket), config, awaited);
}

net::awaitable<void> serve_connection(tcp::socket socket, const service_config& config,
                                      const async_handler& answer)
{
    // Cancellation is handled here, by ending the connection: never as an exception.
    co_await net::this_coro::throw_if_cancelled(false);
    auto info = info_of(socket);
    connection c{beast::tcp_stream(std::move(socket)), {}, config, answer, std::move(info)};
    for (;;) {
        auto step = co_await read_and_answer(c);
        if (step == next_step::taken_over) {
            co_return;
        }
        if (step == next_step::close) {
            break;
        }
    }
    co_await close_gracefully(c);
}

service::service(std::string what, const std::string& address, service_config config,
                 handler answer)
    : service(std::move(what), address, std::move(config),
              [sync = std::move(answer)](const request& req) { return answer_now(sync, req); })
{
}

service::service(std::string what, const std::string& address, service_config config,
                 async_handler answer)
    : config_(std::move(config))
    , answer_(std::move(answer))
    , tcp_(
          std::move(what), address,
          [this](tcp::socket socket) {
              return serve_connection(std::move(socket), config_, answer_);
          },
          config_.grace)
{
}

server::server(net::any_io_executor executor, std::string what, tcp::endpoint endpoint,
               service_config config, handler answer)
    : server(std::move(executor), std::move(what), std::move(endpoint), std::move(config),
             [sync = std::move(answer)](const request& req) { return answer_now(sync, req); })
{
}

server::server(net::any_io_executor executor, std::string what, tcp::endpoint endpoint,
               service_config config, async_handler answer)
    : config_(std::move(config))
    , answer_(std::move(answer))
    , tcp_(std::move(executor), std::move(what), endpoint, [this](tcp::socket socket) {
        return serve_connection(std::move(socket), config_, answer_);
    })
{
}

} // namespace io::http
