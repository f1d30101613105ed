#pragma once

// The one error a scenario mistake produces: where it is (file, line, column, key path) and
// what is wrong, with the accepted values when a name was misspelt. It is the configuration
// reader's error (config/error.hpp), as a type of its own for the callers that load scenarios.
//
//   what(): "bad.yaml:7:14: rules[2].do.close: unknown value 'fn'; expected one of: fin, rst"

#include "config/error.hpp"

namespace faults {

/// A scenario (or rule) that cannot be loaded. Thrown at the configuration edge only.
struct scenario_error : config::error {
    /// Builds the error; what() is "file:line:column: key_path: message".
    using config::error::error;

    /// The same mistake, found by the configuration reader.
    explicit scenario_error(const config::error& e)
        : config::error(e)
    {
    }
};

} // namespace faults
