#pragma once

// An IMAP4rev1 client (RFC 3501) as a state machine with no I/O: LOGIN,
// SELECT INBOX, UID SEARCH HEADER Message-ID, UID FETCH of the Message-ID and Subject headers
// and the body text, to confirm an exact match (SEARCH matches substrings, RFC 3501 §6.4.4),
// count the copies and keep the first as it arrived, UID STORE +FLAGS.SILENT (\Deleted),
// UID EXPUNGE (RFC 4315, when UIDPLUS is advertised) or EXPUNGE, LOGOUT.

#include "verify/client_action.hpp"
#include "verify/imap_command.hpp"
#include "verify/imap_response_reader.hpp"
#include "verify/message_id_scanner.hpp"

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace verify {

/// One IMAP session that looks for a message by Message-ID and deletes it.
///
/// Call next() first with no error and no bytes; then after each write with the write's error
/// code, and after each read with its error code and the bytes read. Stop at `done`.
class imap_client {
public:
    /// Messages a search may return before the session gives up (bounded work).
    static constexpr std::size_t max_search_hits = 1000;
    /// Entries the transcript keeps; the rest are counted.
    static constexpr std::size_t max_transcript_entries = 400;

    /// Looks for `query.message_id`, logging in as `query.user`.
    explicit imap_client(mailbox_query query);

    /// Feeds the result of the last action and returns the next one.
    client_action next(boost::system::error_code ec, std::string_view received);

    /// Whether the message has been seen (deletion may still be pending).
    bool found() const noexcept { return !matched_uids_.empty(); }

    /// How the session ended; valid once next() returned `done`.
    const check_result& result() const noexcept { return result_; }

    /// The dialogue so far: "C: ..." and "S: ..." lines, the password masked.
    const std::vector<std::string>& transcript() const noexcept { return transcript_; }

private:
    enum class step { start, greeting, login, select, search, fetch, store, expunge, logout, done };

    client_action process();
    client_action send(imap_command command);
    client_action write_segment();
    client_action read();
    client_action finish(check_status status, boost::system::error_code ec, std::string detail);
    client_action fail(boost::system::error_code ec, std::string detail);
    client_action fail_io(boost::system::error_code ec);
    client_action on_response(const imap_response& response);
    client_action on_untagged(const imap_response& response);
    client_action on_tagged(std::string_view status, std::string_view text);
    client_action logout();
    void on_fetch(const imap_response& response, std::string_view items);
    void feed_lines(std::string_view lines);
    void note_capabilities(std::string_view text);
    void note(std::string entry);
    std::string_view command_name() const noexcept;
    std::string uid_set(const std::vector<std::uint32_t>& uids) const;

    mailbox_query query_;
    imap_response_reader reader_;
    message_id_scanner scanner_;
    step step_ = step::start;
    unsigned tag_number_ = 0;
    std::string tag_;
    std::vector<std::string> segments_; // the command being sent, cut at literals
    std::size_t next_segment_ = 0;
    bool awaiting_write_ = false;
    bool uidplus_ = false;        // RFC 4315 UID EXPUNGE is available
    bool login_disabled_ = false; // RFC 3501 §6.2.3 LOGINDISABLED was advertised
    bool deleted_ = false;
    std::vector<std::uint32_t> search_uids_;
    std::vector<std::uint32_t> matched_uids_;
    check_result result_;
    std::vector<std::string> transcript_;
    std::size_t transcript_dropped_ = 0;
};

} // namespace verify
