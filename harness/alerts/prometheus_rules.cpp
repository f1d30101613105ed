#include "harness/alerts/prometheus_rules.hpp"

#include "config/document_file.hpp"
#include "harness/alerts/document_reader.hpp"
#include "harness/alerts/timeline.hpp"

#include <algorithm>
#include <glob.h>
#include <map>
#include <set>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;
namespace pt = prometheus_text;

// rule_files entries: paths relative to the configuration, globs as Prometheus expands them.
std::vector<std::filesystem::path> rule_files(const config::yaml_reader& rd, const YAML::Node& n,
                                              const std::filesystem::path& base_dir)
{
    std::vector<std::filesystem::path> out;
    if (!n) {
        return out;
    }
    for (const auto& pattern : rd.strings(n, "rule_files")) {
        auto full = std::filesystem::path(pattern).is_absolute() ? std::filesystem::path(pattern)
                                                                 : base_dir / pattern;
        ::glob_t g{}; // a path without wildcards stays, so that a missing file is named
        if (::glob(full.c_str(), GLOB_NOCHECK, nullptr, &g) == 0) {
            for (std::size_t i = 0; i < g.gl_pathc; ++i) {
                out.emplace_back(g.gl_pathv[i]);
            }
        }
        ::globfree(&g);
    }
    return out;
}

bool probes(const YAML::Node& job)
{
    return job["metrics_path"] && job["metrics_path"].IsScalar() &&
           job["metrics_path"].Scalar() == "/probe";
}

void read_job(const config::yaml_reader& rd, const YAML::Node& job, const std::string& path,
              prometheus_job& out)
{
    out.name = rd.scalar(job["job_name"], path + ".job_name");
    if (job["scrape_interval"]) {
        out.scrape_interval = rd.duration(job["scrape_interval"], path + ".scrape_interval");
    }
    if (job["scrape_timeout"]) {
        out.scrape_timeout = rd.duration(job["scrape_timeout"], path + ".scrape_timeout");
    }
    if (const auto params = job["params"]; params && params.IsMap() && params["module"]) {
        auto names = rd.strings(params["module"], path + ".params.module");
        out.module = names.empty() ? std::string() : names.front();
    }
    const auto statics = job["static_configs"];
    if (statics && statics.IsSequence()) {
        for (const auto& s : statics) {
            if (s["targets"] && s["targets"].IsSequence() && s["targets"].size() > 0) {
                out.instance = rd.scalar(s["targets"][0], path + ".static_configs.targets[0]");
                break;
            }
        }
    }
    if (out.instance.empty()) {
        rd.fail(job, path, "the job has no static target to stand for the probed service");
    }
}

} // namespace

prometheus_job load_prometheus_job(std::string_view text, std::string_view source_name,
                                   const std::filesystem::path& base_dir, const std::string& job)
try {
    const auto rd = detail::document_reader(std::string(source_name));
    const auto root = rd.parse(text).node;
    rd.require_map(root, "");
    prometheus_job out;
    const auto global = root["global"];
    if (global && global["scrape_interval"]) {
        out.scrape_interval = rd.duration(global["scrape_interval"], "global.scrape_interval");
    }
    if (global && global["scrape_timeout"]) {
        out.scrape_timeout = rd.duration(global["scrape_timeout"], "global.scrape_timeout");
    }
    if (global && global["evaluation_interval"]) {
        out.evaluation_interval =
            rd.duration(global["evaluation_interval"], "global.evaluation_interval");
    }
    out.rule_files = rule_files(rd, root["rule_files"], base_dir);
    const auto jobs = root["scrape_configs"];
    if (!jobs || !jobs.IsSequence()) {
        rd.fail(root, "scrape_configs", "expected a list of scrape jobs");
    }
    std::string names;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const auto& j = jobs[i];
        const auto name = j["job_name"] && j["job_name"].IsScalar() ? j["job_name"].Scalar() : "";
        names += (names.empty() ? "" : ", ") + name;
        if (job.empty() ? probes(j) : name == job) {
            read_job(rd, j, "scrape_configs[" + std::to_string(i) + ']', out);
            if (out.rule_files.empty()) {
                rd.fail(root, "rule_files",
                        "no rule file: the configuration has no rules to prove");
            }
            return out;
        }
    }
    rd.fail(jobs, "scrape_configs",
            job.empty() ? "no job with metrics_path /probe; jobs: " + names
                        : "no job \"" + job + "\"; jobs: " + names);
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

