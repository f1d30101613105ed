#include "harness/alerts/prometheus_live.hpp"

#include "config/duration.hpp"
#include "harness/alerts/document_reader.hpp"
#include "harness/alerts/timeline.hpp"
#include "io/http_target.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <set>

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
        out["scrape_timeout"] = config::format_duration(live_scrape_timeout(pj, scale));
        YAML::Node statics;
        statics["targets"].push_back(e.target);
        out["static_configs"].push_back(statics);
        out["relabel_configs"] =
            live_relabelling(rd, j, "scrape_configs[" + std::to_string(i) + ']', pj, e.monitor);
        return out;
    }
    rd.fail(root, "scrape_configs", "no job \"" + pj.name + '"');
}

// The route and its children with their timers divided by `scale`, in place.
void scale_route(const config::yaml_reader& rd, YAML::Node route, const std::string& path,
                 int scale)
{
    rd.require_map(route, path);
    for (const char* timer : {"group_wait", "group_interval", "repeat_interval"}) {
        scale_duration(rd, route[timer], path + '.' + timer, scale);
    }
    if (auto children = route["routes"]; children && children.IsSequence()) {
        for (std::size_t i = 0; i < children.size(); ++i) {
            scale_route(rd, children[i], path + ".routes[" + std::to_string(i) + ']', scale);
        }
    }
}

YAML::Node webhook_to(const std::string& url)
{
    YAML::Node hook;
    hook["url"] = url;
    hook["send_resolved"] = true;
    return hook;
}

// One receiver with its deliveries redirected to the capture.
YAML::Node live_receiver(const config::yaml_reader& rd, const YAML::Node& r,
                         const std::string& path, const live_capture& capture)
{
    rd.require_map(r, path);
    const auto name = rd.scalar(r["name"], path + ".name");
    const auto url = capture.hook_base_url + "/hook/" + name;
    YAML::Node out;
    out["name"] = name;
    bool elsewhere = false;
    for (const auto& kv : r) {
        const auto key = kv.first.as<std::string>();
        if (key == "name" || !kv.second.IsSequence() || kv.second.size() == 0) {
            continue;
        }
        if (key == "webhook_configs") {
            for (const auto& w : kv.second) {
                auto hook = YAML::Clone(w);
                hook.remove("url_file");
                hook.remove("http_config");
                hook["url"] = url;
                out["webhook_configs"].push_back(hook);
            }
        } else if (key == "email_configs") {
            for (const auto& m : kv.second) {
                auto mail = YAML::Clone(m);
                for (const char* k : {"auth_username", "auth_password", "auth_password_file",
                                      "auth_secret", "auth_identity", "tls_config"}) {
                    mail.remove(k);
                }
                mail["smarthost"] = capture.smarthost;
                mail["require_tls"] = false;
                mail["headers"][receiver_header] = "{{ .Receiver | urlquery }}";
                mail["headers"][alerts_header] =
                    "{{ range .Alerts }}{{ .Status }}:{{ range .Labels.SortedPairs }}"
                    "{{ .Name | urlquery }}={{ .Value | urlquery }},{{ end }};{{ end }}";
                out["email_configs"].push_back(mail);
            }
        } else {
            elsewhere = true;
        }
    }
    if (elsewhere) {
        out["webhook_configs"].push_back(webhook_to(url));
    }
    return out;
}

// The value of header `name` in a message's header section; empty when absent.
std::string header_value(std::string_view raw, std::string_view name)
{
    const auto headers = raw.substr(0, raw.find("\r\n\r\n")); // RFC 5322 §2.1
    for (std::size_t pos = 0; pos < headers.size();) {
        auto eol = headers.find("\r\n", pos);
        if (eol == std::string_view::npos) {
            eol = headers.size();
        }
        const auto line = headers.substr(pos, eol - pos);
        pos = eol + 2;
        const auto colon = line.find(':');
        if (colon != std::string_view::npos && smtp::iequals(line.substr(0, colon), name)) {
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') {
                value.remove_prefix(1);
            }
            return std::string(value);
        }
    }
    return {};
}

std::string decoded(std::string_view text)
{
    return io::http::percent_decode(text, true).value_or(std::string(text));
}

std::string label(const prometheus_text::label_set& l, std::string_view name)
{
    auto it = std::find_if(l.begin(), l.end(), [&](const auto& kv) { return kv.first == name; });
    return it == l.end() ? std::string() : it->second;
}

// One alert of Prometheus rules as captured: its labels, identity and status.
captured_alert prometheus_alert(prometheus_text::label_set labels, bool resolved)
{
    std::sort(labels.begin(), labels.end());
    captured_alert a;
    a.type = resolved ? "recovery" : "problem";
    a.alertname = label(labels, "alertname");
    a.target = label(labels, "instance");
    a.status = resolved ? "OK" : label(labels, "severity");
    a.id = labels_text(labels);
    a.labels = std::move(labels);
    return a;
}

} // namespace

std::chrono::milliseconds live_scrape_timeout(const prometheus_job& job, int scale)
{
    const auto interval = std::max(job.scrape_interval / scale, std::chrono::milliseconds(1));
    return std::min(job.scrape_timeout, interval);
}

std::chrono::milliseconds probe_timeout_offset(std::chrono::milliseconds timeout)
{
    return std::min(std::chrono::milliseconds(500), timeout / 5);
}

