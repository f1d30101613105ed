#pragma once

// A timeline of scenarios for `smtp-harness alerts`: which fault the mock shows, and for how
// long, one step after another.

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace harness::alerts {

/// One step of a timeline.
struct timeline_step {
    /// The name expectations refer to; defaults to "<index>-<scenario>".
    std::string id;
    /// The scenario as written: a catalog name ("banner-missing") or a file path.
    std::string scenario;
    /// The scenario file that will be loaded into the mock.
    std::filesystem::path file;
    /// How long the step lasts.
    std::chrono::milliseconds duration{0};
};

/// A whole timeline.
struct timeline {
    /// The timeline's name (the file name when not given).
    std::string name;
    /// The steps, in order.
    std::vector<timeline_step> steps;

    /// The sum of the step durations.
    std::chrono::milliseconds total() const noexcept;
    /// The index of the step with this id, or -1.
    int find(std::string_view id) const noexcept;
};

/// A timeline or expectations mistake: file, line, column, key path and what is wrong.
class alerts_file_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses a timeline:
///   name: outage
///   steps:
///     - {id: warmup, scenario: healthy, for: 3s}
///     - {id: outage, scenario: banner-missing, for: 30s}
/// A scenario with a '/' or a .yaml/.yml/.json ending is a file relative to `base_dir`; any other
/// is a name in `catalog_dir`. Throws alerts_file_error.
timeline load_timeline(std::string_view text, std::string_view source_name,
                       const std::filesystem::path& base_dir,
                       const std::filesystem::path& catalog_dir);

/// Reads and parses a timeline file. Throws alerts_file_error.
timeline load_timeline_file(const std::filesystem::path& file,
                            const std::filesystem::path& catalog_dir);

} // namespace harness::alerts
