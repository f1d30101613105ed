#pragma once

// I/O file: the one WebSocket server side of the project (RFC 6455, Boost.Beast): a feed that
// sends text messages to a client as they come, e.g. smtp-mock's live events. It is a takeover
// of io/http_service.hpp: a route answers the upgrade request with make_feed(), the HTTP loop
// has already screened the request (Host, Origin, token) and hands the connection over.
//
// The feed pulls: a source says when it has something (wake(), callable from any thread), and
// the connection takes everything queued at once on its own thread and writes it in one socket
// write per 64 KiB (io/coalescing_stream.hpp), each message its own WebSocket message. What the
// client sends is read and discarded (pings are answered). A client that stops answering pings is
// dropped after the idle timeout. The service's cancellation ends the feed.

#include "io/http_service.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace io::ws {

/// What a feed sends, pulled on the connection's thread.
class feed_source {
public:
    virtual ~feed_source() = default;
    /// The messages ready now, oldest first; empty when there are none.
    virtual std::vector<std::string> take() = 0;
    /// A message to send every feed_config::tick (e.g. counters), or nothing.
    virtual std::optional<std::string> tick() = 0;
};

/// How a feed runs.
struct feed_config {
    /// How often tick() is asked for a message.
    std::chrono::steady_clock::duration tick = std::chrono::seconds(1);
    /// Time for the upgrade handshake to complete.
    std::chrono::steady_clock::duration handshake_timeout = std::chrono::seconds(10);
    /// A client that sends nothing, not even a pong, for this long is dropped (the feed pings it
    /// half way through).
    std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(30);
    /// After a wake, how long to let more messages gather before taking them: the connection's
    /// thread wakes once per batch instead of once per message. Zero takes them at once.
    std::chrono::steady_clock::duration gather{};
    /// Largest message accepted from the client.
    std::size_t read_limit = 64 * 1024;
    /// The `Server` header of the 101 response.
    std::string server_name = "smtp-harness";
};

/// Opens the source once the handshake succeeded. `wake` may be called from any thread, at any
/// time until the source is destroyed, to say that take() has something new.
using feed_opener = std::function<std::unique_ptr<feed_source>(std::function<void()> wake)>;

/// Whether `req` asks for a WebSocket upgrade (RFC 6455 §4.2.1: GET, `Upgrade: websocket`,
/// `Connection: upgrade`).
bool is_upgrade(const http::request& req);

/// The takeover that accepts the upgrade and runs the feed until the client closes, the
/// connection fails or times out, or the service stops.
std::shared_ptr<http::connection_takeover> make_feed(feed_opener open, feed_config config);

} // namespace io::ws
