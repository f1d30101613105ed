#pragma once

// Submits an alert e-mail over SMTP with the project's one SMTP client session
// (prober::client_session) and its driver. Include only from I/O files.

#include "watch/watch_config.hpp"

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

namespace watch {

/// Submits `message` (RFC 5322 text, not dot-stuffed, whose Message-ID is `message_id`) as
/// `settings` say, within `timeout`: banner, EHLO (HELO if refused), STARTTLS and AUTH when
/// asked, MAIL, RCPT for each recipient, DATA, QUIT. Returns an empty string once the server
/// accepted the message (whatever happens at QUIT), else what went wrong, e.g.
/// "perm_failure at rcpt: server replied \"550 5.1.1 no such user\"".
boost::asio::awaitable<std::string> send_mail(email_settings settings, std::string message,
                                              std::string message_id,
                                              std::chrono::milliseconds timeout);

} // namespace watch
