#pragma once

// Reading timeline and expectations documents with the shared YAML reader: durations as the
// watch configuration writes them ("3s", "250ms", "2m", bare seconds).

#include "config/yaml_reader.hpp"

#include <string>

namespace harness::alerts::detail {

/// A reader for the timeline or expectations document named `source`.
config::yaml_reader document_reader(std::string source);

} // namespace harness::alerts::detail
