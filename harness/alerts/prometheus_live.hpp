#pragma once

// Live `smtp-harness alerts --prometheus-config` runs, the pure parts: the user's files as a
// real Prometheus runs them faster.

#include <string>
#include <string_view>

namespace harness::alerts {

/// A Prometheus rule file for a run `scale` times faster than real time: every group's
/// `interval` and every rule's `for` and `keep_firing_for` divided by `scale` (a nonzero
/// duration stays at least 1ms), everything else as written. Throws alerts_file_error naming
/// the file and the key when the file is not a rule file or a duration is not one.
std::string scaled_rule_file(std::string_view text, std::string_view source_name, int scale);

} // namespace harness::alerts
