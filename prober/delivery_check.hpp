#pragma once

// Judges a test message that the round trip found in the mailbox: it must have arrived once,
// with the Subject and body it was sent with. No I/O.

#include "prober/client_session.hpp"
#include "prober/probe_result.hpp"

#include <optional>
#include <string_view>

namespace prober {

/// What is wrong with a delivered message: `altered` at phase verify when its Subject or body
/// differs from `sent` (the message as written before dot-stuffing), else `duplicated` when
/// the mailbox held more than one copy; nothing when it arrived once and intact, or when the
/// report carries no copy to compare. `message_id` (without brackets) and `mailbox` name them
/// in the failure's message.
std::optional<probe_failure> judge_delivery(const verify_report& report, std::string_view sent,
                                            std::string_view message_id, std::string_view mailbox);

} // namespace prober
