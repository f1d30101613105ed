#include "harness/expectation.hpp"

#include "config/document_file.hpp"
#include "config/yaml_reader.hpp"
#include "faults/scenario.hpp"
#include "harness/verdict.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
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
            fail(node, path,
                 "expected a map with status, kind, phase, series, expect_verdict or note");
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
            } else if (auto c = series_key(key, value, key_path)) {
                if (!e.series) {
                    e.series.emplace();
                }
                e.series->insert(e.series->end(), c->begin(), c->end());
            } else {
                unknown_key(kv.first, key_path,
                            {"status", "kind", "phase", "series", "duration_at_least",
                             "cert_expires_within_days", "cert_expired", "expect_verdict", "note"});
            }
        }
        return e;
    }

private:
    // The conditions a series key stands for; nothing when `key` is not one.
    std::optional<std::vector<series_condition>>
    series_key(const std::string& key, const YAML::Node& value, const std::string& path) const
    {
        constexpr std::string_view expiry = "probe_ssl_earliest_cert_expiry";
        if (key == "series") {
            std::vector<series_condition> out;
            for (const auto& f : in_.one_or_list(config::yaml_reader::at(value, path))) {
                out.push_back(series(f));
            }
            return out;
        }
        series_condition c;
        if (key == "duration_at_least") {
            c.name = "probe_duration_seconds";
            c.op = series_op::ge;
            c.bound = static_cast<double>(in_.duration(value, path).count()) / 1000.0;
        } else if (key == "cert_expires_within_days") {
            c = {std::string(expiry), {}, series_op::lt, 0, true};
            c.bound = static_cast<double>(in_.integer(value, path, 0, 36500)) * 86400.0;
        } else if (key == "cert_expired") {
            c = {std::string(expiry), {}, series_op::lt, 0, true};
            c.op = in_.boolean(value, path) ? series_op::lt : series_op::ge;
        } else {
            return std::nullopt;
        }
        return std::vector<series_condition>{c};
    }

    // {name, labels, op, value}: name and op as Prometheus writes them; value a number, or
    // `now`, `now+DURATION`, `now-DURATION` for a Unix time relative to the check.
    series_condition series(const config::field& f) const
    {
        auto keys = in_.map(f, {"name", "labels", "op", "value"});
        for (const auto* required : {"name", "op", "value"}) {
            if (keys.find(required) == keys.end()) {
                in_.fail(f, std::string("a series needs '") + required +
                                "' (name, op and value; labels optional)");
            }
        }
        series_condition c;
        c.name = in_.scalar(keys.at("name"));
        if (auto it = keys.find("labels"); it != keys.end()) {
            in_.require_map(it->second);
            for (const auto& kv : it->second.node) {
                const auto label = kv.first.as<std::string>();
                c.labels.emplace_back(label,
                                      in_.scalar(config::yaml_reader::at(
                                          kv.second, config::key_path(it->second.path, label))));
            }
        }
        const auto op_name = in_.scalar(keys.at("op"));
        const auto op = parse_series_op(op_name);
        if (!op) {
            in_.fail(keys.at("op"), "unknown comparison '" + op_name +
                                        "' (expected <, <=, >, >=, == or !=; quote those "
                                        "starting with >)");
        }
        c.op = *op;
        bound(keys.at("value"), c);
        return c;
    }

    void bound(const config::field& f, series_condition& c) const
    {
        const auto text = in_.scalar(f);
        if (text.rfind("now", 0) != 0) {
            c.bound = in_.number(f);
            return;
        }
        c.from_now = true;
        if (text == "now") {
            return;
        }
        const auto offset = text.size() > 4 ? offset_seconds(text.substr(4)) : std::nullopt;
        if ((text[3] != '+' && text[3] != '-') || !offset) {
            in_.fail(f, "expected a number, now, or now+DURATION / now-DURATION (units: ms, "
                        "s, m, h, or whole days: d), got '" +
                            text + "'");
        }
        c.bound = *offset * (text[3] == '-' ? -1 : 1);
    }

    // A duration in seconds: the durations of every document, or whole days ("30d"), the unit
    // of certificate lifetimes.
    static std::optional<double> offset_seconds(std::string_view text)
    {
        if (text.back() == 'd') {
            std::uint32_t days = 0;
            const auto digits = text.substr(0, text.size() - 1);
            const auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), days);
            if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
                return std::nullopt;
            }
            return static_cast<double>(days) * 86400.0;
        }
        const auto d = config::parse_duration(text);
        if (!d) {
            return std::nullopt;
        }
        return static_cast<double>(d->count()) / 1000.0;
    }

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
    if (e.series) {
        out.series = *e.series;
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
                defaults.series.reset();
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
        // OK alone acceptable: the service works, and the only right answer is OK; unless
        // series are named, which are how the monitor reports this fault.
        const bool only_ok = out.statuses == std::vector<monitor_status>{monitor_status::ok};
        if (!healthy && !out.series.empty()) {
            out.verdicts = {verdict::caught};
        } else if (healthy || only_ok) {
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
