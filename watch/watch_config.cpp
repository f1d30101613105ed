#include "watch/watch_config.hpp"

#include "config/document_file.hpp"
#include "config/yaml_reader.hpp"
#include "prober/probe_options_table.hpp"
#include "prober/probe_options_yaml.hpp"
#include "prober/target.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <set>

namespace watch {
namespace {

// The shared reader; its config::error becomes a config_error at the two entry points below.
using reader = config::yaml_reader;

// Durations as the probe's flags write them ("30s", "250ms", "4h", bare seconds).
const config::duration_syntax watch_durations{&prober::parse_duration, "30s, 250ms, 2m or 4h",
                                              std::chrono::milliseconds::max()};

// Keys are written with '_' or '-' alike ("connect_timeout", "connect-timeout").
std::string normal_key(std::string key)
{
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

std::string join(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

// Where `n` is, for the probe options table.
prober::option_origin origin(const reader& rd, const YAML::Node& n, const std::string& path)
{
    return prober::yaml_origin(rd, n, path);
}

// A probe option (prober/probe_options_table.hpp); false when `key` is not one.
bool apply_probe_key(const reader& rd, prober::probe_options_builder& b, const std::string& key,
                     const YAML::Node& v, const std::string& path)
{
    return prober::set_probe_option(rd, b, key, v, path);
}

flap_settings read_flap(const reader& rd, flap_settings f, const YAML::Node& n,
                        const std::string& path)
{
    if (n.IsScalar()) {
        f.enabled = rd.boolean(n, path);
        return f;
    }
    rd.require_map(n, path);
    for (const auto& kv : n) {
        auto key = normal_key(kv.first.Scalar());
        auto p = path + '.' + key;
        if (key == "enabled") {
            f.enabled = rd.boolean(kv.second, p);
        } else if (key == "window") {
            f.window = static_cast<std::size_t>(rd.integer(kv.second, p, 3, 1000));
        } else if (key == "high") {
            f.high = rd.number(kv.second, p, 0, 100);
        } else if (key == "low") {
            f.low = rd.number(kv.second, p, 0, 100);
        } else {
            rd.unknown_key(kv.first, p, {"enabled", "window", "high", "low"});
        }
    }
    if (f.low > f.high) {
        rd.fail(n, path, "low must not exceed high");
    }
    return f;
}

// A check setting; false when `key` is not one.
bool apply_check_key(const reader& rd, check_settings& c, bool& retry_given, const std::string& key,
                     const YAML::Node& v, const std::string& path)
{
    if (key == "interval") {
        c.interval = rd.duration(v, path);
        if (c.interval.count() == 0) {
            rd.fail(v, path, "must be more than 0");
        }
    } else if (key == "retry_interval") {
        c.retry_interval = rd.duration(v, path);
        if (c.retry_interval.count() == 0) {
            rd.fail(v, path, "must be more than 0");
        }
        retry_given = true;
    } else if (key == "max_check_attempts") {
        c.max_check_attempts = static_cast<int>(rd.integer(v, path, 1, 100));
    } else if (key == "renotify_interval") {
        c.renotify_interval = rd.duration(v, path);
    } else if (key == "notify_recovery") {
        c.notify_recovery = rd.boolean(v, path);
    } else if (key == "flap") {
        c.flap = read_flap(rd, c.flap, v, path);
    } else {
        return false;
    }
    return true;
}

// The keys a target may have (`host` and `name` only when `target`): the probe options, then
// the check settings.
std::vector<std::string_view> target_keys(bool target)
{
    std::vector<std::string_view> keys;
    if (target) {
        keys = {"host", "name"};
    }
    for (const auto& option : prober::probe_option_table()) {
        keys.push_back(option.name);
    }
    for (std::string_view key : {"interval", "retry_interval", "max_check_attempts",
                                 "renotify_interval", "notify_recovery", "flap"}) {
        keys.push_back(key);
    }
    return keys;
}

struct defaults {
    prober::probe_options_builder probe;
    check_settings check;
    bool retry_given = false;
};

defaults read_defaults(const reader& rd, const YAML::Node& n)
{
    defaults d;
    if (!n) {
        return d;
    }
    rd.require_map(n, "defaults");
    for (const auto& kv : n) {
        auto key = normal_key(kv.first.Scalar());
        auto path = "defaults." + key;
        if (!apply_probe_key(rd, d.probe, key, kv.second, path) &&
            !apply_check_key(rd, d.check, d.retry_given, key, kv.second, path)) {
            rd.unknown_key(kv.first, path, target_keys(false));
        }
    }
    return d;
}

target_config read_target(const reader& rd, const defaults& d, const YAML::Node& n,
                          const std::string& path)
{
    rd.require_map(n, path);
    target_config t;
    auto probe = d.probe;
    t.check = d.check;
    bool retry_given = d.retry_given;
    if (!n["host"]) {
        rd.fail(n, path, "a target needs a host");
    }
    prober::target_address address;
    for (const auto& kv : n) {
        auto key = normal_key(kv.first.Scalar());
        auto p = path + '.' + key;
        if (key == "host") {
            auto text = rd.scalar(kv.second, p);
            auto parsed = prober::parse_target(text);
            if (!parsed) {
                rd.fail(kv.second, p, "expected HOST or HOST:PORT, got \"" + text + "\"");
            }
            address = *parsed;
        } else if (key == "name") {
            t.name = rd.scalar(kv.second, p);
        } else if (!apply_probe_key(rd, probe, key, kv.second, p) &&
                   !apply_check_key(rd, t.check, retry_given, key, kv.second, p)) {
            rd.unknown_key(kv.first, p, target_keys(true));
        }
    }
    if (!retry_given) {
        t.check.retry_interval = t.check.interval;
    }
    t.probe = probe.build(origin(rd, n, path));
    t.probe.host = address.host;
    if (address.port != 0 && !probe.given("port")) {
        t.probe.port = address.port;
    }
    if (t.name.empty()) {
        auto host =
            t.probe.host.find(':') != std::string::npos ? '[' + t.probe.host + ']' : t.probe.host;
        t.name = host + ':' + std::to_string(t.probe.effective_port());
    }
    return t;
}

retry_policy read_retry(const reader& rd, const YAML::Node& n, const std::string& path)
{
    retry_policy r;
    rd.require_map(n, path);
    for (const auto& kv : n) {
        auto key = normal_key(kv.first.Scalar());
        auto p = path + '.' + key;
        if (key == "attempts") {
            r.attempts = static_cast<int>(rd.integer(kv.second, p, 1, 1000));
        } else if (key == "backoff") {
            r.backoff = rd.duration(kv.second, p);
        } else if (key == "max_backoff") {
            r.max_backoff = rd.duration(kv.second, p);
        } else if (key == "multiplier") {
            r.multiplier = rd.number(kv.second, p, 1.0, 100.0);
        } else {
            rd.unknown_key(kv.first, p, {"attempts", "backoff", "max_backoff", "multiplier"});
        }
    }
    return r;
}

// A webhook's own key; false when `key` is not one.
bool apply_webhook_key(const reader& rd, webhook_settings& w, const std::string& key,
                       const YAML::Node& v, const std::string& p)
{
    if (key == "url") {
        w.url = rd.scalar(v, p);
        if (!w.url.starts_with("http://") && !w.url.starts_with("https://")) {
            rd.fail(v, p, "expected an http:// or https:// URL");
        }
    } else if (key == "ca_file") {
        w.ca_file = rd.scalar(v, p);
    } else if (key == "format") {
        auto f = rd.scalar(v, p);
        if (f == "json") {
            w.format = webhook_format::json;
        } else if (f == "alertmanager") {
            w.format = webhook_format::alertmanager;
        } else {
            rd.fail(v, p, "expected json or alertmanager");
        }
    } else if (key == "headers") {
        rd.require_map(v, p);
        for (const auto& h : v) {
            w.headers.emplace_back(h.first.Scalar(),
                                   rd.scalar(h.second, p + '.' + h.first.Scalar()));
        }
    } else {
        return false;
    }
    return true;
}

// An e-mail notifier's own key; false when `key` is not one.
bool apply_email_key(const reader& rd, email_settings& m, const std::string& key,
                     const YAML::Node& v, const std::string& p)
{
    if (key == "server") {
        auto text = rd.scalar(v, p);
        auto address = prober::parse_target(text);
        if (!address) {
            rd.fail(v, p, "expected HOST[:PORT]");
        }
        m.host = address->host;
        m.port = address->port != 0 ? address->port : 25;
    } else if (key == "starttls") {
        m.starttls = rd.boolean(v, p);
    } else if (key == "insecure") {
        m.insecure = rd.boolean(v, p);
    } else if (key == "ca_file") {
        m.ca_file = rd.scalar(v, p);
    } else if (key == "auth") {
        auto s = rd.scalar(v, p);
        auto colon = s.find(':');
        if (colon == std::string::npos || colon == 0) {
            rd.fail(v, p, "expected USER:PASS");
        }
        m.auth = prober::auth_credentials{s.substr(0, colon), s.substr(colon + 1)};
    } else if (key == "from") {
        m.from = rd.scalar(v, p);
    } else if (key == "to") {
        m.to = rd.strings(v, p);
    } else if (key == "helo") {
        m.helo = rd.scalar(v, p);
    } else if (key == "subject_prefix") {
        m.subject_prefix = rd.scalar(v, p);
    } else {
        return false;
    }
    return true;
}

notifier_kind read_notifier_type(const reader& rd, const YAML::Node& n, const std::string& path)
{
    if (!n["type"]) {
        rd.fail(n, path, "a notifier needs a type: webhook, email or exec");
    }
    auto type = rd.scalar(n["type"], path + ".type");
    if (type == "webhook") {
        return notifier_kind::webhook;
    }
    if (type == "email") {
        return notifier_kind::email;
    }
    if (type != "exec") {
        rd.fail(n["type"], path + ".type", "expected webhook, email or exec, got \"" + type + "\"");
    }
    return notifier_kind::exec;
}

// A key of the notifier's kind; false when `key` is none.
bool apply_kind_key(const reader& rd, notifier_config& c, const std::string& key,
                    const YAML::Node& v, const std::string& p)
{
    switch (c.kind) {
    case notifier_kind::webhook:
        return apply_webhook_key(rd, c.webhook, key, v, p);
    case notifier_kind::email:
        return apply_email_key(rd, c.email, key, v, p);
    case notifier_kind::exec:
        if (key != "command") {
            return false;
        }
        c.exec.command = rd.strings(v, p);
        return true;
    }
    return false;
}

std::vector<std::string_view> notifier_keys(notifier_kind kind)
{
    switch (kind) {
    case notifier_kind::webhook:
        return {"name", "type", "timeout", "retry", "url", "ca_file", "format", "headers"};
    case notifier_kind::email:
        return {"name",    "type", "timeout", "retry", "server", "starttls",      "insecure",
                "ca_file", "auth", "from",    "to",    "helo",   "subject_prefix"};
    case notifier_kind::exec:
        return {"name", "type", "timeout", "retry", "command"};
    }
    return {};
}

notifier_config read_notifier(const reader& rd, const YAML::Node& n, const std::string& path)
{
    rd.require_map(n, path);
    notifier_config c;
    if (!n["name"]) {
        rd.fail(n, path, "a notifier needs a name");
    }
    c.kind = read_notifier_type(rd, n, path);
    for (const auto& kv : n) {
        auto key = normal_key(kv.first.Scalar());
        auto p = path + '.' + key;
        const auto& v = kv.second;
        if (key == "name") {
            c.name = rd.scalar(v, p);
        } else if (key == "timeout") {
            c.timeout = rd.duration(v, p);
        } else if (key == "retry") {
            c.retry = read_retry(rd, v, p);
        } else if (key != "type" && !apply_kind_key(rd, c, key, v, p)) {
            rd.unknown_key(kv.first, p, notifier_keys(c.kind));
        }
    }
    if (c.kind == notifier_kind::webhook && c.webhook.url.empty()) {
        rd.fail(n, path, "a webhook needs a url");
    }
    if (c.kind == notifier_kind::email && c.email.to.empty()) {
        rd.fail(n, path, "an email notifier needs at least one address in to");
    }
    if (c.kind == notifier_kind::exec && c.exec.command.empty()) {
        rd.fail(n, path, "an exec notifier needs a command");
    }
    return c;
}

route_config read_route(const reader& rd, const watch_config& cfg, const YAML::Node& n,
                        const std::string& path)
{
    rd.require_map(n, path);
    route_config r;
    for (const auto& kv : n) {
        auto key = normal_key(kv.first.Scalar());
        auto p = path + '.' + key;
        if (key == "match") {
            rd.require_map(kv.second, p);
            for (const auto& m : kv.second) {
                auto mkey = normal_key(m.first.Scalar());
                auto mp = p + '.' + mkey;
                auto values = rd.strings(m.second, mp);
                for (const auto& s : values) {
                    if (mkey == "type") {
                        if (s == "flapping") {
                            r.types.push_back(notification_type::flapping_start);
                            r.types.push_back(notification_type::flapping_stop);
                        } else if (auto t = parse_notification_type(s)) {
                            r.types.push_back(*t);
                        } else {
                            rd.fail(m.second, mp,
                                    "unknown type \"" + s +
                                        "\"; expected problem, recovery, flapping, "
                                        "flapping_start or flapping_stop");
                        }
                    } else if (mkey == "status") {
                        auto st = parse_status(s);
                        if (!st) {
                            rd.fail(m.second, mp,
                                    "unknown status \"" + s +
                                        "\"; expected OK, WARNING, CRITICAL or "
                                        "UNKNOWN");
                        }
                        r.status.push_back(*st);
                    } else if (mkey == "kind") {
                        auto k = smtp::parse_failure_kind(s);
                        if (!k) {
                            rd.fail(m.second, mp, "unknown failure kind \"" + s + "\"");
                        }
                        r.kind.push_back(*k);
                    } else if (mkey == "phase") {
                        auto ph = smtp::parse_phase(s);
                        if (!ph) {
                            rd.fail(m.second, mp, "unknown phase \"" + s + "\"");
                        }
                        r.phase.push_back(*ph);
                    } else if (mkey == "target") {
                        r.target.push_back(s);
                    } else {
                        rd.unknown_key(m.first, mp, {"type", "status", "kind", "phase", "target"});
                    }
                }
            }
        } else if (key == "notifiers") {
            r.notifiers = rd.strings(kv.second, p);
            for (const auto& name : r.notifiers) {
                if (cfg.find_notifier(name) == nullptr) {
                    std::vector<std::string> names;
                    for (const auto& nc : cfg.notifiers) {
                        names.push_back(nc.name);
                    }
                    rd.fail(kv.second, p,
                            "no notifier named \"" + name + "\"; defined: " + join(names));
                }
            }
        } else if (key == "continue") {
            r.continue_matching = rd.boolean(kv.second, p);
        } else {
            rd.unknown_key(kv.first, p, {"match", "notifiers", "continue"});
        }
    }
    if (r.notifiers.empty()) {
        rd.fail(n, path, "a route needs notifiers");
    }
    return r;
}

} // namespace

std::string_view to_string(notification_type t) noexcept
{
    switch (t) {
    case notification_type::problem:
        return "problem";
    case notification_type::recovery:
        return "recovery";
    case notification_type::flapping_start:
        return "flapping_start";
    case notification_type::flapping_stop:
        return "flapping_stop";
    }
    return "problem";
}

std::optional<notification_type> parse_notification_type(std::string_view name) noexcept
{
    for (auto t : {notification_type::problem, notification_type::recovery,
                   notification_type::flapping_start, notification_type::flapping_stop}) {
        if (to_string(t) == name) {
            return t;
        }
    }
    return std::nullopt;
}

std::optional<prober::probe_status> parse_status(std::string_view name) noexcept
{
    const std::string upper = smtp::to_upper(name);
    for (auto s : {prober::probe_status::ok, prober::probe_status::warning,
                   prober::probe_status::critical, prober::probe_status::unknown}) {
        if (to_string(s) == upper) {
            return s;
        }
    }
    return std::nullopt;
}

std::string_view to_string(notifier_kind k) noexcept
{
    switch (k) {
    case notifier_kind::webhook:
        return "webhook";
    case notifier_kind::email:
        return "email";
    case notifier_kind::exec:
        return "exec";
    }
    return "webhook";
}

const notifier_config* watch_config::find_notifier(std::string_view name) const noexcept
{
    for (const auto& n : notifiers) {
        if (n.name == name) {
            return &n;
        }
    }
    return nullptr;
}

watch_config load_watch_config(std::string_view text, std::string_view source_name,
                               const std::filesystem::path& base_dir)
try {
    reader rd{std::string(source_name), watch_durations};
    YAML::Node root = rd.parse(text).node;
    rd.require_map(root, "");
    watch_config cfg;
    cfg.source = std::string(source_name);
    static const std::set<std::string> top{"listen",  "allowed_hosts", "state_file", "defaults",
                                           "targets", "notifiers",     "routes"};
    for (const auto& kv : root) {
        auto key = normal_key(kv.first.Scalar());
        if (!top.contains(key)) {
            rd.unknown_key(kv.first, key,
                           {"listen", "allowed_hosts", "state_file", "defaults", "targets",
                            "notifiers", "routes"});
        }
    }
    auto d = read_defaults(rd, root["defaults"]);
    if (auto n = root["listen"]) {
        cfg.listen = n.IsNull() ? "" : rd.scalar(n, "listen");
    }
    if (auto n = root["allowed_hosts"]) {
        cfg.allowed_hosts = rd.strings(n, "allowed_hosts");
    }
    if (auto n = root["state_file"]) {
        std::filesystem::path p = rd.scalar(n, "state_file");
        cfg.state_file = (p.is_relative() && !base_dir.empty() ? base_dir / p : p).string();
    }
    auto targets = root["targets"];
    if (!targets || !targets.IsSequence() || targets.size() == 0) {
        rd.fail(targets ? targets : root, "targets", "expected a list of at least one target");
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        auto path = "targets[" + std::to_string(i) + ']';
        auto t = read_target(rd, d, targets[i], path);
        if (!names.insert(t.name).second) {
            rd.fail(targets[i], path, "duplicate target name \"" + t.name + "\"");
        }
        cfg.targets.push_back(std::move(t));
    }
    if (auto notifiers = root["notifiers"]) {
        if (!notifiers.IsSequence()) {
            rd.fail(notifiers, "notifiers", "expected a list");
        }
        std::set<std::string> seen;
        for (std::size_t i = 0; i < notifiers.size(); ++i) {
            auto path = "notifiers[" + std::to_string(i) + ']';
            auto n = read_notifier(rd, notifiers[i], path);
            if (!seen.insert(n.name).second) {
                rd.fail(notifiers[i], path, "duplicate notifier name \"" + n.name + "\"");
            }
            cfg.notifiers.push_back(std::move(n));
        }
    }
    if (auto routes = root["routes"]) {
        if (!routes.IsSequence()) {
            rd.fail(routes, "routes", "expected a list");
        }
        for (std::size_t i = 0; i < routes.size(); ++i) {
            cfg.routes.push_back(
                read_route(rd, cfg, routes[i], "routes[" + std::to_string(i) + ']'));
        }
    }
    return cfg;
} catch (const config::error& e) {
    throw config_error(e.what());
} catch (const prober::option_error& e) {
    throw config_error(e.what());
}

watch_config load_watch_config_file(const std::filesystem::path& file)
try {
    return load_watch_config(config::read_document_file(file), file.string(), file.parent_path());
} catch (const config::error& e) {
    throw config_error(e.what());
}

} // namespace watch
