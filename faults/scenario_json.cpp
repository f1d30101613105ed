#include "faults/scenario_json.hpp"

#include "config/duration.hpp"
#include "faults/scenario_loader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

namespace faults {
namespace {

namespace json = boost::json;

// One value as itself, several as a list.
template <class T, class F> json::value one_or_list(const std::vector<T>& items, F&& convert)
{
    if (items.size() == 1) {
        return convert(items.front());
    }
    json::array out;
    for (const auto& item : items) {
        out.push_back(convert(item));
    }
    return out;
}

json::value to_json(std::chrono::milliseconds d)
{
    return json::string(config::format_duration(d));
}

json::object when_json(const rule_when& w)
{
    json::object o;
    if (!w.phases.empty()) {
        o["phase"] = one_or_list(
            w.phases, [](smtp::phase p) { return json::value(json::string(smtp::to_string(p))); });
    }
    if (w.command) {
        o["command"] = w.command->text();
    }
    if (w.argument) {
        o["argument"] = w.argument->text();
    }
    if (!w.connections.empty()) {
        // One ordinal is a number, as it was written (connections: 1); a range is text.
        o["connections"] = one_or_list(w.connections, [](const connection_range& r) {
            if (r.last == r.first && r.every == 1) {
                return json::value(r.first);
            }
            return json::value(json::string(r.to_string()));
        });
    }
    if (w.probability != 1.0) {
        o["probability"] = w.probability;
    }
    if (w.after) {
        o["after"] = to_json(*w.after);
    }
    if (w.until) {
        o["until"] = to_json(*w.until);
    }
    if (w.times) {
        o["times"] = *w.times;
    }
    if (!w.client.empty()) {
        o["client"] = one_or_list(w.client, [](const client_network& n) {
            return json::value(json::string(n.to_string()));
        });
    }
    return o;
}

json::object probe_json(const probe_hints& p)
{
    json::object o;
    if (p.send) {
        o["send"] = true;
    }
    if (p.starttls) {
        o["starttls"] = true;
    }
    if (p.tls) {
        o["tls"] = true;
    }
    if (p.auth) {
        o["auth"] = true;
    }
    if (p.insecure) {
        o["insecure"] = true;
    }
    if (!p.verify.empty()) {
        o["verify"] = p.verify;
    }
    if (p.dnsbl) {
        o["dnsbl"] = true;
    }
    if (!p.helo.empty()) {
        o["helo"] = p.helo;
    }
    if (p.mx) {
        o["mx"] = true;
    }
    if (p.quit_after) {
        o["quit_after"] = smtp::to_string(*p.quit_after);
    }
    const std::pair<const char*, const std::optional<std::chrono::milliseconds>*> durations[] = {
        {"warning", &p.warning},
        {"critical", &p.critical},
        {"timeout", &p.timeout},
        {"connect_timeout", &p.connect_timeout},
        {"command_timeout", &p.command_timeout},
        {"verify_timeout", &p.verify_timeout},
        {"max_delivery_time", &p.max_delivery_time},
    };
    for (const auto& [key, value] : durations) {
        if (*value) {
            o[key] = to_json(**value);
        }
    }
    if (p.cert_days_warning) {
        std::string days = std::to_string(*p.cert_days_warning);
        if (p.cert_days_critical) {
            days += "," + std::to_string(*p.cert_days_critical);
        }
        o["cert_days"] = days;
    }
    return o;
}

} // namespace

json::value to_json(const rule& r)
{
    json::object o;
    o["id"] = r.id;
    o["when"] = when_json(r.when);
    o["do"] = to_json(r.effects);
    return o;
}

json::value to_json(const rule_status& s)
{
    json::value v = to_json(s.definition);
    v.as_object()["fired"] = s.fired;
    if (!s.state.empty()) {
        v.as_object()["state"] = s.state;
    }
    return v;
}

json::value to_json(const scenario& s)
{
    json::object o;
    o["name"] = s.name;
    o["summary"] = s.summary;
    o["description"] = s.description;
    o["listener"] = to_string(s.listener);
    if (s.mailbox_listener != listener_state::open) {
        o["mailbox_listener"] = to_string(s.mailbox_listener);
    }
    o["probe"] = probe_json(s.probe);
    if (s.expect) {
        json::object e;
        json::array status;
        for (const auto& st : s.expect->status) {
            status.push_back(json::string(st));
        }
        e["status"] = std::move(status);
        if (s.expect->kind) {
            e["kind"] = smtp::to_string(*s.expect->kind);
        }
        if (s.expect->phase) {
            e["phase"] = smtp::to_string(*s.expect->phase);
        }
        o["expect"] = std::move(e);
    }
    json::array rules;
    for (const auto& r : s.rules) {
        rules.push_back(to_json(r));
    }
    o["rules"] = std::move(rules);
    return o;
}

scenario scenario_from_body(std::string_view body, std::string_view source_name)
{
    return load_scenario(body, source_name);
}

rule rule_from_body(std::string_view body, std::string_view source_name)
{
    return load_rule(body, source_name);
}

json::value error_json(const scenario_error& e)
{
    json::object inner;
    inner["code"] = "invalid_scenario";
    inner["message"] = e.what();
    inner["path"] = e.key_path;
    if (e.line > 0) {
        inner["line"] = e.line;
        inner["column"] = e.column;
    }
    return json::object{{"error", std::move(inner)}};
}

} // namespace faults
