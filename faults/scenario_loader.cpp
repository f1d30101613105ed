// Reading whole scenarios: the top-level keys, probe hints, expectations, files and catalogs.
#include "faults/scenario_loader.hpp"

#include "config/document_file.hpp"
#include "faults/detail/rule_reader.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

namespace faults {
namespace {

using config::field;
using config::yaml_reader;

bool valid_name(std::string_view name)
{
    if (name.empty() || name.size() > 64 || name.front() == '-' || name.front() == '.' ||
        name.back() == '-') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    });
}

std::vector<std::string_view> phase_names()
{
    std::vector<std::string_view> out;
    for (auto p : smtp::all_phases) {
        out.push_back(smtp::to_string(p));
    }
    return out;
}

std::vector<std::string_view> kind_names()
{
    std::vector<std::string_view> out;
    for (auto k : smtp::all_failure_kinds) {
        out.push_back(smtp::to_string(k));
    }
    return out;
}

// The name the probe greets with: one word of printable ASCII, as EHLO takes it.
std::string read_helo(const yaml_reader& in, const field& value)
{
    auto name = in.scalar(value);
    const bool word = !name.empty() && name.size() <= 255 &&
                      std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127; });
    if (!word) {
        in.fail(value, "helo is the name the probe greets with: one word of printable ASCII "
                       "characters, e.g. nostarttls.probe.example");
    }
    return name;
}

probe_hints read_probe(const yaml_reader& in, const field& f)
{
    probe_hints p;
    if (f.node.IsNull()) {
        return p;
    }
    auto entries =
        in.map(f, {"send", "starttls", "tls", "auth", "insecure", "quit_after", "warning",
                   "critical", "timeout", "connect_timeout", "command_timeout", "cert_days",
                   "verify", "verify_timeout", "max_delivery_time", "dnsbl", "helo", "mx"});
    for (auto& [key, value] : entries) {
        if (key == "send") {
            p.send = in.boolean(value);
        } else if (key == "starttls") {
            p.starttls = in.boolean(value);
        } else if (key == "tls") {
            p.tls = in.boolean(value);
        } else if (key == "auth") {
            p.auth = in.boolean(value);
        } else if (key == "insecure") {
            p.insecure = in.boolean(value);
        } else if (key == "quit_after") {
            const auto names = phase_names();
            p.quit_after = *smtp::parse_phase(names[in.choice(value, names)]);
        } else if (key == "warning") {
            p.warning = in.duration(value);
        } else if (key == "critical") {
            p.critical = in.duration(value);
        } else if (key == "timeout") {
            p.timeout = in.duration(value);
        } else if (key == "connect_timeout") {
            p.connect_timeout = in.duration(value);
        } else if (key == "command_timeout") {
            p.command_timeout = in.duration(value);
        } else if (key == "verify") {
            static constexpr std::string_view protocols[] = {"pop3", "imap"};
            p.verify = protocols[in.choice(value, {"pop3", "imap"})];
        } else if (key == "dnsbl") {
            p.dnsbl = in.boolean(value);
        } else if (key == "helo") {
            p.helo = read_helo(in, value);
        } else if (key == "mx") {
            p.mx = in.boolean(value);
        } else if (key == "verify_timeout") {
            p.verify_timeout = in.duration(value);
        } else if (key == "max_delivery_time") {
            p.max_delivery_time = in.duration(value);
        } else if (key == "cert_days") {
            // As --cert-days: "WARN" or "WARN,CRIT".
            const auto text = in.scalar(value);
            const auto comma = text.find(',');
            field part = value;
            part.node = YAML::Node(text.substr(0, comma));
            p.cert_days_warning = static_cast<int>(in.count(part, 36500));
            if (comma != std::string::npos) {
                part.node = YAML::Node(text.substr(comma + 1));
                p.cert_days_critical = static_cast<int>(in.count(part, 36500));
            }
        }
    }
    if (p.starttls && p.tls) {
        in.fail(entries.at("tls"), "starttls and tls are exclusive: TLS is either implicit or "
                                   "negotiated with STARTTLS");
    }
    if ((p.verify_timeout || p.max_delivery_time) && p.verify.empty()) {
        in.fail(f, "verify_timeout and max_delivery_time need verify: pop3 or imap");
    }
    if (!p.verify.empty() && !p.send) {
        in.fail(entries.at("verify"), "verify fetches the message the probe sends: it needs "
                                      "send: true");
    }
    if (p.warning && p.critical && *p.critical < *p.warning) {
        in.fail(entries.at("critical"), "critical must not be less than warning");
    }
    if (p.cert_days_warning && p.cert_days_critical &&
        *p.cert_days_critical > *p.cert_days_warning) {
        in.fail(entries.at("cert_days"), "the critical days must not exceed the warning days");
    }
    return p;
}

