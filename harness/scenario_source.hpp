#pragma once

// Where the scenarios of a run come from: --scenarios DIR|FILE|NAME ..., or the catalog.

#include "faults/scenario.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace harness {

/// The catalog directory: $SMTPH_CATALOG_DIR when set, else faults/catalog of the source tree
/// this program was built from.
std::filesystem::path default_catalog_dir();

/// Loads the scenarios named by `sources`, in order, each once: a directory loads every
/// scenario in it, a file loads that file, anything else is a scenario name looked up in
/// `catalog` (NAME.yaml, NAME.yml, NAME.json). No sources means the whole catalog. Throws
/// faults::scenario_error for an invalid scenario and std::runtime_error for a name that is
/// not in the catalog or a duplicate name from two places.
std::vector<faults::scenario> load_scenarios(const std::vector<std::string>& sources,
                                             const std::filesystem::path& catalog);

/// The names `catalog` offers for lookup by name: the stems of its NAME.yaml, NAME.yml and
/// NAME.json files, sorted. Empty when the directory cannot be read.
std::vector<std::string> catalog_names(const std::filesystem::path& catalog);

} // namespace harness