prometheus_job load_prometheus_job_file(const std::filesystem::path& file, const std::string& job)
try {
    return load_prometheus_job(config::read_document_file(file), file.string(), file.parent_path(),
                               job);
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

void scraped_series::add_scrape(const prometheus_job& job, const std::vector<pt::sample>& got,
                                bool up)
{
    std::map<std::string, std::string> now; // selector -> value
    now["up{instance=\"" + pt::label_value(job.instance) + "\",job=\"" + pt::label_value(job.name) +
        "\"}"] = up ? "1" : "0";
    for (const auto& s : got) {
        auto labels = s.labels;
        labels.emplace_back("job", job.name);
        labels.emplace_back("instance", job.instance);
        std::sort(labels.begin(), labels.end());
        std::string sel = s.name + '{';
        for (const auto& [k, v] : labels) {
            sel += (sel.back() == '{' ? "" : ",") + k + "=\"" + pt::label_value(v) + '"';
        }
        // promtool's series notation: Inf and NaN without a sign for the positive ones.
        now[sel + '}'] = s.value == "+Inf" ? "Inf" : s.value;
    }
    for (auto& s : series_) {
        auto it = now.find(s.selector);
        if (it != now.end()) {
            s.values.push_back(it->second);
            now.erase(it);
        } else {
            // A series a scrape no longer returns is marked stale, as Prometheus marks it, so
            // that it ends at once instead of lingering for the 5-minute lookback.
            const auto& last = s.values.back();
            s.values.push_back(last == "_" || last == "stale" ? "_" : "stale");
        }
    }
    for (auto& [sel, value] : now) {
        series new_series{sel, std::vector<std::string>(scrapes_, "_")};
        new_series.values.push_back(value);
        series_.push_back(std::move(new_series));
    }
    ++scrapes_;
}

std::string scraped_series::input_series_yaml() const
{
    std::string out;
    for (const auto& s : series_) {
        std::string sel;
        for (char c : s.selector) {
            sel += c == '\'' ? std::string("''") : std::string(1, c);
        }
        out += "      - series: '" + sel + "'\n        values: '";
        for (std::size_t i = 0; i < s.values.size(); ++i) {
            out += (i == 0 ? "" : " ") + s.values[i];
        }
        out += "'\n";
    }
    return out;
}

std::string promtool_test_document(const prometheus_job& job, const scraped_series& series,
                                   std::size_t evaluations)
{
    const auto secs = [](ms d) {
        return std::to_string(d.count()) + "ms";
    };
    std::string out = "rule_files:\n";
    for (const auto& f : job.rule_files) {
        out += "  - '" + std::filesystem::absolute(f).string() + "'\n";
    }
    out += "evaluation_interval: " + secs(job.evaluation_interval) +
           "\ntests:\n  - interval: " + secs(job.scrape_interval) + "\n    input_series:\n" +
           series.input_series_yaml() + "    promql_expr_test:\n";
    for (std::size_t i = 0; i < evaluations; ++i) {
        out += "      - expr: 'label_replace(ALERTS{alertstate=\"firing\"}, \"smtph_eval\", \"" +
               std::to_string(i) + "\", \"\", \"\")'\n        eval_time: " +
               secs(job.evaluation_interval * static_cast<ms::rep>(i)) +
               "\n        exp_samples: []\n";
    }
    return out;
}

std::vector<std::vector<pt::label_set>> firing_from_promtool(std::string_view output,
                                                             std::size_t evaluations)
{
    std::vector<std::vector<pt::label_set>> out(evaluations);
    for (auto at = output.find("got: {"); at != std::string_view::npos;
         at = output.find("got: {", at)) {
        at += 5;
        // "{...} 1E+00, {...} 1E+00": label sets, each followed by its value.
        while (at < output.size() && output[at] == '{') {
            pt::label_set labels;
            auto after = pt::parse_label_set(output, at, labels);
            if (!after) {
                break;
            }
            at = *after;
            auto next = output.find_first_of("{\n", at);
            at = next == std::string_view::npos ? output.size() : next;
            std::optional<std::size_t> eval;
            pt::label_set alert;
            for (auto& [k, v] : labels) {
                if (k == "smtph_eval") {
                    eval = static_cast<std::size_t>(std::stoul(v));
                } else if (k != "__name__" && k != "alertstate") {
                    alert.emplace_back(std::move(k), std::move(v));
                }
            }
            if (eval && *eval < evaluations) {
                out[*eval].push_back(std::move(alert));
            }
        }
    }
    return out;
}

std::vector<alert_episode> alert_episodes(const std::vector<std::vector<pt::label_set>>& firing,
                                          ms interval)
{
    std::vector<alert_episode> out;
    std::map<pt::label_set, std::size_t> open; // labels -> index in out
    for (std::size_t i = 0; i < firing.size(); ++i) {
        const auto t = interval * static_cast<ms::rep>(i);
        std::set<pt::label_set> now(firing[i].begin(), firing[i].end());
        for (auto it = open.begin(); it != open.end();) {
            if (now.count(it->first) == 0) {
                out[it->second].resolved = t;
                it = open.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& labels : now) {
            if (open.count(labels) == 0) {
                open[labels] = out.size();
                out.push_back(alert_episode{labels, t, std::nullopt});
            }
        }
    }
    return out;
}

std::string labels_text(const pt::label_set& labels)
{
    std::string out;
    for (const auto& [k, v] : labels) {
        out += (out.empty() ? "" : ", ") + k + "=\"" + pt::label_value(v) + '"';
    }
    return out;
}

std::vector<captured_alert>
routed_alerts(const std::vector<alert_episode>& episodes,
              const std::function<std::vector<std::string>(const pt::label_set&)>& route)
{
    std::vector<captured_alert> out;
    const auto label = [](const pt::label_set& l, std::string_view name) {
        auto it =
            std::find_if(l.begin(), l.end(), [&](const auto& kv) { return kv.first == name; });
        return it == l.end() ? std::string() : it->second;
    };
    for (const auto& e : episodes) {
        for (const auto& receiver : route(e.labels)) {
            captured_alert a;
            a.channel = "alertmanager";
            a.notifier = receiver;
            a.type = "problem";
            a.target = label(e.labels, "instance");
            a.status = label(e.labels, "severity");
            a.alertname = label(e.labels, "alertname");
            a.labels = e.labels;
            a.id = labels_text(e.labels);
            a.t = e.fired;
            out.push_back(a);
            if (e.resolved) {
                a.type = "recovery";
                a.status = "OK";
                a.t = *e.resolved;
                out.push_back(std::move(a));
            }
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const captured_alert& a, const captured_alert& b) { return a.t < b.t; });
    return out;
}

} // namespace harness::alerts
