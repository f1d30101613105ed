#pragma once

// The state watch keeps across restarts: every target's monitor_state and the notifications
// not yet delivered. Saved as JSON, replaced atomically (write a temporary file, then rename).

#include "watch/alert.hpp"
#include "watch/target_monitor.hpp"

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace watch {

/// The schema name of the state file.
inline constexpr std::string_view state_schema = "smtp-harness/watch-state/v1";

/// A notification on its way to one notifier.
struct pending_delivery {
    /// A number unique within the state file.
    std::uint64_t seq = 0;
    /// The notifier's name.
    std::string notifier;
    /// What to send.
    alert_event event;
    /// Attempts made so far.
    int attempts = 0;
};

/// Everything the state file holds.
struct watch_snapshot {
    /// Each target's monitor state, by target name.
    std::map<std::string, monitor_state> monitors;
    /// Deliveries not yet done, oldest first.
    std::vector<pending_delivery> outbox;
    /// The next delivery number.
    std::uint64_t next_seq = 1;
};

/// The snapshot as a JSON document.
std::string state_to_json(const watch_snapshot& s);

/// Parses a state document; nothing when it is not one (a corrupt or foreign file).
std::optional<watch_snapshot> state_from_json(std::string_view text);

/// Writes `text` to `file` atomically: a temporary file in the same directory, flushed to disk,
/// then renamed over the old one, so a crash leaves either the old or the new file.
boost::system::error_code write_file_atomically(const std::filesystem::path& file,
                                                std::string_view text);

/// Reads a whole file; nothing when it does not exist or cannot be read.
std::optional<std::string> read_whole_file(const std::filesystem::path& file);

} // namespace watch
