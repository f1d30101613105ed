#pragma once

// Submits an alert e-mail over SMTP: the Asio driver of mail_session. Include only from I/O files.

#include "watch/watch_config.hpp"

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

namespace watch {

/// Submits `message` (RFC 5322 text, not dot-stuffed) as `settings` say, within `timeout`.
/// Returns an empty string on success, else what went wrong.
boost::asio::awaitable<std::string> send_mail(email_settings settings, std::string message,
                                              std::chrono::milliseconds timeout);

} // namespace watch