std::vector<captured_alert> alerts_from_alertmanager_email(std::string_view raw,
                                                           std::chrono::milliseconds t)
{
    std::vector<captured_alert> out;
    const auto list = header_value(raw, alerts_header);
    const auto receiver = decoded(header_value(raw, receiver_header));
    std::string_view rest = list;
    while (!rest.empty()) {
        const auto end = std::min(rest.find(';'), rest.size());
        const auto item = rest.substr(0, end);
        rest.remove_prefix(std::min(end + 1, rest.size()));
        const auto colon = item.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        prometheus_text::label_set labels;
        auto pairs = item.substr(colon + 1);
        while (!pairs.empty()) {
            const auto comma = std::min(pairs.find(','), pairs.size());
            const auto pair = pairs.substr(0, comma);
            pairs.remove_prefix(std::min(comma + 1, pairs.size()));
            if (const auto eq = pair.find('='); eq != std::string_view::npos) {
                labels.emplace_back(decoded(pair.substr(0, eq)), decoded(pair.substr(eq + 1)));
            }
        }
        auto a = prometheus_alert(std::move(labels), item.substr(0, colon) == "resolved");
        a.channel = "email";
        a.notifier = receiver;
        a.t = t;
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<captured_alert> alerts_from_prometheus(std::string_view body,
                                                   std::chrono::milliseconds t,
                                                   std::chrono::system_clock::time_point arrival)
{
    std::vector<captured_alert> out;
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    if (ec || !v.is_array()) {
        return out;
    }
    for (const auto& item : v.as_array()) {
        const auto* o = item.if_object();
        const auto* l = o != nullptr ? o->if_contains("labels") : nullptr;
        if (l == nullptr || !l->is_object()) {
            continue;
        }
        prometheus_text::label_set labels;
        for (const auto& [k, value] : l->as_object()) {
            if (value.is_string()) {
                labels.emplace_back(std::string(k), std::string(value.as_string()));
            }
        }
        std::optional<std::chrono::system_clock::time_point> ends;
        if (const auto* e = o->if_contains("endsAt"); e != nullptr && e->is_string()) {
            ends = parse_rfc3339(e->as_string());
        }
        auto a = prometheus_alert(std::move(labels), ends && *ends <= arrival);
        a.channel = "prometheus";
        a.notifier = "prometheus";
        a.t = t;
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<captured_alert> alert_transitions(std::vector<captured_alert> notifications)
{
    std::stable_sort(notifications.begin(), notifications.end(),
                     [](const captured_alert& a, const captured_alert& b) { return a.t < b.t; });
    std::set<std::pair<std::string, std::string>> firing; // (notifier, id)
    std::vector<captured_alert> out;
    for (auto& a : notifications) {
        const auto key = std::make_pair(a.notifier, a.id);
        if (a.type == "problem" && !firing.insert(key).second) {
            continue; // a repeat
        }
        if (a.type == "recovery" && firing.erase(key) == 0) {
            continue; // resolved again, or never seen firing
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::string live_alertmanager_config(std::string_view text, std::string_view source_name,
                                     const std::filesystem::path& base_dir,
                                     const live_capture& capture, int scale)
try {
    const auto rd = detail::document_reader(std::string(source_name));
    const auto root = rd.parse(text).node;
    rd.require_map(root, "");
    YAML::Node out;
    if (const auto g = root["global"]; g && g.IsMap()) {
        for (const char* k : {"smtp_from", "smtp_hello", "resolve_timeout"}) {
            if (g[k]) {
                out["global"][k] = YAML::Clone(g[k]);
            }
        }
        scale_duration(rd, out["global"]["resolve_timeout"], "global.resolve_timeout", scale);
    }
    out["global"]["smtp_smarthost"] = capture.smarthost;
    out["global"]["smtp_require_tls"] = false;
    if (const auto t = root["templates"]; t) {
        for (const auto& f : rd.strings(t, "templates")) {
            const auto p = std::filesystem::path(f);
            out["templates"].push_back((p.is_absolute() ? p : base_dir / p).string());
        }
    }
    if (!root["route"]) {
        rd.fail(root, "route", "the configuration has no route");
    }
    out["route"] = YAML::Clone(root["route"]);
    scale_route(rd, out["route"], "route", scale);
    for (const char* k : {"inhibit_rules", "time_intervals", "mute_time_intervals"}) {
        if (root[k]) {
            out[k] = YAML::Clone(root[k]);
        }
    }
    const auto receivers = root["receivers"];
    if (!receivers || !receivers.IsSequence()) {
        rd.fail(root, "receivers", "expected a list of receivers");
    }
    for (std::size_t i = 0; i < receivers.size(); ++i) {
        out["receivers"].push_back(
            live_receiver(rd, receivers[i], "receivers[" + std::to_string(i) + ']', capture));
    }
    YAML::Emitter e;
    e << out;
    return std::string(e.c_str()) + '\n';
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

std::string live_prometheus_config(std::string_view text, std::string_view source_name,
                                   const prometheus_job& job, const live_endpoints& endpoints,
                                   const std::vector<std::filesystem::path>& rule_files, int scale)
try {
    const auto rd = detail::document_reader(std::string(source_name));
    const auto root = rd.parse(text).node;
    rd.require_map(root, "");
    YAML::Node out;
    out["global"]["scrape_interval"] = scaled(job.scrape_interval, scale);
    out["global"]["scrape_timeout"] = config::format_duration(live_scrape_timeout(job, scale));
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
    if (!endpoints.alertmanager_path_prefix.empty()) {
        am["path_prefix"] = endpoints.alertmanager_path_prefix;
    }
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
