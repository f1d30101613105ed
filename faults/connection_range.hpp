#pragma once

// Connection ordinals for the `when.connections` condition. The first connection
// after a scenario is loaded is ordinal 1.
//
//   "3"              exactly the third connection
//   "2-5"            the second to the fifth, inclusive
//   "3-"             the third and every later one
//   "every 2"        the 2nd, 4th, 6th, ... (every N-th)
//   "every 3 from 2" the 2nd, 5th, 8th, ... (every N-th, starting at K)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faults {

/// One set of connection ordinals.
struct connection_range {
    std::uint64_t first = 1;           ///< the first ordinal matched, 1 or more
    std::optional<std::uint64_t> last; ///< the last ordinal matched; none means no end
    std::uint64_t every = 1;           ///< match every N-th ordinal from `first`

    /// True when the connection with this ordinal (1-based) is in the set.
    bool contains(std::uint64_t ordinal) const noexcept;

    /// The set as written in a scenario, e.g. "2-5" or "every 2".
    std::string to_string() const;

    friend bool operator==(const connection_range&, const connection_range&) = default;
};

/// Parses one range; returns nothing when it is malformed, empty (5-2) or starts at 0.
std::optional<connection_range> parse_connection_range(std::string_view text);

} // namespace faults
