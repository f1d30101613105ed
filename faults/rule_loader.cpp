// Reading and checking one rule: the `when` and `do` maps of DESIGN.md §4.
#include "faults/detail/rule_reader.hpp"
#include "config/duration.hpp"
#include "faults/reply_text.hpp"
#include "faults/scenario_loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

namespace faults {
namespace detail {
namespace {

// The phases where the mock asks for a decision; dns and verify happen on the client only.
const std::vector<std::string_view>& decision_phase_names()
{
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (auto p : smtp::all_phases) {
            if (p != smtp::phase::dns && p != smtp::phase::verify) {
                out.push_back(smtp::to_string(p));
            }
        }
        return out;
    }();
    return names;
}

bool valid_rule_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

bool only_phase(const rule_when& w, smtp::phase p)
{
    return w.phases.size() == 1 && w.phases.front() == p;
}

bool has_phase(const rule_when& w, smtp::phase p)
{
    return std::find(w.phases.begin(), w.phases.end(), p) != w.phases.end();
}

std::optional<std::string> regex_problem(const std::string& pattern)
{
    try {
        std::regex compiled(pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
        return "bad regular expression '" + pattern + "': " + e.what();
    }
    return std::nullopt;
}

// Splits a reply written as one string ("250 ok", or a block with one line per line).
std::vector<std::string> reply_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lines.push_back(std::move(line));
        start = end + 1;
    }
    if (lines.empty()) {
        lines.emplace_back();
    }
    return lines;
}

std::optional<std::string> parse_hex(std::string_view text)
{
    std::string out;
    int high = -1;
    for (char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else if (c == ' ' || c == ':') {
            continue;
        } else {
            return std::nullopt;
        }
        if (high < 0) {
            high = v;
        } else {
            out += static_cast<char>(high * 16 + v);
            high = -1;
        }
    }
    if (high >= 0) {
        return std::nullopt;
    }
    return out;
}

// "10B/s", "2kB/s", "1.5KB/s" or a plain number of bytes per second.
std::optional<double> parse_rate(const std::string& text)
{
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) {
        return std::nullopt;
    }
    const std::string_view unit(end);
    if (unit.empty() || unit == "B/s") {
        return value;
    }
    if (unit == "kB/s" || unit == "KB/s") {
        return value * 1000;
    }
    return std::nullopt;
}

