#pragma once

// Probe options written in a configuration document (watch targets, exporter modules): one key
// of the probe options table read through the one YAML reader, so that a file states options as
// the command line does and gets the same checks and messages, placed at file:line:column.

#include "config/yaml_reader.hpp"
#include "prober/probe_options_table.hpp"

#include <string>

namespace prober {

/// Where `n` is, for the probe options table: the reader's file, the node's position, `path`.
option_origin yaml_origin(const config::yaml_reader& rd, const YAML::Node& n,
                          const std::string& path);

/// Sets the probe option `key` (`-` and `_` alike) from `value` at `path`. Returns false when
/// `key` is no probe option; throws option_error (or config::error for a value that is not a
/// scalar or a list of scalars) when the value is invalid.
bool set_probe_option(const config::yaml_reader& rd, probe_options_builder& builder,
                      const std::string& key, const YAML::Node& value, const std::string& path);

} // namespace prober
