#pragma once

// The one error a configuration mistake produces: where it is (file, line, column, key path)
// and what is wrong. what() reads as a compiler would print it:
//
//   "bad.yaml:7:14: rules[2].do.close: unknown value 'fn'; did you mean 'fin'? expected ..."

#include <stdexcept>
#include <string>

namespace config {

/// A document that cannot be read or does not say something valid. Thrown at the
/// configuration edge only.
class error : public std::runtime_error {
public:
    /// Builds the error; what() is "file:line:column: key_path: message", leaving out the
    /// position when `line` is 0 and the key path when it is empty.
    error(std::string file, int line, int column, std::string key_path, std::string message);

    std::string file;     ///< the source name given to the reader, e.g. the file path
    int line = 0;         ///< 1-based; 0 when unknown
    int column = 0;       ///< 1-based; 0 when unknown
    std::string key_path; ///< e.g. "rules[1].when.phase"; empty for the whole document
    std::string message;  ///< what is wrong, without the position
};

} // namespace config
