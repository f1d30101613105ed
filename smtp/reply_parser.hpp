#pragma once

#include "smtp/limits.hpp"
#include "smtp/reply.hpp"

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>

namespace smtp {

/// What the reply parser says after a line.
enum class reply_status {
    need_more, ///< a continuation line ("NNN-"); feed the next line
    complete,  ///< the final line ("NNN SP" or "NNN") arrived; take() the reply
    error,     ///< the line is malformed; error() says how
};

/// Incremental parser of SMTP replies (RFC 5321 §4.2), fed one framed line at a time.
///
/// Strict where a monitor must be: three digits from 200 to 599, then SP, '-' or the end of
/// the line; every line of a multi-line reply carries the same code; a bounded line count.
class reply_parser {
public:
    /// `max_lines` bounds a multi-line reply.
    explicit reply_parser(std::size_t max_lines = limits::reply_lines) noexcept;

    /// Feeds one line without its CRLF. A line fed after `complete` without take() starts a
    /// new reply, dropping the completed one.
    reply_status feed_line(std::string_view line);

    /// The completed reply; resets the parser for the next one.
    reply take();

    /// The error after reply_status::error.
    boost::system::error_code error() const noexcept { return error_; }

    /// Lines of an unfinished multi-line reply received so far.
    const reply& partial() const noexcept { return current_; }

    /// Starts afresh, forgetting any partial reply and error.
    void reset();

private:
    reply current_;
    bool complete_ = false;
    std::size_t max_lines_;
    boost::system::error_code error_;
};

} // namespace smtp