expectation read_expect(const yaml_reader& in, const field& f)
{
    expectation e;
    auto entries = in.map(f, {"status", "kind", "phase"});
    const auto status = entries.find("status");
    if (status == entries.end()) {
        in.fail(f, "expect needs status: OK, WARNING or CRITICAL (or a list of them)");
    }
    for (const auto& item : in.one_or_list(status->second)) {
        static constexpr std::string_view statuses[] = {"OK", "WARNING", "CRITICAL"};
        const auto index = in.choice(item, {"OK", "WARNING", "CRITICAL"});
        e.status.emplace_back(statuses[index]);
    }
    if (e.status.empty()) {
        in.fail(status->second, "status needs at least one of: OK, WARNING, CRITICAL");
    }
    if (auto it = entries.find("kind"); it != entries.end()) {
        const auto names = kind_names();
        e.kind = *smtp::parse_failure_kind(names[in.choice(it->second, names)]);
    }
    if (auto it = entries.find("phase"); it != entries.end()) {
        const auto names = phase_names();
        e.phase = *smtp::parse_phase(names[in.choice(it->second, names)]);
    }
    return e;
}

std::vector<rule> read_rules(const yaml_reader& in, const field& f)
{
    if (f.node.IsNull()) {
        return {};
    }
    if (!f.node.IsSequence()) {
        in.fail(f, "expected a list of rules (each '- when: ... do: ...'), got a " +
                       std::string(f.node.IsMap() ? "map" : "value"));
    }
    std::vector<rule> rules;
    std::vector<field> where;
    for (const auto& item : in.one_or_list(f)) {
        rules.push_back(detail::read_rule(in, item));
        where.push_back(item);
    }
    // Explicit ids must be unique; the others get the smallest free rN, in order.
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].id.empty()) {
            continue;
        }
        if (!seen.insert(rules[i].id).second) {
            auto id_field = in.map(where[i], {"id", "when", "do"}).at("id");
            in.fail(id_field, "duplicate rule id '" + rules[i].id + "'");
        }
    }
    assign_rule_ids(rules);
    return rules;
}

scenario read_scenario(const yaml_reader& in, const field& root)
{
    if (!root.node.IsDefined() || root.node.IsNull()) {
        in.fail(root, "the document is empty; expected a map with name, rules, ...");
    }
    auto entries = in.map(root, {"name", "summary", "description", "listener", "mailbox_listener",
                                 "probe", "expect", "rules"});
    scenario s;
    const auto name = entries.find("name");
    if (name == entries.end()) {
        in.fail(root, "a scenario needs name: a short kebab-case name, e.g. banner-missing");
    }
    s.name = in.scalar(name->second);
    if (!valid_name(s.name)) {
        in.fail(name->second, "bad name '" + s.name +
                                  "'; use 1 to 64 lower-case letters, digits, '-', '_' and '.', "
                                  "e.g. banner-missing");
    }
    if (auto it = entries.find("summary"); it != entries.end()) {
        s.summary = in.scalar(it->second);
    }
    if (auto it = entries.find("description"); it != entries.end()) {
        s.description = in.scalar(it->second);
    }
    if (auto it = entries.find("listener"); it != entries.end()) {
        static constexpr listener_state states[] = {listener_state::open, listener_state::closed,
                                                    listener_state::blackhole};
        s.listener = states[in.choice(it->second, {"open", "closed", "blackhole"})];
    }
    if (auto it = entries.find("mailbox_listener"); it != entries.end()) {
        // The mailbox services have no black hole: their fault is a service that is down.
        s.mailbox_listener = in.choice(it->second, {"open", "closed"}) == 0
                                 ? listener_state::open
                                 : listener_state::closed;
    }
    if (auto it = entries.find("probe"); it != entries.end()) {
        s.probe = read_probe(in, it->second);
    }
    if (auto it = entries.find("expect"); it != entries.end()) {
        s.expect = read_expect(in, it->second);
    }
    const auto rules = entries.find("rules");
    if (rules == entries.end()) {
        in.fail(root, "a scenario needs rules: a list of rules, or [] for none");
    }
    s.rules = read_rules(in, rules->second);
    return s;
}

} // namespace

scenario load_scenario(std::string_view text, std::string_view source_name)
{
    return detail::as_scenario_error([&] {
        const auto in = detail::scenario_reader(std::string(source_name));
        return read_scenario(in, in.parse(text));
    });
}

scenario load_scenario_file(const std::filesystem::path& file)
{
    return detail::as_scenario_error(
        [&] { return load_scenario(config::read_document_file(file), file.string()); });
}

std::vector<scenario> load_catalog(const std::filesystem::path& dir)
{
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
            files.push_back(entry.path());
        }
    }
    if (ec) {
        throw scenario_error(dir.string(), 0, 0, "", "cannot list the directory: " + ec.message());
    }
    std::sort(files.begin(), files.end());
    std::vector<scenario> out;
    std::set<std::string> names;
    for (const auto& file : files) {
        scenario s = load_scenario_file(file);
        if (s.name != file.stem().string()) {
            throw scenario_error(file.string(), 0, 0, "name",
                                 "the name '" + s.name + "' differs from the file name '" +
                                     file.stem().string() + "'");
        }
        if (!names.insert(s.name).second) {
            throw scenario_error(file.string(), 0, 0, "name",
                                 "another file already defines the scenario '" + s.name + "'");
        }
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace faults
