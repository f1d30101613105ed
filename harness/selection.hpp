#pragma once

// Choosing scenarios: --filter GLOB (shell-style wildcards on the name) and --shard I/N
// (split a run across CI machines).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

/// Whether `name` matches the shell-style `pattern` as a whole: `*` any run of characters,
/// `?` one character, `[abc]`, `[a-z]` and `[!abc]` one character of (or not of) a set,
/// `\x` the character x itself.
bool glob_match(std::string_view pattern, std::string_view name) noexcept;

/// One shard of N: I counts from 1.
struct shard {
    std::size_t index = 1; ///< which shard, 1..count
    std::size_t count = 1; ///< how many shards
};

/// Parses "I/N" with 1 <= I <= N; nothing when malformed.
std::optional<shard> parse_shard(std::string_view text) noexcept;

/// The positions (into `names`) of the selected scenarios, in order: those matching any of
/// `patterns` (all when there is none), then every N-th of them starting at the I-th, so
/// that the N shards partition the filtered list and differ in size by at most one.
std::vector<std::size_t> select(const std::vector<std::string>& names,
                                const std::vector<std::string>& patterns,
                                const std::optional<shard>& part);

} // namespace harness
