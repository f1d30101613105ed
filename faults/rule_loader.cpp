// Reading and checking one rule: the `when` map, and the `do` map through the effects
// (faults/effects/).
#include "config/suggest.hpp"
#include "faults/detail/rule_reader.hpp"
#include "faults/limits.hpp"
#include "faults/scenario_loader.hpp"

#include <algorithm>
#include <boost/json/value.hpp>
#include <unordered_set>

namespace faults {
namespace detail {
namespace {

using config::field;
using config::yaml_reader;

// Every phase is one where something asks for a decision: the SMTP sessions at theirs, the
// DNS server at dns (per query), the POP3 and IMAP sessions at verify (the mailbox command as
// the verb).
const std::vector<std::string_view>& phase_names()
{
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (auto p : smtp::all_phases) {
            out.push_back(smtp::to_string(p));
        }
        return out;
    }();
    return names;
}

// At phase verify a POP3 or IMAP session carries out the rule: it can refuse the command
// (reply, 4xx temporary or 5xx permanent), send raw bytes, hang or close; nothing else.
std::optional<rule_problem> find_mailbox_problem(const rule& r)
{
    static const std::vector<std::string_view> allowed = {"reply", "raw", "hang", "close"};
    for (const auto& e : r.effects.items()) {
        if (std::find(allowed.begin(), allowed.end(), e->key()) == allowed.end()) {
            return rule_problem{"do." + std::string(e->key()),
                                "at phase verify a mailbox session can only reply, send raw "
                                "bytes, hang or close"};
        }
    }
    if (const auto* reply = r.effects.find("reply")) {
        const auto json = reply->to_json();
        const auto& first = json.is_array() ? json.as_array().front() : json;
        const auto text = first.is_string() ? std::string_view(first.as_string()) : "";
        if (text.empty() || (text.front() != '4' && text.front() != '5')) {
            return rule_problem{"do.reply", "at phase verify a reply refuses the mailbox command: "
                                            "give a 4xx (temporary) or 5xx (permanent) code"};
        }
    }
    return std::nullopt;
}

bool valid_rule_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

pattern read_pattern(const yaml_reader& in, const field& f)
{
    std::string why;
    auto p = pattern::compile(in.scalar(f), why);
    if (!p) {
        in.fail(f, why);
    }
    return std::move(*p);
}

template <class T, class Parse>
std::vector<T> read_items(const yaml_reader& in, const field& f, const std::string& empty,
                          Parse parse)
{
    const auto items = in.one_or_list(f);
    if (items.empty()) {
        in.fail(f, empty);
    }
    std::vector<T> out;
    for (const auto& item : items) {
        out.push_back(parse(item));
    }
    return out;
}

void read_phases(const yaml_reader& in, const field& f, rule_when& w)
{
    const auto phases = read_items<smtp::phase>(
        in, f,
        "an empty list of phases matches nothing; leave phase out to match every phase, or "
        "expected " +
            config::one_of(phase_names()),
        [&](const field& item) {
            const auto index = in.choice(item, phase_names());
            return *smtp::parse_phase(phase_names()[index]);
        });
    for (auto p : phases) {
        if (!w.has_phase(p)) {
            w.phases.push_back(p);
        }
    }
}

connection_range read_range(const yaml_reader& in, const field& item)
{
    const auto text = in.scalar(item);
    auto range = parse_connection_range(text);
    if (!range) {
        in.fail(item, "bad connection range '" + text +
                          "'; expected an ordinal from 1 ('3'), a range ('2-5', '3-') or "
                          "'every N' ('every 2', 'every 3 from 2')");
    }
    return *range;
}

client_network read_network(const yaml_reader& in, const field& item)
{
    const auto text = in.scalar(item);
    auto network = parse_client_network(text);
    if (!network) {
        in.fail(item, "bad CIDR block '" + text +
                          "'; expected an IPv4 or IPv6 address with an optional prefix length, "
                          "e.g. '127.0.0.0/8', '::1/128', '192.0.2.7'");
    }
    return *network;
}

void read_when(const yaml_reader& in, const field& f, rule_when& w, rule_marks& marks)
{
    auto entries = in.map(f, {"phase", "command", "argument", "connections", "probability", "after",
                              "until", "times", "client"});
    for (const auto& [key, value] : entries) {
        marks["when." + key] = value.mark;
    }
    if (auto it = entries.find("phase"); it != entries.end()) {
        read_phases(in, it->second, w);
    }
    if (auto it = entries.find("command"); it != entries.end()) {
        w.command = read_pattern(in, it->second);
    }
    if (auto it = entries.find("argument"); it != entries.end()) {
        w.argument = read_pattern(in, it->second);
    }
    if (auto it = entries.find("connections"); it != entries.end()) {
        w.connections = read_items<connection_range>(
            in, it->second, "an empty list of connections matches nothing",
            [&](const field& item) { return read_range(in, item); });
    }
    if (auto it = entries.find("probability"); it != entries.end()) {
        w.probability = in.number(it->second);
        if (!(w.probability >= 0.0 && w.probability <= 1.0)) {
            in.fail(it->second,
                    "probability must be between 0 and 1, got " + in.scalar(it->second));
        }
    }
    if (auto it = entries.find("after"); it != entries.end()) {
        w.after = in.duration(it->second);
    }
    if (auto it = entries.find("until"); it != entries.end()) {
        w.until = in.duration(it->second);
    }
    if (auto it = entries.find("times"); it != entries.end()) {
        w.times = in.count(it->second);
    }
    if (auto it = entries.find("client"); it != entries.end()) {
        w.client =
            read_items<client_network>(in, it->second, "an empty list of networks matches nothing",
                                       [&](const field& item) { return read_network(in, item); });
    }
}

// The `do` map: each key read by its effect, in the order of effect_types().
effect_list read_do(const yaml_reader& in, const field& f, rule_marks& marks)
{
    const auto entries = in.map(f, effect_keys());
    effect_list out;
    for (const auto* type : effect_types()) {
        const auto it = entries.find(std::string(type->key));
        if (it != entries.end()) {
            marks["do." + it->first] = it->second.mark;
            out.add(type->read(in, it->second));
        }
    }
    return out;
}

std::string effect_list_text()
{
    std::string out;
    for (auto key : effect_keys()) {
        out += (out.empty() ? "" : ", ") + std::string(key);
    }
    return out;
}

} // namespace

config::yaml_reader scenario_reader(std::string source)
{
    return config::yaml_reader(std::move(source), {&config::parse_duration, "'250ms', '1.5s', '2m'",
                                                   limits::max_duration});
}

namespace {

// A rule for the DNS server decides per query, which is not a connection, and can only delay
// the answer, withhold it (hang), or change it (dns).
std::optional<rule_problem> find_dns_rule_problem(const rule& r)
{
    if (!r.when.has_phase(smtp::phase::dns)) {
        return std::nullopt;
    }
    if (!r.when.only_phase(smtp::phase::dns)) {
        return rule_problem{"when.phase", "phase dns is the mock's DNS server, not an SMTP "
                                          "phase: put it in a rule of its own"};
    }
    if (!r.when.connections.empty()) {
        return rule_problem{"when.connections", "connections counts SMTP connections; a DNS "
                                                "query is not one (use times)"};
    }
    for (const auto& e : r.effects.items()) {
        static constexpr std::string_view allowed[] = {"dns", "delay", "hang", "expires"};
        if (std::find(std::begin(allowed), std::end(allowed), e->key()) == std::end(allowed)) {
            return rule_problem{"do." + std::string(e->key()),
                                "at phase dns a rule can use dns, delay, hang and expires"};
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<rule_problem> find_rule_problem(const rule& r)
{
    const rule_when& w = r.when;
    if (!r.id.empty() && !valid_rule_id(r.id)) {
        return rule_problem{"id", "bad rule id '" + r.id +
                                      "'; use 1 to 64 letters, digits, '-', '_' or '.'"};
    }
    if (!(w.probability >= 0.0 && w.probability <= 1.0)) {
        return rule_problem{"when.probability", "probability must be between 0 and 1"};
    }
    for (const auto* d : {&w.after, &w.until}) {
        if (*d && (**d < std::chrono::milliseconds{0} || **d > limits::max_duration)) {
            return rule_problem{d == &w.after ? "when.after" : "when.until",
                                "must be from 0 to " +
                                    config::format_duration(limits::max_duration)};
        }
    }
    if (w.after && w.until && *w.until <= *w.after) {
        return rule_problem{"when.until", "until (" + config::format_duration(*w.until) +
                                              ") must be later than after (" +
                                              config::format_duration(*w.after) + ")"};
    }
    if (w.times && *w.times == 0) {
        return rule_problem{"when.times", "times must be at least 1; remove the rule to never "
                                          "fire it"};
    }
    for (const auto& range : w.connections) {
        if (range.first == 0 || range.every == 0 || (range.last && *range.last < range.first)) {
            return rule_problem{"when.connections", "bad connection range"};
        }
    }
    if (r.effects.empty()) {
        return rule_problem{"do", "do needs at least one effect: " + effect_list_text()};
    }
    if (auto problem = find_dns_rule_problem(r)) {
        return problem;
    }
    for (const auto& e : r.effects.items()) {
        if (auto problem = e->check(r)) {
            return problem;
        }
    }
    if (r.when.has_phase(smtp::phase::verify)) {
        return find_mailbox_problem(r);
    }
    return std::nullopt;
}

rule read_rule(const yaml_reader& in, const field& f)
{
    rule r;
    rule_marks marks;
    auto entries = in.map(f, {"id", "when", "do"});
    if (auto it = entries.find("id"); it != entries.end()) {
        marks["id"] = it->second.mark;
        r.id = in.scalar(it->second);
    }
    if (auto it = entries.find("when"); it != entries.end()) {
        marks["when"] = it->second.mark;
        if (!it->second.node.IsNull()) {
            read_when(in, it->second, r.when, marks);
        }
    }
    const auto it = entries.find("do");
    if (it == entries.end()) {
        in.fail(f, "a rule needs do: what happens when it matches (" + effect_list_text() + ")");
    }
    marks["do"] = it->second.mark;
    if (it->second.node.IsNull()) {
        in.fail(it->second, "do is empty; expected a map with " + effect_list_text());
    }
    r.effects = read_do(in, it->second, marks);
    if (auto problem = find_rule_problem(r)) {
        const auto mark = marks.find(problem->key);
        in.fail(field{f.node, mark != marks.end() ? mark->second : f.mark,
                      config::key_path(f.path, problem->key)},
                problem->message);
    }
    return r;
}

} // namespace detail

rule load_rule(std::string_view text, std::string_view source_name)
{
    return detail::as_scenario_error([&] {
        const auto in = detail::scenario_reader(std::string(source_name));
        const auto root = in.parse(text);
        if (!root.node.IsDefined() || root.node.IsNull()) {
            in.fail(root, "the document is empty; expected a rule: a map with id, when and do");
        }
        return detail::read_rule(in, root);
    });
}

void validate_rule(const rule& r, std::string_view source_name, const std::string& path)
{
    if (auto problem = detail::find_rule_problem(r)) {
        throw scenario_error(std::string(source_name), 0, 0, config::key_path(path, problem->key),
                             problem->message);
    }
}

void assign_rule_ids(std::vector<rule>& rules)
{
    std::unordered_set<std::string> taken;
    for (const auto& r : rules) {
        if (!r.id.empty()) {
            taken.insert(r.id);
        }
    }
    // Each candidate is tried once: linear in the number of rules.
    std::size_t n = 1;
    for (auto& r : rules) {
        if (!r.id.empty()) {
            continue;
        }
        std::string id;
        do {
            id = "r" + std::to_string(n++);
        } while (taken.count(id) != 0);
        taken.insert(id);
        r.id = std::move(id);
    }
}

std::string next_free_rule_id(const std::vector<rule>& rules)
{
    std::unordered_set<std::string_view> taken;
    for (const auto& r : rules) {
        taken.insert(r.id);
    }
    for (std::size_t n = 1;; ++n) {
        std::string id = "r" + std::to_string(n);
        if (taken.count(id) == 0) {
            return id;
        }
    }
}

} // namespace faults
