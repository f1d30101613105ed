#pragma once

// The vocabulary shared by the sans-I/O mailbox clients (POP3 and IMAP) and the coroutine that
// drives them: what to look for, the next action, and how a session ended.

#include <boost/system/error_code.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace verify {

/// What one mailbox session looks for.
struct mailbox_query {
    std::string user;       ///< login name
    std::string password;   ///< password; never written to the transcript
    std::string message_id; ///< the Message-ID to find, with or without angle brackets
    /// How long each write or read may take; the driver also caps it by the total deadline.
    std::chrono::milliseconds step_timeout{std::chrono::seconds(10)};
    /// POP3 unique ids already read in earlier polls and known not to match: not read again.
    std::vector<std::string> skip_uids;
};

/// The next thing a mailbox client asks its driver to do.
struct client_action {
    /// The kinds of action.
    enum class kind {
        write, ///< send `bytes`, then call next() with the write's error code
        read,  ///< read what arrives, then call next() with the error code and the bytes
        done,  ///< the session is over; close the connection and look at result()
    };

    kind type = kind::done;               ///< what to do
    std::string_view bytes;               ///< for write: valid until the next call to next()
    std::chrono::milliseconds timeout{0}; ///< for write and read: how long it may take
};

/// How a mailbox session ended.
enum class check_status {
    found,     ///< the message was there and was deleted
    not_found, ///< the mailbox was read and the message is not (yet) there
    failed,    ///< an error ended the session; see `error` and `detail`
};

/// The parts of a delivered message that are compared with what was sent.
struct fetched_message {
    /// The unfolded Subject, white space around it removed; nothing when there is none.
    std::optional<std::string> subject;
    /// The body (the text after the header section), lines ended with CRLF.
    std::string body;
    /// Whether `body` holds only the beginning of a longer body.
    bool body_truncated = false;
};

/// The result of one mailbox session.
struct check_result {
    check_status status = check_status::failed; ///< how it ended
    /// Empty for not_found; for found, set only when the deletion was not confirmed.
    boost::system::error_code error;
    /// The server's text of a refusal, what went wrong, or what was found.
    std::string detail;
    /// POP3 unique ids read in this session that do not match; pass them in the next query.
    std::vector<std::string> scanned_uids;
    /// For found: how many messages in the mailbox carry the Message-ID (all are deleted).
    unsigned copies = 0;
    /// For found: the first copy as the mailbox serves it.
    std::optional<fetched_message> message;
};

/// "found", "not_found" or "failed".
std::string_view to_string(check_status s) noexcept;

/// Appends a transcript line, keeping at most `max` lines: past that the last line counts how
/// many more were dropped.
void append_capped(std::vector<std::string>& lines, std::size_t& dropped, std::string entry,
                   std::size_t max);

/// The failure text for an I/O error while awaiting the reply to `command`: "no response to
/// RETR", "connection closed awaiting RETR" or "I/O error awaiting RETR: reason".
std::string io_failure_text(const boost::system::error_code& ec, std::string_view command);

} // namespace verify
