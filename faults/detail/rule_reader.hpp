#pragma once

// Shared by the scenario and rule loaders: reading one rule and checking its fields together.

#include "faults/detail/yaml_reader.hpp"
#include "faults/scenario.hpp"

#include <map>
#include <optional>
#include <string>

namespace faults::detail {

/// Where each key of a rule was written, by its path relative to the rule ("do.close").
using rule_marks = std::map<std::string, YAML::Mark>;

/// A mistake that involves more than one field, found after reading.
struct rule_problem {
    std::string key;     ///< the key path relative to the rule, e.g. "do.close"
    std::string message; ///< what is wrong
};

/// The first mistake in `r`, if any: exclusive effects, effects that need a particular phase,
/// bad regexes, an empty `do`, a time window that ends before it starts, ...
std::optional<rule_problem> find_rule_problem(const rule& r);

/// Reads and checks the rule at `f`. Throws scenario_error.
rule read_rule(const yaml_reader& in, const field& f);

} // namespace faults::detail