void read_when(const yaml_reader& in, const field& f, rule_when& w, rule_marks& marks)
{
    auto entries = in.map(f, {"phase", "command", "argument", "connections", "probability", "after",
                              "until", "times", "client"});
    for (const auto& [key, value] : entries) {
        marks["when." + key] = value.mark;
    }
    if (auto it = entries.find("phase"); it != entries.end()) {
        const auto items = in.one_or_list(it->second);
        if (items.empty()) {
            in.fail(it->second, "an empty list of phases matches nothing; leave phase out to "
                                "match every phase, or expected " +
                                    one_of(decision_phase_names()));
        }
        for (const auto& item : items) {
            const auto index = in.choice(item, decision_phase_names());
            const auto p = *smtp::parse_phase(decision_phase_names()[index]);
            if (!has_phase(w, p)) {
                w.phases.push_back(p);
            }
        }
    }
    if (auto it = entries.find("command"); it != entries.end()) {
        w.command = in.string(it->second);
        if (auto problem = regex_problem(*w.command)) {
            in.fail(it->second, *problem);
        }
    }
    if (auto it = entries.find("argument"); it != entries.end()) {
        w.argument = in.string(it->second);
        if (auto problem = regex_problem(*w.argument)) {
            in.fail(it->second, *problem);
        }
    }
    if (auto it = entries.find("connections"); it != entries.end()) {
        const auto items = in.one_or_list(it->second);
        if (items.empty()) {
            in.fail(it->second, "an empty list of connections matches nothing");
        }
        for (const auto& item : items) {
            const auto text = in.string(item);
            auto range = parse_connection_range(text);
            if (!range) {
                in.fail(item, "bad connection range '" + text +
                                  "'; expected an ordinal from 1 ('3'), a range ('2-5', '3-') "
                                  "or 'every N' ('every 2', 'every 3 from 2')");
            }
            w.connections.push_back(*range);
        }
    }
    if (auto it = entries.find("probability"); it != entries.end()) {
        w.probability = in.number(it->second);
        if (!(w.probability >= 0.0 && w.probability <= 1.0)) {
            in.fail(it->second,
                    "probability must be between 0 and 1, got " + in.string(it->second));
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
        const auto items = in.one_or_list(it->second);
        if (items.empty()) {
            in.fail(it->second, "an empty list of networks matches nothing");
        }
        for (const auto& item : items) {
            const auto text = in.string(item);
            auto network = parse_client_network(text);
            if (!network) {
                in.fail(item, "bad CIDR block '" + text +
                                  "'; expected an IPv4 or IPv6 address with an optional prefix "
                                  "length, e.g. '127.0.0.0/8', '::1/128', '192.0.2.7'");
            }
            w.client.push_back(*network);
        }
    }
}

void read_tls(const yaml_reader& in, const field& f, tls_fault& t, rule_marks& marks)
{
    auto entries = in.map(f, {"certificate", "expires_in_days", "handshake"});
    if (entries.empty()) {
        in.fail(f, "tls needs certificate, expires_in_days or handshake");
    }
    for (const auto& [key, value] : entries) {
        marks["do.tls." + key] = value.mark;
    }
    if (auto it = entries.find("certificate"); it != entries.end()) {
        using kind = tls_fault::certificate_kind;
        static constexpr kind kinds[] = {kind::expired, kind::not_yet_valid, kind::self_signed,
                                         kind::wrong_host, kind::expires_in_days};
        t.certificate = kinds[in.choice(it->second, {"expired", "not_yet_valid", "self_signed",
                                                     "wrong_host", "expires_in_days"})];
    }
    if (auto it = entries.find("expires_in_days"); it != entries.end()) {
        const auto days = in.count(it->second);
        if (days > 36500) {
            in.fail(it->second, "expires_in_days must be at most 36500");
        }
        if (entries.count("certificate") != 0 &&
            t.certificate != tls_fault::certificate_kind::expires_in_days) {
            in.fail(it->second, "expires_in_days gives its own certificate; it cannot be "
                                "combined with certificate: " +
                                    in.string(entries.at("certificate")));
        }
        t.certificate = tls_fault::certificate_kind::expires_in_days;
        t.days = static_cast<int>(days);
    } else if (t.certificate == tls_fault::certificate_kind::expires_in_days) {
        in.fail(entries.at("certificate"),
                "certificate: expires_in_days needs the number of days: add expires_in_days: N");
    }
    if (auto it = entries.find("handshake"); it != entries.end()) {
        using mode = tls_fault::handshake_mode;
        static constexpr mode modes[] = {mode::fail, mode::hang};
        t.handshake = modes[in.choice(it->second, {"fail", "hang"})];
    }
}

void read_do(const yaml_reader& in, const field& f, rule_effect& d, rule_marks& marks)
{
    auto entries =
        in.map(f, {"delay", "reply", "raw", "trickle", "hang", "close", "after_bytes", "tls"});
    for (const auto& [key, value] : entries) {
        marks["do." + key] = value.mark;
    }
    if (auto it = entries.find("delay"); it != entries.end()) {
        d.delay = in.duration(it->second);
    }
    if (auto it = entries.find("reply"); it != entries.end()) {
        const field& r = it->second;
        std::vector<std::string> lines;
        if (r.node.IsSequence()) {
            for (const auto& item : in.one_or_list(r)) {
                lines.push_back(in.string(item));
            }
        } else {
            lines = reply_lines(in.string(r));
        }
        const auto rendered = render_reply(lines);
        if (!rendered.ok()) {
            const auto items = in.one_or_list(r);
            in.fail(r.node.IsSequence() ? items.at(rendered.bad_line) : r, rendered.error);
        }
        d.reply = std::move(lines);
    }
    if (auto it = entries.find("raw"); it != entries.end()) {
        const field& r = it->second;
        if (r.node.IsMap()) {
            auto hex = in.map(r, {"hex"});
            if (hex.empty()) {
                in.fail(r, "raw as a map needs hex: \"0d0a...\"");
            }
            const auto text = in.string(hex.at("hex"));
            d.raw = parse_hex(text);
            if (!d.raw) {
                in.fail(hex.at("hex"),
                        "bad hex '" + text + "'; expected pairs of hex digits, spaces allowed");
            }
        } else {
            d.raw = in.string(r);
        }
        if (d.raw->empty()) {
            in.fail(r, "raw is empty; to send nothing use hang or close");
        }
    }
    if (auto it = entries.find("trickle"); it != entries.end()) {
        const auto text = in.string(it->second);
        d.trickle = parse_rate(text);
        if (!d.trickle) {
            in.fail(it->second, "bad rate '" + text +
                                    "'; expected bytes per second, e.g. 10, '10B/s' or '2kB/s'");
        }
    }
    if (auto it = entries.find("hang"); it != entries.end()) {
        d.hang = in.boolean(it->second);
    }
    if (auto it = entries.find("close"); it != entries.end()) {
        static constexpr ending endings[] = {ending::close_fin, ending::close_rst};
        d.close = endings[in.choice(it->second, {"fin", "rst"})];
    }
    if (auto it = entries.find("after_bytes"); it != entries.end()) {
        d.after_bytes = in.count(it->second);
    }
    if (auto it = entries.find("tls"); it != entries.end()) {
        tls_fault t;
        read_tls(in, it->second, t, marks);
        d.tls = t;
    }
}

} // namespace

