#include "mockserver/imap/response_queue.hpp"

#include <algorithm>

namespace mock::imap {

void response_queue::text(std::string s)
{
    if (s.empty()) {
        return;
    }
    size_ += s.size();
    // Short texts join the last owned piece, so that a response line is one piece.
    if (!pieces_.empty() && !pieces_.back().hold &&
        pieces_.back().bytes.data() == pieces_.back().owned.data() &&
        pieces_.back().bytes.size() == pieces_.back().owned.size()) {
        auto& last = pieces_.back();
        last.owned += s;
        last.bytes = last.owned;
        return;
    }
    pieces_.push_back({std::move(s), nullptr, {}});
    pieces_.back().bytes = pieces_.back().owned;
}

void response_queue::view(std::shared_ptr<const captured_message> message, std::string_view part)
{
    if (part.empty()) {
        return;
    }
    size_ += part.size();
    pieces_.push_back({{}, std::move(message), part});
}

std::string response_queue::take(std::size_t max)
{
    std::string out;
    out.reserve(std::min(max, size_));
    while (!pieces_.empty() && out.size() < max) {
        auto& p = pieces_.front();
        const auto n = std::min(max - out.size(), p.bytes.size());
        out.append(p.bytes.substr(0, n));
        p.bytes.remove_prefix(n);
        if (p.bytes.empty()) {
            pieces_.pop_front();
        }
    }
    size_ -= out.size();
    return out;
}

void response_queue::clear() noexcept
{
    pieces_.clear();
    size_ = 0;
}

} // namespace mock::imap
