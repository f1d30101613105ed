#pragma once

// Round-trip verification (`--verify`): after the probe sends its
// test message, poll a POP3 or IMAP mailbox until the message with the probe's Message-ID
// arrives, report the delivery latency, and delete the message. This is the API smtp-probe
// calls; link smtph::verify.

#include "io/dns_resolver.hpp"
#include "smtp/failure_kind.hpp"
#include "verify/client_action.hpp"
#include "verify/verify_error.hpp"
#include "verify/verify_target.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace verify {

/// The failure kind at phase `verify` for the error that ended a round trip:
/// not_delivered, timeout, closed, refused, reset, unreachable, dns_error, tls_error,
/// temp_failure (busy, unasked BYE), perm_failure (login refused), unexpected_reply (-ERR, NO,
/// BAD) or protocol_error. Meaningless for an empty error_code.
smtp::failure_kind classify(const boost::system::error_code& ec) noexcept;

/// Whether polling again may succeed after this error (refused, reset, timeout, closed, busy,
/// a temporary DNS failure); false for a login refusal, -ERR/NO/BAD, protocol and TLS errors
/// and an unknown host.
bool is_transient(const boost::system::error_code& ec) noexcept;

/// What polling the mailbox found.
struct verify_outcome {
    /// The message arrived (and was deleted, unless `error` says the deletion failed).
    bool delivered = false;
    /// Since polling started: until the poll that saw the message, or until giving up.
    std::chrono::milliseconds latency{0};
    /// For a person: the server's text of a refusal, or what went wrong, or "found and
    /// deleted message <id> (UID 42)".
    std::string detail;
    /// Empty when delivered and deleted; verify_errc::not_delivered when the timeout passed
    /// without the message; otherwise the error that ended the last attempt.
    boost::system::error_code error;
    /// The dialogue, one entry per line: "C: ..." / "S: ..." / "event: ...". Passwords are
    /// masked. Holds the events of every poll and the full dialogue of the last one.
    std::vector<std::string> transcript;
    /// How many times the mailbox was opened.
    int polls = 0;
    /// When delivered: how many messages carried the Message-ID (every one was deleted).
    unsigned copies = 0;
    /// When delivered: the first copy's Subject and body as the mailbox served them.
    std::optional<fetched_message> message;
};

/// The failure kind at phase `verify` for an outcome whose `error` is set (see classify above).
inline smtp::failure_kind classify(const verify_outcome& outcome) noexcept
{
    return classify(outcome.error);
}

/// Polls the mailbox every `poll_interval` until the message whose Message-ID header is
/// `message_id` (with or without the angle brackets) is found, or `timeout` has passed.
/// When found the message is deleted (POP3 DELE + QUIT; IMAP UID STORE \Deleted + EXPUNGE),
/// with every other copy of it; the copies are counted and the first is kept in the outcome.
/// Transient failures (see is_transient) are retried until the timeout; the others end polling
/// at once. Never runs past `timeout`: every network step, the DNS lookup included, is bounded
/// by it (one step also by 10 s); an address literal such as 127.0.0.1 or [::1] is never looked
/// up. Connections go through io::client_connection (pop3s and imaps verify the certificate
/// and the host name unless `?insecure`). Must run on a single-threaded io_context. Arguments
/// are taken by value: the coroutine owns them. `dns` says where the host name is looked up.
boost::asio::awaitable<verify_outcome>
verify_delivery(verify_target target, std::string message_id, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500),
                io::dns_settings dns = {});

} // namespace verify
