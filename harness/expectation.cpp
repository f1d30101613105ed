#include "harness/expectation.hpp"

#include "config/document_file.hpp"
#include "config/yaml_reader.hpp"
#include "faults/scenario.hpp"
#include "harness/verdict.hpp"

#include <algorithm>
#include <stdexcept>

namespace harness {

namespace {

class entry_parser {
public:
    explicit entry_parser(std::string_view source)
        : in_(std::string(source))
    {
    }

    YAML::Node parse(std::string_view text) const { return in_.parse(text).node; }

    [[noreturn]] void fail(const YAML::Node& at, const std::string& path,
                           const std::string& message) const
    {
        in_.fail(at, path, message);
    }

    [[noreturn]] void unknown_key(const YAML::Node& key, const std::string& path,
                                  const std::vector<std::string_view>& accepted) const
    {
        in_.unknown_key(key, path, accepted);
    }

    // One scalar or a non-empty list of scalars.
    std::vector<std::string> names(const YAML::Node& node, const std::string& path) const
    {
        auto out = in_.strings(node, path);
        if (out.empty()) {
            fail(node, path, "expected a name or a non-empty list of names");
        }
        return out;
    }

    std::string scalar(const YAML::Node& node, const std::string& path) const
    {
        return in_.scalar(node, path);
    }

    expectation_entry entry(const YAML::Node& node, const std::string& path) const
    {
        expectation_entry e;
        if (node.IsNull()) {
            return e;
        }
        if (!node.IsMap()) {
            fail(node, path, "expected a map with status, kind, phase, expect_verdict or note");
        }
        for (const auto& kv : node) {
            const auto key = kv.first.as<std::string>();
            const auto& value = kv.second;
            const auto key_path = path + "." + key;
            if (key == "status") {
                std::vector<monitor_status> statuses;
                for (const auto& n : names(value, key_path)) {
                    auto s = parse_monitor_status(n);
                    if (!s) {
                        fail(value, key_path,
                             "unknown status '" + n +
                                 "' (expected OK, WARNING, CRITICAL or UNKNOWN)");
                    }
                    statuses.push_back(*s);
                }
                e.statuses = std::move(statuses);
            } else if (key == "kind") {
                const auto n = scalar(value, key_path);
                auto k = smtp::parse_failure_kind(n);
                if (!k) {
                    fail(value, key_path, "unknown failure kind '" + n + "'");
                }
                e.kind = *k;
            } else if (key == "phase") {
                const auto n = scalar(value, key_path);
                auto p = smtp::parse_phase(n);
                if (!p) {
                    fail(value, key_path, "unknown phase '" + n + "'");
                }
                e.phase = *p;
            } else if (key == "expect_verdict") {
                std::vector<verdict> verdicts;
                for (const auto& n : names(value, key_path)) {
                    auto v = parse_verdict(n);
                    if (!v) {
                        fail(value, key_path,
                             "unknown verdict '" + n +
                                 "' (expected caught, missed, misreported, false_alarm, passed, "
                                 "no_contact or error)");
                    }
                    verdicts.push_back(*v);
                }
                e.verdicts = std::move(verdicts);
            } else if (key == "note") {
                e.note = scalar(value, key_path);
            } else {
                unknown_key(kv.first, key_path,
                            {"status", "kind", "phase", "expect_verdict", "note"});
            }
        }
        return e;
    }

private:
    config::yaml_reader in_;
};

void apply(expected_outcome& out, const expectation_entry& e)
{
    if (e.statuses) {
        out.statuses = *e.statuses;
    }
    if (e.kind) {
        out.kind = e.kind;
    }
    if (e.phase) {
        out.phase = e.phase;
    }
    if (e.verdicts) {
        out.verdicts = *e.verdicts;
    }
    if (e.note) {
        out.note = *e.note;
    }
}

bool contains(const std::vector<monitor_status>& v, monitor_status s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

expectation_set parse_expectations(std::string_view text, std::string_view source_name)
{
    entry_parser parser(source_name);
    const YAML::Node root = parser.parse(text);
    expectation_set out;
    if (root.IsNull()) {
        return out;
    }
    if (!root.IsMap()) {
        parser.fail(root, "(document)", "expected a map with defaults and scenarios");
    }
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        if (key == "defaults") {
            out.defaults = parser.entry(kv.second, "defaults");
        } else if (key == "scenarios") {
            if (kv.second.IsNull()) {
                continue;
            }
            if (!kv.second.IsMap()) {
                parser.fail(kv.second, "scenarios", "expected a map of scenario names");
            }
            for (const auto& s : kv.second) {
                const auto name = s.first.as<std::string>();
                out.scenarios[name] = parser.entry(s.second, "scenarios." + name);
            }
        } else {
            parser.unknown_key(kv.first, key, {"defaults", "scenarios"});
        }
    }
    return out;
}

expectation_set load_expectations(const std::filesystem::path& file)
{
    return parse_expectations(config::read_document_file(file), file.string());
}

expected_outcome resolve_expectation(const faults::scenario& s, bool monitor_names_kinds,
                                     const expectation_set* file)
{
    const bool healthy = is_healthy_name(s.name);
    expected_outcome out;
    const bool own = s.expect.has_value();
    if (own) {
        for (const auto& name : s.expect->status) {
            if (auto st = parse_monitor_status(name)) {
                out.statuses.push_back(*st);
            }
        }
        // Only a monitor that names kinds and phases can be held to the scenario's.
        if (monitor_names_kinds) {
            out.kind = s.expect->kind;
            out.phase = s.expect->phase;
        }
    } else if (healthy) {
        out.statuses = {monitor_status::ok};
    } else {
        out.statuses = {monitor_status::warning, monitor_status::critical};
    }
    if (file != nullptr) {
        // The file's defaults describe the monitor it was written for; they are not applied to
        // a healthy scenario, nor over the own `expect` the built-in probe was written to meet.
        if (!(own && monitor_names_kinds)) {
            auto defaults = file->defaults;
            if (healthy) {
                defaults.statuses.reset();
                defaults.kind.reset();
                defaults.phase.reset();
                defaults.verdicts.reset();
                defaults.note.reset();
            }
            apply(out, defaults);
        }
        if (auto it = file->scenarios.find(s.name); it != file->scenarios.end()) {
            apply(out, it->second);
        }
    }
    if (out.verdicts.empty()) {
        // OK alone acceptable: the service works, and the only right answer is OK.
        const bool only_ok = out.statuses == std::vector<monitor_status>{monitor_status::ok};
        if (healthy || only_ok) {
            out.verdicts = {verdict::passed};
        } else if (contains(out.statuses, monitor_status::ok)) {
            out.verdicts = {verdict::caught, verdict::passed};
        } else {
            out.verdicts = {verdict::caught};
        }
    }
    return out;
}

std::vector<std::string> unknown_scenarios(const expectation_set& file,
                                           const std::vector<std::string>& known)
{
    std::vector<std::string> out;
    for (const auto& [name, entry] : file.scenarios) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            out.push_back(name);
        }
    }
    return out;
}

} // namespace harness
