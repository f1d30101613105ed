#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp {

/// How a framed line ended on the wire.
enum class line_ending {
    crlf,    ///< CR LF, as RFC 5321 §2.3.8 requires
    bare_lf, ///< LF alone, which RFC 5321 §2.3.8 forbids but many clients send
};

/// One line cut from the byte stream.
struct framed_line {
    /// The line without its ending. Valid until the next call on the framer.
    std::string_view text;
    /// How the line ended.
    line_ending ending = line_ending::crlf;
    /// The line exceeded the limit; `text` is empty, `ending` is crlf whatever was sent, and
    /// the excess was discarded.
    bool too_long = false;
};

/// Incremental, bounded line framer for SMTP (RFC 5321 §2.3.8, §4.5.3.1).
///
/// Bytes are fed as they arrive; complete lines are taken one at a time. Memory is bounded
/// by the limit: an over-long line is discarded as it streams in and reported once, when its
/// end arrives, so a 10 MB line without CRLF costs no more than `limit` octets. Complete lines
/// wait in the buffer until taken, so a driver takes them all before it reads more bytes.
class line_framer {
public:
    /// `limit` counts the octets of a line including its CRLF, so the text of a line may be
    /// `limit - 2` octets; a line ended by a bare LF gets the same text limit.
    explicit line_framer(std::size_t limit);

    /// Changes the limit, e.g. from command lines to message text after DATA. It applies to
    /// every line not yet taken, except that a line already discarded as too long stays so.
    void set_limit(std::size_t limit) noexcept { limit_ = limit; }

    /// The current limit in octets, including the CRLF.
    std::size_t limit() const noexcept { return limit_; }

    /// Appends received bytes.
    void feed(std::string_view bytes);

    /// The next complete line, or nothing until more bytes arrive.
    std::optional<framed_line> next();

    /// Whether a complete line is waiting.
    bool has_line() const noexcept;

    /// Octets received but not yet returned as lines.
    std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }

    /// Drops everything buffered, e.g. plaintext that followed STARTTLS (RFC 3207 §4.2).
    /// Returns how many octets were dropped.
    std::size_t discard_buffered() noexcept;

private:
    void compact();
    // Whether a line of `partial` octets already kept (ending with a CR: `partial_cr`) and
    // then `content` is over the limit.
    bool over_limit(std::size_t partial, bool partial_cr, std::string_view content) const noexcept;
    // Whether every line of `bytes`, the first completing the partial line kept, is within
    // the limit.
    bool fits(std::string_view bytes) const noexcept;

    std::string buffer_;
    std::size_t consumed_ = 0;
    // Offsets in buffer_ of lines that were too long, oldest first. A vector, not a deque: it
    // is nearly always empty, and an empty vector allocates nothing (a deque allocates at once).
    std::vector<std::size_t> too_long_at_;
    std::size_t limit_;
    bool discarding_ = false;
};

} // namespace smtp
