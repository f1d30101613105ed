#pragma once

// The one YAML reading layer. Every loader of a configuration document (scenarios and rules,
// harness expectations, watch configurations, alert timelines and expectations) reads through
// it, so every document gets the same guards, the same value syntax and the same errors:
// "file:line:column: key.path: message", with "did you mean" for a misspelt key or value.
//
//   config::yaml_reader in{"watch.yaml"};
//   config::field root = in.parse(text);                  // size, UTF-8, one document, tabs
//   auto entries = in.map(root, {"name", "rules"});       // unknown key: did you mean ...?
//   std::string name = in.scalar(entries.at("name"));
//   auto timeout = in.duration(entries.at("timeout"));    // "250ms", at most 24h by default
//
// Loaders that walk nodes themselves use the overloads taking (node, path).

#include "config/duration.hpp"
#include "config/error.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace config {

/// A value of a document together with where it is.
struct field {
    YAML::Node node;  ///< the value
    YAML::Mark mark;  ///< where it starts (the key's position when the value has none)
    std::string path; ///< its key path, e.g. "rules[0].when.phase"; empty for the root
};

/// How one kind of document writes durations.
struct duration_syntax {
    /// Reads a duration; nothing when the text is not one.
    std::optional<std::chrono::milliseconds> (*parse)(std::string_view text) = &parse_duration;
    /// Examples for error messages.
    std::string_view examples = "'250ms', '1.5s', '2m'";
    /// The longest duration accepted.
    std::chrono::milliseconds max = std::chrono::hours(24);
};

/// Reads typed values from one document, throwing config::error at the first mistake.
class yaml_reader {
public:
    /// `source` names the document in errors, e.g. a file path or "request body".
    explicit yaml_reader(std::string source, duration_syntax durations = {});

    /// Parses YAML (or JSON, which is YAML) text and returns its root, a null node when the
    /// document is empty. Refuses, with the position: text over max_document_size, text that is
    /// not UTF-8, a second document (yaml-cpp's multi-document parser can hang on malformed
    /// streams), and tabs in indentation.
    field parse(std::string_view text) const;

    /// Throws config::error at `f`.
    [[noreturn]] void fail(const field& f, const std::string& message) const;

    /// Checks `f` is a map whose keys are distinct names from `allowed`; returns its entries.
    std::map<std::string, field> map(const field& f,
                                     std::initializer_list<std::string_view> allowed) const;
    /// Like map(), over a list of names.
    std::map<std::string, field> map(const field& f,
                                     const std::vector<std::string_view>& allowed) const;
    /// Throws "unknown key 'x'; did you mean 'y'? expected one of: ..." at the key `key`.
    [[noreturn]] void unknown_key(const field& key,
                                  const std::vector<std::string_view>& accepted) const;
    /// Checks `f` is a map.
    void require_map(const field& f) const;

    /// The elements of a list, or `f` itself when it is a single value.
    std::vector<field> one_or_list(const field& f) const;
    /// A value or a list of values, as text.
    std::vector<std::string> strings(const field& f) const;

    /// A scalar as text.
    std::string scalar(const field& f) const;
    /// true or false (lower case, Capitalised or UPPER case); unquoted, also YAML 1.1's yes/no
    /// and on/off. A quoted "yes" (or JSON's) is a string, not a boolean.
    bool boolean(const field& f) const;
    /// A whole number from 0 to `max`.
    std::uint64_t count(const field& f,
                        std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const;
    /// A whole number from `lo` to `hi`.
    std::int64_t integer(const field& f, std::int64_t lo, std::int64_t hi) const;
    /// A finite decimal number (never inf or nan).
    double number(const field& f) const;
    /// A finite decimal number from `lo` to `hi`.
    double number(const field& f, double lo, double hi) const;
    /// A duration in this document's syntax, at most its maximum.
    std::chrono::milliseconds duration(const field& f) const;
    /// One of `accepted`; returns its index. A misspelling gets "did you mean".
    std::size_t choice(const field& f, std::initializer_list<std::string_view> accepted) const;
    /// Like choice(), over a list of names.
    std::size_t choice(const field& f, const std::vector<std::string_view>& accepted) const;

    /// Whether the scalar was written unquoted (so `1` is a number, `"1"` a string).
    static bool plain(const field& f);

    /// The field for `n` at `path`, positioned where `n` is.
    static field at(const YAML::Node& n, std::string path);

    /// The node-walking forms: `path` names `n` in errors.
    [[noreturn]] void fail(const YAML::Node& n, const std::string& path,
                           const std::string& message) const;
    /// unknown_key() for the key node `key` at `path`.
    [[noreturn]] void unknown_key(const YAML::Node& key, const std::string& path,
                                  const std::vector<std::string_view>& accepted) const;
    /// require_map() for `n` at `path`.
    void require_map(const YAML::Node& n, const std::string& path) const;
    /// scalar() for `n` at `path`.
    std::string scalar(const YAML::Node& n, const std::string& path) const;
    /// boolean() for `n` at `path`.
    bool boolean(const YAML::Node& n, const std::string& path) const;
    /// integer() for `n` at `path`.
    std::int64_t integer(const YAML::Node& n, const std::string& path, std::int64_t lo,
                         std::int64_t hi) const;
    /// number() for `n` at `path`.
    double number(const YAML::Node& n, const std::string& path, double lo, double hi) const;
    /// duration() for `n` at `path`.
    std::chrono::milliseconds duration(const YAML::Node& n, const std::string& path) const;
    /// strings() for `n` at `path`.
    std::vector<std::string> strings(const YAML::Node& n, const std::string& path) const;

    /// The source name.
    const std::string& source() const noexcept { return source_; }

private:
    std::string source_;
    duration_syntax durations_;
};

/// "a.b" from "a" and "b"; "b" when `path` is empty.
std::string key_path(const std::string& path, std::string_view key);

/// "a[3]" from "a" and 3.
std::string index_path(const std::string& path, std::size_t index);

} // namespace config
