#include "harness/alerts/prometheus_live.hpp"

#include "config/duration.hpp"
#include "harness/alerts/document_reader.hpp"
#include "harness/alerts/timeline.hpp"

#include <algorithm>

namespace harness::alerts {
namespace {

// Divides the duration at `n` (when present) by `scale`, in place.
void scale_duration(const config::yaml_reader& rd, YAML::Node n, const std::string& path, int scale)
{
    if (!n) {
        return;
    }
    const auto d = rd.duration(n, path);
    auto scaled = d / scale;
    if (d.count() > 0 && scaled.count() == 0) {
        scaled = std::chrono::milliseconds(1);
    }
    n = config::format_duration(scaled);
}

std::string scaled(std::chrono::milliseconds d, int scale)
{
    return config::format_duration(std::max(d / scale, std::chrono::milliseconds(1)));
}

// The job's relabelling, with the monitor as the replacement of `__address__` and the user's
// first target as `instance`.
YAML::Node live_relabelling(const config::yaml_reader& rd, const YAML::Node& job,
                            const std::string& path, const prometheus_job& pj,
                            const std::string& monitor)
{
    YAML::Node out(YAML::NodeType::Sequence);
    bool addressed = false;
    if (const auto rules = job["relabel_configs"]; rules && rules.IsSequence()) {
        for (const auto& r : rules) {
            auto copy = YAML::Clone(r);
            if (copy.IsMap() && copy["target_label"] && copy["target_label"].IsScalar() &&
                copy["target_label"].Scalar() == "__address__") {
                copy["replacement"] = monitor;
                addressed = true;
            }
            out.push_back(copy);
        }
    }
    if (!addressed) {
        rd.fail(job, path + ".relabel_configs",
                "no relabelling sets __address__, so the job does not scrape an exporter");
    }
    YAML::Node instance;
    instance["target_label"] = "instance";
    instance["replacement"] = pj.instance;
    out.push_back(instance);
    return out;
}

YAML::Node live_job(const config::yaml_reader& rd, const YAML::Node& root, const prometheus_job& pj,
                    const live_endpoints& e, int scale)
{
    const auto jobs = root["scrape_configs"];
    for (std::size_t i = 0; jobs && jobs.IsSequence() && i < jobs.size(); ++i) {
        const auto j = jobs[i];
        if (!j.IsMap() || !j["job_name"] || j["job_name"].as<std::string>() != pj.name) {
            continue;
        }
        YAML::Node out;
        for (const auto& kv : j) {
            const auto key = kv.first.as<std::string>();
            const bool discovery = key.size() > 11 && key.ends_with("_sd_configs");
            if (!discovery && key != "static_configs" && key != "relabel_configs") {
                out[key] = YAML::Clone(kv.second);
            }
        }
        out["scrape_interval"] = scaled(pj.scrape_interval, scale);
        out["scrape_timeout"] = scaled(pj.scrape_timeout, scale);
        YAML::Node statics;
        statics["targets"].push_back(e.target);
        out["static_configs"].push_back(statics);
        out["relabel_configs"] =
            live_relabelling(rd, j, "scrape_configs[" + std::to_string(i) + ']', pj, e.monitor);
        return out;
    }
    rd.fail(root, "scrape_configs", "no job \"" + pj.name + '"');
}

} // namespace

std::string live_prometheus_config(std::string_view text, std::string_view source_name,
                                   const prometheus_job& job, const live_endpoints& endpoints,
                                   const std::vector<std::filesystem::path>& rule_files, int scale)
try {
    const auto rd = detail::document_reader(std::string(source_name));
    const auto root = rd.parse(text).node;
    rd.require_map(root, "");
    YAML::Node out;
    out["global"]["scrape_interval"] = scaled(job.scrape_interval, scale);
    out["global"]["scrape_timeout"] = scaled(job.scrape_timeout, scale);
    out["global"]["evaluation_interval"] = scaled(job.evaluation_interval, scale);
    if (const auto g = root["global"]; g && g.IsMap() && g["external_labels"]) {
        out["global"]["external_labels"] = YAML::Clone(g["external_labels"]);
    }
    for (const auto& f : rule_files) {
        out["rule_files"].push_back(f.string());
    }
    if (const auto a = root["alerting"]; a && a.IsMap() && a["alert_relabel_configs"]) {
        out["alerting"]["alert_relabel_configs"] = YAML::Clone(a["alert_relabel_configs"]);
    }
    YAML::Node am;
    am["static_configs"].push_back(YAML::Node());
    am["static_configs"][0]["targets"].push_back(endpoints.alertmanager);
    out["alerting"]["alertmanagers"].push_back(am);
    out["scrape_configs"].push_back(live_job(rd, root, job, endpoints, scale));
    YAML::Emitter e;
    e << out;
    return std::string(e.c_str()) + '\n';
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

std::string scaled_rule_file(std::string_view text, std::string_view source_name, int scale)
try {
    const auto rd = detail::document_reader(std::string(source_name));
    auto root = rd.parse(text).node;
    rd.require_map(root, "");
    auto groups = root["groups"];
    if (!groups || !groups.IsSequence()) {
        rd.fail(root, "groups", "expected a list of rule groups");
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto path = "groups[" + std::to_string(g) + ']';
        auto group = groups[g];
        rd.require_map(group, path);
        scale_duration(rd, group["interval"], path + ".interval", scale);
        auto rules = group["rules"];
        if (!rules || !rules.IsSequence()) {
            rd.fail(group, path + ".rules", "expected a list of rules");
        }
        for (std::size_t r = 0; r < rules.size(); ++r) {
            const auto rule = path + ".rules[" + std::to_string(r) + ']';
            rd.require_map(rules[r], rule);
            scale_duration(rd, rules[r]["for"], rule + ".for", scale);
            scale_duration(rd, rules[r]["keep_firing_for"], rule + ".keep_firing_for", scale);
        }
    }
    YAML::Emitter out;
    out << root;
    return std::string(out.c_str()) + '\n';
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

} // namespace harness::alerts
