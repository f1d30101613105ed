#pragma once

// Loading scenarios and rules from YAML (JSON is accepted: it is YAML). Every mistake throws
// scenario_error with the file, line, column and key path, and the accepted values when a key
// or a value was misspelt.
//
//   scenario load_scenario(std::string_view text, std::string_view source_name);
//   scenario load_scenario_file(const std::filesystem::path& file);
//   std::vector<scenario> load_catalog(const std::filesystem::path& dir);
//   rule load_rule(std::string_view text, std::string_view source_name);  // POST /api/v1/rules

#include "faults/scenario.hpp"
#include "faults/scenario_error.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace faults {

/// Parses and validates a scenario document. Rules without an `id` get r1, r2, ... (skipping
/// ids already taken). Throws scenario_error.
scenario load_scenario(std::string_view text, std::string_view source_name);

/// Reads and loads one scenario file; the file's path is the source name. Throws
/// scenario_error, also when the file cannot be read, is not a regular file (a FIFO, a device)
/// or is over 1 MiB; nothing is read from a file that is refused.
scenario load_scenario_file(const std::filesystem::path& file);

/// Loads every *.yaml, *.yml and *.json file in `dir`, sorted by file name. Each scenario's
/// name must equal its file name without the extension, and names are unique. Throws
/// scenario_error.
std::vector<scenario> load_catalog(const std::filesystem::path& dir);

/// Parses and validates one rule (a map with `id`, `when` and `do`), as the control API
/// receives it. The id stays empty when not given. Throws scenario_error.
rule load_rule(std::string_view text, std::string_view source_name);

/// Checks a rule built in code with the same rules the loader applies; `path` prefixes the key
/// paths in the error. Throws scenario_error (with no file position).
void validate_rule(const rule& r, std::string_view source_name, const std::string& path);

/// Gives each rule without an id the smallest "rN" (N >= 1) not yet taken, in order. Linear in
/// the number of rules.
void assign_rule_ids(std::vector<rule>& rules);

/// The smallest id "rN" (N >= 1) not used by any of `rules`. Linear in the number of rules.
std::string next_free_rule_id(const std::vector<rule>& rules);

} // namespace faults
