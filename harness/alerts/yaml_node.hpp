#pragma once

// Reading timeline and expectations documents: every mistake names the file, line, column and
// key path.

#include "harness/alerts/timeline.hpp"

#include <chrono>
#include <string>
#include <yaml-cpp/yaml.h>

namespace harness::alerts::detail {

/// Positions and checks values of one YAML document.
class yaml_reader {
public:
    /// A reader of the document named `source`.
    explicit yaml_reader(std::string source)
        : source_(std::move(source))
    {
    }

    /// Parses the text; a syntax error becomes an alerts_file_error.
    YAML::Node load(const std::string& text) const;

    /// Throws alerts_file_error at `n`.
    [[noreturn]] void fail(const YAML::Node& n, const std::string& path,
                           const std::string& message) const;

    /// A single value.
    std::string scalar(const YAML::Node& n, const std::string& path) const;

    /// true/false.
    bool boolean(const YAML::Node& n, const std::string& path) const;

    /// A duration ("3s", "250ms", "2m", or seconds).
    std::chrono::milliseconds duration(const YAML::Node& n, const std::string& path) const;

    /// A value or a list of values.
    std::vector<std::string> strings(const YAML::Node& n, const std::string& path) const;

private:
    std::string source_;
};

} // namespace harness::alerts::detail
