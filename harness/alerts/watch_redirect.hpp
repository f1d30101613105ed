#pragma once

// The user's watch configuration as `smtp-harness alerts` runs it: thresholds, retries, flap
// settings and routes as written, every address moved to the run's stand-ins so that no real
// page goes out and every notification is captured. Pure.

#include "watch/watch_config.hpp"

#include <cstdint>
#include <string>

namespace harness::alerts {

/// Where the stand-ins of one run are.
struct stand_ins {
    /// The mock every target is pointed at.
    std::string smtp_host;
    /// Its SMTP port.
    std::uint16_t smtp_port = 0;
    /// The webhook receiver, "http://127.0.0.1:PORT"; each webhook posts to BASE/hook/NAME.
    std::string webhook_base;
    /// The healthy mock that keeps the e-mail notifications.
    std::string mail_host = "127.0.0.1";
    /// Its SMTP port.
    std::uint16_t mail_port = 25;
    /// The file every exec notifier appends "NAME<TAB>$SMTP_ALERT_JSON" to.
    std::string exec_record;
    /// The state file of the run.
    std::string state_file;
};

/// `cfg` pointed at `to`: every target at the mock (STARTTLS kept but not verified, implicit
/// TLS, a source address and the `verify` round trip left out), webhooks at the receiver,
/// e-mail at the mail sink without AUTH, exec commands replaced by a recorder, the status
/// service on an ephemeral port and the state in `to.state_file`.
watch::watch_config redirect_watch_config(watch::watch_config cfg, const stand_ins& to);

} // namespace harness::alerts
