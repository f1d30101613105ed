#include "harness/alerts/alert_expectations.hpp"

#include "config/document_file.hpp"
#include "harness/alerts/document_reader.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"

namespace harness::alerts {
namespace {

time_window read_window(const config::yaml_reader& rd, const YAML::Node& n, const std::string& path)
{
    if (!n.IsSequence() || n.size() != 2) {
        rd.fail(n, path, "expected [FROM, TO], e.g. [2s, 12s]");
    }
    time_window w{rd.duration(n[0], path + "[0]"), rd.duration(n[1], path + "[1]")};
    if (w.from > w.to) {
        rd.fail(n, path, "FROM must not exceed TO");
    }
    return w;
}

// labels: {name: glob, ...}
void read_labels(const config::yaml_reader& rd, const YAML::Node& v, const std::string& p,
                 alert_expectation& e)
{
    rd.require_map(v, p);
    for (const auto& kv : v) {
        e.labels.emplace_back(kv.first.Scalar(), rd.scalar(kv.second, p + '.' + kv.first.Scalar()));
    }
}

// fires: {status, kind, phase, target, state_type, alertname, labels, severity}
void read_fires(const config::yaml_reader& rd, const YAML::Node& v, const std::string& p,
                alert_expectation& e)
{
    e.kind = expectation_kind::fires;
    if (!v.IsMap()) {
        rd.fail(v, p, "expected {status, kind, phase, target, state_type, alertname, labels}");
    }
    for (const auto& f : v) {
        auto fk = f.first.Scalar();
        auto fp = p + '.' + fk;
        if (fk == "labels") {
            read_labels(rd, f.second, fp, e);
            continue;
        }
        auto value = rd.scalar(f.second, fp);
        if (fk == "alertname") {
            e.alertname = value;
        } else if (fk == "severity") {
            e.labels.emplace_back("severity", value);
        } else if (fk == "status") {
            e.status = value;
        } else if (fk == "kind") {
            if (!smtp::parse_failure_kind(value)) {
                rd.fail(f.second, fp, "unknown failure kind \"" + value + "\"");
            }
            e.failure_kind = value;
        } else if (fk == "phase") {
            if (!smtp::parse_phase(value)) {
                rd.fail(f.second, fp, "unknown phase \"" + value + "\"");
            }
            e.phase = value;
        } else if (fk == "target") {
            e.target = value;
        } else if (fk == "state_type") {
            if (value != "HARD" && value != "SOFT") {
                rd.fail(f.second, fp, "expected HARD or SOFT, got \"" + value + "\"");
            }
            e.state_type = value;
        } else {
            rd.unknown_key(f.first, fp,
                           {"status", "kind", "phase", "target", "state_type", "alertname",
                            "labels", "severity"});
        }
    }
}

// quiet: true or flapping: true.
void read_flag_kind(const config::yaml_reader& rd, const YAML::Node& v, const std::string& p,
                    const std::string& key, expectation_kind kind, alert_expectation& e)
{
    if (!rd.boolean(v, p)) {
        rd.fail(v, p, "only " + key + ": true means something");
    }
    e.kind = kind;
}

void check_step(const config::yaml_reader& rd, const YAML::Node& v, const std::string& p,
                const std::string& step, const timeline& tl)
{
    if (tl.find(step) >= 0) {
        return;
    }
    std::string ids;
    for (const auto& s : tl.steps) {
        ids += (ids.empty() ? "" : ", ") + s.id;
    }
    rd.fail(v, p, "no step \"" + step + "\" in the timeline; steps: " + ids);
}

alert_expectation read_expectation(const config::yaml_reader& rd, const YAML::Node& n,
                                   const std::string& path, const timeline& tl)
{
    if (!n.IsMap()) {
        rd.fail(n, path, "expected a mapping");
    }
    alert_expectation e;
    int kinds = 0;
    for (const auto& kv : n) {
        auto key = kv.first.Scalar();
        auto p = path + '.' + key;
        const auto& v = kv.second;
        if (key == "name") {
            e.name = rd.scalar(v, p);
        } else if (key == "step") {
            e.step = rd.scalar(v, p);
            check_step(rd, v, p, e.step, tl);
        } else if (key == "fires") {
            ++kinds;
            read_fires(rd, v, p, e);
        } else if (key == "quiet") {
            ++kinds;
            read_flag_kind(rd, v, p, key, expectation_kind::quiet, e);
        } else if (key == "flapping") {
            ++kinds;
            read_flag_kind(rd, v, p, key, expectation_kind::flapping, e);
        } else if (key == "within") {
            e.within = read_window(rd, v, p);
        } else if (key == "resolves_within") {
            e.resolves_within = read_window(rd, v, p);
        } else if (key == "quiet_after") {
            e.quiet_after = rd.duration(v, p);
        } else if (key == "notifiers" || key == "notifies") {
            e.notifiers = rd.strings(v, p);
        } else if (key == "routed_to") {
            e.notifiers = rd.strings(v, p);
            e.only_these_notifiers = true;
        } else if (key == "severity") {
            e.labels.emplace_back("severity", rd.scalar(v, p));
        } else {
            rd.unknown_key(kv.first, p,
                           {"name", "step", "fires", "quiet", "flapping", "within",
                            "resolves_within", "quiet_after", "notifiers", "notifies", "routed_to",
                            "severity"});
        }
    }
    if (e.step.empty()) {
        rd.fail(n, path, "an expectation needs a step");
    }
    if (kinds != 1) {
        rd.fail(n, path, "an expectation needs exactly one of fires, quiet or flapping");
    }
    if (e.name.empty()) {
        e.name = e.step + (e.kind == expectation_kind::fires
                               ? " fires" + (e.alertname.empty() ? "" : ' ' + e.alertname)
                           : e.kind == expectation_kind::quiet ? " stays quiet"
                                                               : " flaps");
    }
    return e;
}

} // namespace

alert_expectations load_expectations(std::string_view text, std::string_view source_name,
                                     const timeline& tl)
try {
    const auto rd = detail::document_reader(std::string(source_name));
    auto root = rd.parse(text).node;
    if (!root.IsMap() || !root["expectations"] || !root["expectations"].IsSequence()) {
        rd.fail(root, "expectations", "expected a list under expectations");
    }
    alert_expectations out;
    auto list = root["expectations"];
    for (std::size_t i = 0; i < list.size(); ++i) {
        out.items.push_back(
            read_expectation(rd, list[i], "expectations[" + std::to_string(i) + ']', tl));
    }
    return out;
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

alert_expectations load_expectations_file(const std::filesystem::path& file, const timeline& tl)
try {
    return load_expectations(config::read_document_file(file), file.string(), tl);
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

} // namespace harness::alerts
