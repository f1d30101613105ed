#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace prober {

/// The headers and body of the probe's test message.
struct test_message_fields {
    /// The From: and envelope sender.
    std::string from;
    /// The To: recipients.
    std::vector<std::string> to;
    /// The Message-ID without angle brackets.
    std::string message_id;
    /// When the message is sent, for the Date: header.
    std::chrono::system_clock::time_point date{};
};

/// A Message-ID unique to this probe: "smtp-probe.<unix ms>.<nonce hex>@<domain>"
/// (RFC 5322 §3.6.4). The nonce comes from the caller so that the session stays deterministic.
std::string make_message_id(std::chrono::system_clock::time_point now, std::uint64_t nonce,
                            std::string_view domain);

/// The RFC 5322 §3.3 date, e.g. "Fri, 27 Nov 2026 18:43:02 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point t);

/// The test message in RFC 5322 form with CRLF line ends, before dot-stuffing. The body contains
/// a line that starts with a dot, so every send exercises transparency (RFC 5321 §4.5.2).
std::string build_test_message(const test_message_fields& fields);

/// Prepares message text for DATA: every line end becomes CRLF, every line starting with '.'
/// gets one more (RFC 5321 §4.5.2), and the terminating "." line is appended (§4.1.1.4).
std::string dot_stuff(std::string_view message);

} // namespace prober
