#pragma once

// The responses an IMAP session has produced and not yet handed to its driver: owned text, and
// views of stored messages (kept alive by a shared pointer) so that a literal of a large
// message is never copied whole. The driver takes bounded chunks. No I/O.

#include "mockserver/message_store.hpp"

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace mock::imap {

/// A FIFO of response octets, taken in chunks.
class response_queue {
public:
    /// Appends text.
    void text(std::string s);

    /// Appends a view of `message`'s octets; `part` must lie within `message->data`.
    void view(std::shared_ptr<const captured_message> message, std::string_view part);

    /// Whether nothing is queued.
    bool empty() const noexcept { return size_ == 0; }

    /// Octets queued.
    std::size_t size() const noexcept { return size_; }

    /// Removes and returns up to `max` octets from the front.
    std::string take(std::size_t max);

    /// Drops everything queued.
    void clear() noexcept;

private:
    struct piece {
        std::string owned;
        std::shared_ptr<const captured_message> hold;
        std::string_view bytes; // into owned or into hold->data
    };
    std::deque<piece> pieces_;
    std::size_t size_ = 0;
};

} // namespace mock::imap
