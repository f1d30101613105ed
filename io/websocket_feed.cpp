#include "io/websocket_feed.hpp"

#include "io/coalescing_stream.hpp"
#include "smtp/ascii.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace io::ws {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

using ws_stream = websocket::stream<coalescing_stream>;

// Wakes the sending loop: set and cancelled on the connection's thread only.
struct waker {
    explicit waker(net::any_io_executor ex)
        : timer(std::move(ex))
    {
    }
    steady_timer timer;
    bool woken = false;
};

bhttp::request<bhttp::empty_body> to_beast(const http::request& r)
{
    bhttp::request<bhttp::empty_body> out{bhttp::string_to_verb(r.method), r.target, r.version};
    for (const auto& f : r.headers) {
        out.insert(f.name, f.value);
    }
    return out;
}

bool stopping(net::cancellation_type c)
{
    return c != net::cancellation_type::none;
}

// A batch is gathered into writes of about this much: a client that stops reading holds the
// feed (its source then drops events and says so), with at most this much more in memory.
constexpr std::size_t flush_threshold = 64 * 1024;

// Whether `list` (a comma-separated header value) holds `token`, without case.
bool has_token(std::string_view list, std::string_view token);

// Reads and drops what the client sends; Beast answers pings and closes while reading.
net::awaitable<void> read_loop(ws_stream& ws)
{
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
        if (ec) {
            co_return;
        }
        buffer.consume(buffer.size());
    }
}

// Writes the messages of a batch, each its own WebSocket message, in as few socket writes as
// flush_threshold allows; false when the connection failed.
net::awaitable<bool> send_batch(ws_stream& ws, const std::vector<std::string>& batch)
{
    auto& out = ws.next_layer();
    const bool gather = batch.size() > 1;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (gather) {
            out.begin_batch();
        }
        auto [ec, n] = co_await ws.async_write(net::buffer(batch[i]), use_tuple);
        if (ec) {
            co_return false;
        }
        if (gather && (i + 1 == batch.size() || out.buffered() >= flush_threshold)) {
            if (co_await out.flush()) {
                co_return false;
            }
        }
    }
    co_return true;
}

// Sends what the source has, then waits for a wake or the next tick.
net::awaitable<void> send_until_stopped(ws_stream& ws, feed_source& source, waker& w,
                                        const feed_config& config)
{
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    auto next_tick = std::chrono::steady_clock::now() + config.tick;
    for (;;) {
        w.woken = false;
        auto batch = source.take();
        if (std::chrono::steady_clock::now() >= next_tick) {
            if (auto t = source.tick()) {
                batch.push_back(std::move(*t));
            }
            next_tick = std::chrono::steady_clock::now() + config.tick;
        }
        if (!co_await send_batch(ws, batch)) {
            co_return;
        }
        if (stopping((co_await net::this_coro::cancellation_state).cancelled())) {
            co_return;
        }
        if (!w.woken) {
            w.timer.expires_at(next_tick);
            co_await w.timer.async_wait();
            if (stopping((co_await net::this_coro::cancellation_state).cancelled())) {
                co_return;
            }
        }
        if (w.woken && config.gather.count() > 0) {
            // Let more gather: this thread wakes once per batch, not once per message.
            w.timer.expires_after(config.gather);
            co_await w.timer.async_wait();
            if (stopping((co_await net::this_coro::cancellation_state).cancelled())) {
                co_return;
            }
        }
    }
}

// send_until_stopped(), then ends the reading too (Beast's read takes no cancellation).
net::awaitable<void> write_loop(ws_stream& ws, feed_source& source, waker& w,
                                const feed_config& config)
{
    co_await send_until_stopped(ws, source, w, config);
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
}

class feed final : public http::connection_takeover {
public:
    feed(feed_opener open, feed_config config)
        : open_(std::move(open))
        , config_(std::move(config))
    {
    }

    net::awaitable<void> run(tcp_socket socket, std::string buffered, http::request head) override
    {
        // RFC 6455 §4.1: a client sends no frame before the handshake is answered.
        if (!buffered.empty() ||
            stopping((co_await net::this_coro::cancellation_state).cancelled())) {
            co_return;
        }
        // A stop request (partial cancellation) ends the feed, as it ends an idle connection.
        co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
        ws_stream ws(coalescing_stream(beast::tcp_stream(tcp::socket(std::move(socket)))));
        ws.set_option(
            websocket::stream_base::timeout{config_.handshake_timeout, config_.idle_timeout, true});
        ws.set_option(websocket::stream_base::decorator(
            [name = config_.server_name](websocket::response_type& res) {
                res.set(bhttp::field::server, name);
            }));
        ws.read_message_max(config_.read_limit);
        auto [aec] = co_await ws.async_accept(to_beast(head), use_tuple);
        if (aec) {
            co_return;
        }
        ws.text(true);
        auto ex = co_await net::this_coro::executor;
        auto w = std::make_shared<waker>(ex);
        auto wake = [weak = std::weak_ptr<waker>(w), ex] {
            net::post(ex, [weak] {
                if (auto s = weak.lock()) {
                    s->woken = true;
                    s->timer.cancel();
                }
            });
        };
        auto source = open_(wake);
        using namespace net::experimental::awaitable_operators;
        co_await (read_loop(ws) || write_loop(ws, *source, *w, config_));
        source.reset(); // no wake after this
        boost::system::error_code ignored;
        beast::get_lowest_layer(ws).socket().close(ignored);
    }

private:
    feed_opener open_;
    feed_config config_;
};

bool has_token(std::string_view list, std::string_view token)
{
    while (!list.empty()) {
        auto comma = list.find(',');
        if (smtp::iequals(smtp::trim_blanks(list.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return false;
}

} // namespace

bool is_upgrade(const http::request& req)
{
    const auto upgrade = req.header("Upgrade");
    const auto connection = req.header("Connection");
    return req.method == "GET" && upgrade && connection && has_token(*upgrade, "websocket") &&
           has_token(*connection, "upgrade");
}

std::shared_ptr<http::connection_takeover> make_feed(feed_opener open, feed_config config)
{
    return std::make_shared<feed>(std::move(open), std::move(config));
}

} // namespace io::ws
