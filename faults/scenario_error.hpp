#pragma once

// The one error a scenario mistake produces: where it is (file, line, column, key path) and
// what is wrong, with the accepted values when a name was misspelt.
//
//   what(): "bad.yaml:7:14: rules[2].do.close: unknown value 'fn'; expected one of: fin, rst"

#include <stdexcept>
#include <string>

namespace faults {

/// A scenario (or rule) that cannot be loaded. Thrown at the configuration edge only.
struct scenario_error : std::runtime_error {
    /// Builds the error; what() is "file:line:column: key_path: message".
    scenario_error(std::string file, int line, int column, std::string key_path,
                   std::string message);

    std::string file;     ///< the source name given to the loader, e.g. the file path
    int line = 0;         ///< 1-based; 0 when unknown
    int column = 0;       ///< 1-based; 0 when unknown
    std::string key_path; ///< e.g. "rules[1].when.phase"; empty for the whole document
    std::string message;  ///< what is wrong, without the position
};

} // namespace faults
