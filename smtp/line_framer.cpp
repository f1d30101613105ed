#include "smtp/line_framer.hpp"

namespace smtp {

line_framer::line_framer(std::size_t limit)
    : limit_(limit)
{
}

void line_framer::compact()
{
    if (consumed_ == 0) {
        return;
    }
    buffer_.erase(0, consumed_);
    for (auto& at : too_long_at_) {
        at -= consumed_;
    }
    consumed_ = 0;
}

bool line_framer::over_limit(std::size_t partial, bool partial_cr,
                             std::string_view content) const noexcept
{
    // RFC 5321 §4.5.3.1: the limit counts the CRLF, so the text may use limit - 2 octets.
    // A trailing CR may still be the first half of the CRLF, so allow it one more octet.
    // That CR may have arrived in an earlier feed, as the last octet of the partial line.
    std::size_t allowed = limit_ >= 2 ? limit_ - 2 : 0;
    bool ends_with_cr = !content.empty() ? content.back() == '\r' : partial_cr;
    return partial + content.size() - (ends_with_cr ? 1 : 0) > allowed;
}

bool line_framer::fits(std::string_view bytes) const noexcept
{
    auto last_lf = buffer_.rfind('\n');
    std::size_t partial =
        last_lf == std::string::npos ? buffer_.size() : buffer_.size() - last_lf - 1;
    bool partial_cr = partial > 0 && buffer_.back() == '\r';
    while (!bytes.empty()) {
        auto lf = bytes.find('\n');
        if (over_limit(partial, partial_cr, bytes.substr(0, lf))) {
            return false;
        }
        if (lf == std::string_view::npos) {
            return true;
        }
        bytes.remove_prefix(lf + 1);
        partial = 0;
        partial_cr = false;
    }
    return true;
}

void line_framer::feed(std::string_view bytes)
{
    compact();
    if (!discarding_ && fits(bytes)) {
        // The common case: no line is over the limit, so the bytes are kept in one append
        // rather than a line at a time.
        buffer_.append(bytes);
        return;
    }
    while (!bytes.empty()) {
        if (discarding_) {
            // Inside an over-long line: keep nothing until its LF.
            auto lf = bytes.find('\n');
            if (lf == std::string_view::npos) {
                return;
            }
            // Keep the LF as a marker for next(), then go on with what follows it.
            buffer_.push_back('\n');
            bytes.remove_prefix(lf + 1);
            discarding_ = false;
            continue;
        }
        // The pending partial line is what follows the last LF in the buffer.
        auto last_lf = buffer_.rfind('\n');
        std::size_t partial =
            last_lf == std::string::npos ? buffer_.size() : buffer_.size() - last_lf - 1;
        auto lf = bytes.find('\n');
        std::size_t take = lf == std::string_view::npos ? bytes.size() : lf + 1;
        std::size_t content = lf == std::string_view::npos ? take : take - 1;
        if (over_limit(partial, partial > 0 && buffer_.back() == '\r',
                       bytes.substr(0, content))) {
            // Replace the partial line with an empty one marked "too long".
            buffer_.resize(buffer_.size() - partial);
            too_long_at_.push_back(buffer_.size());
            if (lf == std::string_view::npos) {
                discarding_ = true;
                return;
            }
            buffer_.push_back('\n');
            bytes.remove_prefix(take);
            continue;
        }
        buffer_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
    }
}

bool line_framer::has_line() const noexcept
{
    return buffer_.find('\n', consumed_) != std::string::npos;
}

std::optional<framed_line> line_framer::next()
{
    auto lf = buffer_.find('\n', consumed_);
    if (lf == std::string::npos) {
        return std::nullopt;
    }
    std::string_view line(buffer_.data() + consumed_, lf - consumed_);
    framed_line out;
    if (!too_long_at_.empty() && too_long_at_.front() == consumed_) {
        too_long_at_.erase(too_long_at_.begin());
        consumed_ = lf + 1;
        out.too_long = true;
        return out;
    }
    consumed_ = lf + 1;
    bool crlf = !line.empty() && line.back() == '\r';
    if (crlf) {
        line.remove_suffix(1);
    }
    // The limit may have been lowered since the line arrived (set_limit after DATA's final
    // dot, with commands pipelined behind it): judge the line again by the current limit.
    if (line.size() > (limit_ >= 2 ? limit_ - 2 : 0)) {
        out.too_long = true;
        return out;
    }
    out.ending = crlf ? line_ending::crlf : line_ending::bare_lf;
    out.text = line;
    return out;
}

std::size_t line_framer::discard_buffered() noexcept
{
    std::size_t n = buffered();
    buffer_.clear();
    too_long_at_.clear();
    consumed_ = 0;
    discarding_ = false;
    return n;
}

} // namespace smtp
