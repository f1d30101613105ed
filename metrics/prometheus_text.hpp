#pragma once

// The Prometheus text exposition format (version 0.0.4), as every /metrics and the probe's
// prometheus output write it.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prometheus_text {

/// A label value with backslash, double quote and line feed escaped.
std::string label_value(std::string_view value);

/// Appends the "# HELP" and "# TYPE" lines of a metric family.
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help);

/// Label names and values of one series, in the order written.
using label_set = std::vector<std::pair<std::string, std::string>>;

/// One sample line of an exposition: `name{a="b",c="d"} value`.
struct sample {
    /// The metric name.
    std::string name;
    /// Its labels, unescaped.
    label_set labels;
    /// The value as written ("1", "0.25", "NaN", "+Inf", "1E+00").
    std::string value;
};

/// Parses the label set starting at `pos`, which holds '{': `{a="b", c="d"}` (blanks after
/// the commas are accepted, as Prometheus's own tools print label sets). Returns the position
/// after the '}', or nothing when the text is not a label set.
std::optional<std::size_t> parse_label_set(std::string_view text, std::size_t pos, label_set& out);

/// The samples of an exposition, skipping comments, blank lines and lines that are not
/// samples (a timestamp after the value is ignored; a line may end in CR LF).
std::vector<sample> parse_samples(std::string_view text);

/// A sample's value as a number: a decimal or exponent form, "NaN", "+Inf" or "-Inf"; nothing
/// when the text is none of these.
std::optional<double> sample_value(std::string_view value) noexcept;

} // namespace prometheus_text
