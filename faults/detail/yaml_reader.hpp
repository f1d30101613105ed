#pragma once

// Typed, position-aware access to a parsed YAML document, for the scenario and rule loaders.
// Every failure throws scenario_error with the file, line, column and key path of the node.

#include "faults/scenario_error.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace faults::detail {

/// A node together with where it is: its position and its key path.
struct field {
    YAML::Node node;  ///< the value
    YAML::Mark mark;  ///< where it starts (the key's position when the value has none)
    std::string path; ///< e.g. "rules[0].when.phase"
};

/// Reads typed values from nodes, throwing scenario_error on the first mistake.
class yaml_reader {
public:
    /// `source` names the document in error messages, e.g. a file path or "request body".
    explicit yaml_reader(std::string source);

    /// Parses YAML (or JSON) text into the root field; a syntax error becomes scenario_error.
    field parse(std::string_view text) const;

    /// Throws scenario_error at `f`.
    [[noreturn]] void fail(const field& f, const std::string& message) const;

    /// Checks `f` is a map whose keys are distinct strings from `allowed`; returns its entries.
    std::map<std::string, field> map(const field& f,
                                     std::initializer_list<std::string_view> allowed) const;

    /// The elements of a list, or `f` itself when it is a single value.
    std::vector<field> one_or_list(const field& f) const;

    /// A scalar as text.
    std::string string(const field& f) const;
    /// true or false.
    bool boolean(const field& f) const;
    /// A non-negative integer.
    std::uint64_t count(const field& f) const;
    /// A decimal number.
    double number(const field& f) const;
    /// A duration with a unit ("250ms", "1.5s"); a bare number is rejected as such.
    std::chrono::milliseconds duration(const field& f) const;
    /// One of `accepted`; returns its index. A misspelling lists the accepted values.
    std::size_t choice(const field& f, std::initializer_list<std::string_view> accepted) const;
    /// Like choice(), over a list of names.
    std::size_t choice(const field& f, const std::vector<std::string_view>& accepted) const;

    /// Whether the scalar was written unquoted (so `1` is a number, `"1"` a string).
    static bool plain(const field& f);

    /// The source name.
    const std::string& source() const noexcept { return source_; }

private:
    std::string source_;
};

/// "a.b" from "a" and "b"; "b" when `path` is empty.
std::string key_path(const std::string& path, std::string_view key);

/// "a[3]" from "a" and 3.
std::string index_path(const std::string& path, std::size_t index);

/// "one of: a, b, c".
std::string one_of(const std::vector<std::string_view>& accepted);

} // namespace faults::detail
