#pragma once

// The Prometheus text exposition format (version 0.0.4), as every /metrics and the probe's
// prometheus output write it.

#include <string>
#include <string_view>

namespace prometheus_text {

/// A label value with backslash, double quote and line feed escaped.
std::string label_value(std::string_view value);

/// Appends the "# HELP" and "# TYPE" lines of a metric family.
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help);

} // namespace prometheus_text
