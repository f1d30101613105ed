#pragma once

// Shared by the scenario and rule loaders: the reader with the scenario format's syntax, and
// reading one rule with its fields checked together.

#include "config/yaml_reader.hpp"
#include "faults/scenario.hpp"
#include "faults/scenario_error.hpp"

#include <map>
#include <optional>
#include <string>

namespace faults::detail {

/// Where each key of a rule was written, by its path relative to the rule ("do.close").
using rule_marks = std::map<std::string, YAML::Mark>;

/// The reader for the scenario document `source`: durations with a unit, at most
/// limits::max_duration.
config::yaml_reader scenario_reader(std::string source);

/// The first mistake in `r`, if any: a bad id, an empty `do`, a time window that ends before
/// it starts, and each effect's own check (exclusive effects, effects that need a phase, ...).
std::optional<rule_problem> find_rule_problem(const rule& r);

/// Reads and checks the rule at `f`. Throws config::error.
rule read_rule(const config::yaml_reader& in, const config::field& f);

/// Runs `load`, turning a configuration error into a scenario_error.
template <class F> auto as_scenario_error(F&& load) -> decltype(load())
{
    try {
        return load();
    } catch (const scenario_error&) {
        throw;
    } catch (const config::error& e) {
        throw scenario_error(e);
    }
}

} // namespace faults::detail
