#pragma once

// A POP3 client (RFC 1939) as a state machine with no I/O: logs in with
// USER/PASS, lists the mailbox with UIDL (LIST when UIDL is not supported), reads the header of
// each message newest first with TOP n 0 (RETR when TOP is not supported) looking for one
// Message-ID, reads the first match whole with RETR, deletes every match with DELE (counting
// the copies), and commits with QUIT (RFC 1939 §6, UPDATE state).

#include "smtp/line_framer.hpp"
#include "verify/client_action.hpp"
#include "verify/message_id_scanner.hpp"

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace verify {

/// One POP3 session that looks for a message by Message-ID and deletes it.
///
/// Call next() first with no error and no bytes; then after each write with the write's error
/// code, and after each read with its error code and the bytes read. Stop at `done`.
class pop3_client {
public:
    /// Octets a response line may take, CRLF included. RFC 1939 §3 limits status lines to 512;
    /// message lines (RFC 5322 §2.1.1: 1000) are allowed far more, since real mail breaks it.
    static constexpr std::size_t max_line_octets = 8192;
    /// Entries a UIDL or LIST listing may have.
    static constexpr std::size_t max_listing_entries = 100000;
    /// Entries the transcript keeps; the rest are counted.
    static constexpr std::size_t max_transcript_entries = 400;

    /// Looks for `query.message_id`, logging in as `query.user`.
    explicit pop3_client(mailbox_query query);

    /// Feeds the result of the last action and returns the next one.
    client_action next(boost::system::error_code ec, std::string_view received);

    /// Whether the message has been seen (deletion and QUIT may still be pending).
    bool found() const noexcept { return found_; }

    /// How the session ended; valid once next() returned `done`.
    const check_result& result() const noexcept { return result_; }

    /// The dialogue so far: "C: ..." and "S: ..." lines, the password masked.
    const std::vector<std::string>& transcript() const noexcept { return transcript_; }

private:
    enum class step { start, greeting, user, pass, uidl, list, top, retr, dele, quit, done };

    /// A listed message: its number and, with UIDL, its unique id.
    struct listed {
        unsigned number = 0;
        std::string uid;
    };

    client_action process();
    client_action send(std::string command, std::string transcript_text);
    client_action read();
    client_action finish(check_status status, boost::system::error_code ec, std::string detail);
    client_action fail(boost::system::error_code ec, std::string detail);
    client_action fail_io(boost::system::error_code ec);
    client_action on_status(std::string_view line);
    client_action on_login_status(std::string_view line, bool err, const std::string& reply);
    client_action on_listing_status(bool err, const std::string& reply);
    client_action on_message_status(std::string_view line, bool err, const std::string& reply);
    client_action on_quit_status(bool err, const std::string& reply);
    client_action on_match();
    client_action retrieve();
    client_action on_listing_line(std::string_view line);
    client_action on_multiline_end();
    client_action read_next_header();
    client_action quit();
    void note(std::string entry);
    std::string_view command_name() const noexcept;

    mailbox_query query_;
    std::unordered_set<std::string> skip_;
    smtp::line_framer framer_{max_line_octets};
    message_id_scanner scanner_;
    step step_ = step::start;
    bool awaiting_write_ = false;
    bool in_multiline_ = false;       // after +OK to a command with a multi-line answer
    std::size_t multiline_lines_ = 0; // lines of the current multi-line answer
    bool top_unsupported_ = false;
    bool found_ = false;
    std::vector<listed> listing_;
    std::size_t candidate_ = 0; // index into listing_, counting from the newest
    std::optional<listed> current_;
    std::string first_uid_; // the unique id of the first copy found
    std::string out_;
    check_result result_;
    std::vector<std::string> transcript_;
    std::size_t transcript_dropped_ = 0;
};

} // namespace verify
