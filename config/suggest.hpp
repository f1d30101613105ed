#pragma once

// "Did you mean" help for a misspelt key or value, and the list of what is accepted.
//
//   did_you_mean("phse", {"phase", "command"})  -> "did you mean 'phase'? "
//   one_of({"fin", "rst"})                      -> "one of: fin, rst"

#include <string>
#include <string_view>
#include <vector>

namespace config {

/// "did you mean 'X'? " for the accepted name closest to `given` (at most two edits away), or
/// an empty string when none is close.
std::string did_you_mean(std::string_view given, const std::vector<std::string_view>& accepted);

/// "one of: a, b, c".
std::string one_of(const std::vector<std::string_view>& accepted);

} // namespace config
