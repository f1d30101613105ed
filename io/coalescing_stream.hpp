#pragma once

// I/O file: the layer under the WebSocket stream of io/websocket_feed that hands the messages
// of a batch to the socket in one write. Between begin_batch() and flush(), async_write_some()
// copies the bytes into a buffer and completes at once (within its call, a few deep, then
// posted); flush() writes the buffer with one write. Each message stays its own WebSocket frame,
// framed by Beast; only the socket writes are fewer (one sendmsg per batch instead of one per
// message).
//
// Outside a batch, writes pass through, so that what Beast writes by itself between batches (a
// pong, its idle ping, the close frame) leaves at once; written during a batch it leaves with
// the flush. Beast never overlaps two writes of its own; this layer never overlaps a flush with
// anything: what comes while a flush is writing is buffered and written after it. Reads pass
// through. The caller bounds the buffer: it flushes when buffered() passes its limit.

#include "io/awaitable.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace io::ws {

/// A beast::tcp_stream whose writes can be gathered into one (see the top of this file).
class coalescing_stream {
public:
    using next_layer_type = boost::beast::tcp_stream;
    using executor_type = next_layer_type::executor_type;

    explicit coalescing_stream(next_layer_type next)
        : next_(std::move(next))
    {
    }

    executor_type get_executor() noexcept { return next_.get_executor(); }
    next_layer_type& next_layer() noexcept { return next_; }
    const next_layer_type& next_layer() const noexcept { return next_; }

    /// Gathers every write from now until flush() ends.
    void begin_batch() noexcept { gathering_ = true; }

    /// Octets gathered and not yet written.
    std::size_t buffered() const noexcept { return pending_.size(); }

    /// Writes what was gathered in one write (then what came meanwhile, such as a pong) and
    /// ends the batch. The error of the socket, if any.
    boost::asio::awaitable<boost::system::error_code> flush();

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token)
    {
        return next_.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token)
    {
        return boost::asio::async_compose<WriteToken, void(boost::system::error_code, std::size_t)>(
            write_op<ConstBufferSequence>{*this, buffers}, token, next_);
    }

private:
    // Passes the write through, or gathers it and completes it posted.
    template <class Buffers> struct write_op {
        coalescing_stream& stream;
        Buffers buffers;
        std::optional<std::size_t> gathered{};
        bool started = false;

        template <class Self>
        void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0)
        {
            if (started) {
                self.complete(ec, gathered ? *gathered : n);
                return;
            }
            started = true;
            if (!stream.gathering_) {
                stream.next_.async_write_some(buffers, std::move(self));
                return;
            }
            gathered = stream.gather(buffers);
            auto& s = stream; // `this` goes with `self`
            if (s.inline_depth_ < max_inline_depth) {
                ++s.inline_depth_;
                self.complete(boost::system::error_code{}, *gathered);
                --s.inline_depth_;
                return;
            }
            boost::asio::post(std::move(self));
        }
    };

    // A gathered write completes within its call (the writer's next write nests in it) this
    // many deep, then posted, which ends the nesting: a post costs the event loop a poll of
    // its sockets (epoll_wait), once per message when every write was posted.
    static constexpr int max_inline_depth = 16;

    template <class ConstBufferSequence> std::size_t gather(const ConstBufferSequence& buffers)
    {
        const auto size = boost::asio::buffer_size(buffers);
        const auto at = pending_.size();
        pending_.resize(at + size);
        boost::asio::buffer_copy(boost::asio::buffer(pending_.data() + at, size), buffers);
        return size;
    }

    next_layer_type next_;
    std::string pending_; // gathered, not yet written
    std::string sending_; // being written by flush()
    bool gathering_ = false; // from begin_batch() to the end of flush()
    int inline_depth_ = 0;
};

/// Closes the connection of a WebSocket over a coalescing_stream: that of its socket (Beast
/// finds these overloads by argument-dependent lookup).
void teardown(boost::beast::role_type role, coalescing_stream& stream,
              boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, coalescing_stream& stream,
                    TeardownHandler&& handler)
{
    // Found by argument-dependent lookup: Beast's, for its tcp_stream.
    async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

} // namespace io::ws