std::optional<rule_problem> find_rule_problem(const rule& r)
{
    const rule_when& w = r.when;
    const rule_effect& d = r.effect;
    if (!r.id.empty() && !valid_rule_id(r.id)) {
        return rule_problem{"id", "bad rule id '" + r.id +
                                      "'; use 1 to 64 letters, digits, '-', '_' or '.'"};
    }
    for (std::size_t i = 0; i < w.phases.size(); ++i) {
        if (w.phases[i] == smtp::phase::dns || w.phases[i] == smtp::phase::verify) {
            return rule_problem{"when.phase", "unknown value '" +
                                                  std::string(smtp::to_string(w.phases[i])) +
                                                  "'; expected " + one_of(decision_phase_names())};
        }
    }
    if (w.command) {
        if (auto problem = regex_problem(*w.command)) {
            return rule_problem{"when.command", *problem};
        }
    }
    if (w.argument) {
        if (auto problem = regex_problem(*w.argument)) {
            return rule_problem{"when.argument", *problem};
        }
    }
    if (!(w.probability >= 0.0 && w.probability <= 1.0)) {
        return rule_problem{"when.probability", "probability must be between 0 and 1"};
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
    const bool ends = d.hang || d.close.has_value();
    if (!d.delay && !d.reply && !d.raw && !d.trickle && !ends && !d.tls) {
        return rule_problem{"do", "do needs at least one effect: delay, reply, raw, trickle, "
                                  "hang, close or tls"};
    }
    if (d.reply && d.raw) {
        return rule_problem{"do.raw", "reply and raw are exclusive: give one of them"};
    }
    if (d.hang && d.close) {
        return rule_problem{"do.close", "hang and close are exclusive: the connection either "
                                        "stays open or is closed"};
    }
    if (d.reply) {
        const auto rendered = render_reply(*d.reply);
        if (!rendered.ok()) {
            return rule_problem{"do.reply", rendered.error};
        }
    }
    if (d.raw && d.raw->empty()) {
        return rule_problem{"do.raw", "raw is empty; to send nothing use hang or close"};
    }
    if (d.trickle && !(*d.trickle > 0.0)) {
        return rule_problem{"do.trickle", "trickle must be more than 0 bytes per second"};
    }
    if ((d.reply || d.raw) &&
        (has_phase(w, smtp::phase::connect) || has_phase(w, smtp::phase::tls))) {
        return rule_problem{d.reply ? "do.reply" : "do.raw",
                            "nothing is sent at phase connect or tls; put the greeting at phase "
                            "banner"};
    }
    if (d.after_bytes) {
        if (!only_phase(w, smtp::phase::body)) {
            return rule_problem{"do.after_bytes",
                                "after_bytes counts message content: it needs when.phase: body"};
        }
        if (!ends) {
            return rule_problem{"do.after_bytes", "after_bytes says when the ending applies: it "
                                                  "needs hang or close"};
        }
    }
    if (d.tls) {
        if (!only_phase(w, smtp::phase::tls)) {
            return rule_problem{"do.tls", "tls faults happen in the handshake: they need "
                                          "when.phase: tls"};
        }
        if (d.reply || d.raw || d.trickle) {
            return rule_problem{"do.tls", "tls cannot be combined with reply, raw or trickle: "
                                          "nothing is sent as SMTP during a handshake"};
        }
        if (d.tls->certificate == tls_fault::certificate_kind::expires_in_days &&
            (d.tls->days < 0 || d.tls->days > 36500)) {
            return rule_problem{"do.tls.expires_in_days", "expires_in_days must be 0 to 36500"};
        }
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
        r.id = in.string(it->second);
    }
    if (auto it = entries.find("when"); it != entries.end()) {
        marks["when"] = it->second.mark;
        if (!it->second.node.IsNull()) {
            read_when(in, it->second, r.when, marks);
        }
    }
    const auto it = entries.find("do");
    if (it == entries.end()) {
        in.fail(f, "a rule needs do: what happens when it matches (delay, reply, raw, trickle, "
                   "hang, close, tls)");
    }
    marks["do"] = it->second.mark;
    if (it->second.node.IsNull()) {
        in.fail(it->second, "do is empty; expected a map with delay, reply, raw, trickle, hang, "
                            "close, after_bytes or tls");
    }
    read_do(in, it->second, r.effect, marks);
    if (auto problem = find_rule_problem(r)) {
        const auto mark = marks.find(problem->key);
        field at{f.node, mark != marks.end() ? mark->second : f.mark,
                 key_path(f.path, problem->key)};
        in.fail(at, problem->message);
    }
    return r;
}

} // namespace detail

rule load_rule(std::string_view text, std::string_view source_name)
{
    const detail::yaml_reader in{std::string(source_name)};
    return detail::read_rule(in, in.parse(text));
}

void validate_rule(const rule& r, std::string_view source_name, const std::string& path)
{
    if (auto problem = detail::find_rule_problem(r)) {
        throw scenario_error(std::string(source_name), 0, 0, detail::key_path(path, problem->key),
                             problem->message);
    }
}

std::string next_free_rule_id(const std::vector<rule>& rules)
{
    for (std::size_t n = 1;; ++n) {
        std::string id = "r" + std::to_string(n);
        if (std::none_of(rules.begin(), rules.end(), [&](const rule& r) { return r.id == id; })) {
            return id;
        }
    }
}

} // namespace faults
