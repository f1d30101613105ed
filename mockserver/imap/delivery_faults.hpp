#pragma once

// What a delivery fault (`do.deliver`, recorded on the stored message) makes of a message on
// its way to the mailboxes: the one reading of captured_message::delivery, for IMAP's folders
// (store_mailbox's policy) and for POP3's view of INBOX (pop3::delivered_maildrop). No I/O.

#include "mockserver/imap/store_mailbox.hpp"

#include <string>
#include <string_view>

namespace mock::imap {

/// The deliveries of `message`: one copy in INBOX at once without a fault; none for
/// `to: nowhere`; otherwise `copies` copies in the fault's folder, `after` late, with the
/// Subject or body it gives.
std::vector<delivery> planned_deliveries(const captured_message& message);

/// planned_deliveries as a store_mailbox policy (the same for every user).
delivery_policy fault_policy();

/// `data` with its Subject header (its continuation lines too) replaced by `subject`, or one
/// added at the top of the header when there is none.
std::string with_subject(std::string_view data, std::string_view subject);

/// `data` with everything after the header's blank line replaced by `body` (ended by CRLF).
std::string with_body(std::string_view data, std::string_view body);

} // namespace mock::imap
