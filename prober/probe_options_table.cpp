#include "prober/probe_options_table.hpp"

#include "config/duration.hpp"
#include "dns/name.hpp"
#include "prober/target.hpp"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <charconv>
#include <regex>

namespace prober {
namespace {

using values = std::vector<std::string>;

[[noreturn]] void bad(std::string problem)
{
    throw std::invalid_argument(std::move(problem));
}

std::string quoted(std::string_view text)
{
    return '"' + std::string(text) + '"';
}

const std::string& single(const values& v)
{
    return v.front(); // the builder passes at least one value
}

bool boolean(const values& v)
{
    const auto& s = single(v);
    if (s == "true" || s == "yes" || s == "on") {
        return true;
    }
    if (s == "false" || s == "no" || s == "off") {
        return false;
    }
    bad("expected true or false, got " + quoted(s));
}

long long whole_number(const values& v, long long lo, long long hi)
{
    const auto& s = single(v);
    long long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size() || n < lo || n > hi) {
        bad("expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
            ", got " + quoted(s));
    }
    return n;
}

std::chrono::milliseconds duration(const values& v)
{
    const auto& s = single(v);
    auto d = parse_duration(s);
    if (!d) {
        bad("expected a duration in seconds (10, 2.5) or with a unit (250ms, 3s, 2m, 4h), got " +
            quoted(s));
    }
    return *d;
}

// "WARN[,CRIT]" durations: one value with a comma, or two (a list in a file).
void max_delivery_time(probe_options& o, const values& v)
{
    std::vector<std::string> parts = v;
    if (v.size() == 1 && v[0].find(',') != std::string::npos) {
        const auto comma = v[0].find(',');
        parts = {v[0].substr(0, comma), v[0].substr(comma + 1)};
    }
    o.delivery_warning = duration({parts.at(0)});
    o.delivery_critical.reset();
    if (parts.size() == 2) {
        o.delivery_critical = duration({parts[1]});
        if (*o.delivery_critical < *o.delivery_warning) {
            bad("expected WARN[,CRIT] durations with CRIT >= WARN, got " +
                quoted(parts[0] + "," + parts[1]));
        }
    }
}

// "WARN,CRIT" in one value, or WARN and CRIT as two (a list in a file).
void cert_days(probe_options& o, const values& v)
{
    std::vector<std::string> parts = v;
    if (v.size() == 1 && v[0].find(',') != std::string::npos) {
        const auto comma = v[0].find(',');
        parts = {v[0].substr(0, comma), v[0].substr(comma + 1)};
    }
    std::string written;
    for (const auto& p : parts) {
        written += (written.empty() ? "" : ",") + p;
    }
    std::vector<int> days;
    for (const auto& p : parts) {
        int d = -1;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), d);
        if (ec != std::errc() || end != p.data() + p.size() || d < 0) {
            bad("expected WARN[,CRIT] days, got " + quoted(written));
        }
        days.push_back(d);
    }
    if (days.size() == 2 && days[1] > days[0]) {
        bad("expected WARN[,CRIT] days with CRIT <= WARN, got " + quoted(written));
    }
    o.cert_warn_days = days[0];
    o.cert_crit_days =
        days.size() == 2 ? std::optional<int>(days[1]) : std::optional<int>(std::nullopt);
}

// The most blocklist zones one probe looks the address up on.
constexpr std::size_t max_dnsbl_zones = 50;

// The phases after which QUIT can be sent; the others are inside a command's exchange.
constexpr std::array<std::string_view, 10> quit_points{
    "connect", "banner", "ehlo", "helo", "starttls", "tls", "auth", "mail", "rcpt", "data_end"};

void quit_after(probe_options& o, const values& v)
{
    const auto& s = single(v);
    if (std::find(quit_points.begin(), quit_points.end(), s) == quit_points.end()) {
        std::string list;
        for (auto p : quit_points) {
            list += (list.empty() ? "" : ", ") + std::string(p);
        }
        bad("expected one of " + list + ", got " + quoted(s));
    }
    o.quit_after = smtp::parse_phase(s);
}

void expect_banner(probe_options& o, const values& v)
{
    try {
        std::regex re(single(v), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        bad(std::string("invalid regular expression: ") + e.what());
    }
    o.expect_banner = single(v);
}

void auth(probe_options& o, const values& v)
{
    const auto& s = single(v);
    const auto colon = s.find(':');
    if (colon == std::string::npos || colon == 0) {
        bad("expected USER:PASS"); // never echo a password
    }
    o.auth = auth_credentials{s.substr(0, colon), s.substr(colon + 1)};
}

// RFC 3986 §3.2: an authority of a literal address and a port, nothing else.
void dns_server(probe_options& o, const values& v)
{
    const auto& s = single(v);
    auto authority = boost::urls::parse_authority(s);
    if (!authority || authority->has_userinfo() ||
        (authority->host_type() != boost::urls::host_type::ipv4 &&
         authority->host_type() != boost::urls::host_type::ipv6) ||
        !authority->has_port() || authority->port_number() == 0) {
        bad("expected ADDR:PORT or [IPV6]:PORT with a literal address and a port, got " +
            quoted(s));
    }
    o.dns_server = s;
}

// Blocklist zones: each a domain name; "ZONE,ZONE" or a list (in a file, or the flag repeated).
void dnsbl(probe_options& o, const values& v)
{
    std::vector<std::string> zones;
    for (const auto& written : v) {
        std::size_t from = 0;
        for (;;) {
            const auto comma = written.find(',', from);
            auto zone = written.substr(from, comma == std::string::npos ? comma : comma - from);
            while (!zone.empty() && zone.back() == '.') {
                zone.pop_back();
            }
            if (zone.empty() || !dns::name::parse(zone) || zone.find('.') == std::string::npos) {
                bad("expected blocklist zones such as zen.spamhaus.org, got " + quoted(written));
            }
            if (std::find(zones.begin(), zones.end(), zone) == zones.end()) {
                zones.push_back(std::move(zone));
            }
            if (comma == std::string::npos) {
                break;
            }
            from = comma + 1;
        }
    }
    if (zones.size() > max_dnsbl_zones) {
        bad("at most " + std::to_string(max_dnsbl_zones) + " blocklist zones");
    }
    o.dnsbl = std::move(zones);
}

void verify(probe_options& o, const values& v)
{
    auto spec = parse_verify_url(single(v));
    if (!spec) {
        bad("expected pop3|pop3s|imap|imaps://USER:PASS@HOST[:PORT]"); // it holds a password
    }
    o.verify = std::move(*spec);
}

void family(probe_options& o, const values& v)
{
    const auto& s = single(v);
    if (s == "any") {
        o.family = address_family::any;
    } else if (s == "v4" || s == "ipv4") {
        o.family = address_family::v4;
    } else if (s == "v6" || s == "ipv6") {
        o.family = address_family::v6;
    } else {
        bad("expected any, v4 or v6, got " + quoted(s));
    }
}

void temp_failure_status(probe_options& o, const values& v)
{
    const auto& s = single(v);
    if (s != "critical" && s != "warning") {
        bad("expected critical or warning, got " + quoted(s));
    }
    o.temp_failure_warning = s == "warning";
}

constexpr std::array<option_shorthand, 2> family_flags{{
    {"-4", "v4", "Connect over IPv4 only"},
    {"-6", "v6", "Connect over IPv6 only"},
}};

using t = option_type;

// clang-format off
const std::array<probe_option, 29> table{{
    {"port", "-p,--port", t::value, "N", "25, or 465 with implicit TLS",
     "Port for targets written without one", {}, 1,
     [](probe_options& o, const values& v) {
         o.port = static_cast<std::uint16_t>(whole_number(v, 1, 65535));
     }},
    {"timeout", "-t,--timeout", t::value, "DUR", "10s",
     "Hard total deadline of the SMTP session", {}, 1,
     [](probe_options& o, const values& v) {
         o.timeout = duration(v);
         if (o.timeout.count() == 0) {
             bad("must be more than 0");
         }
     }},
    {"connect_timeout", "--connect-timeout", t::value, "DUR", "the timeout",
     "Deadline of the TCP connect, within the timeout", {}, 1,
     [](probe_options& o, const values& v) { o.connect_timeout = duration(v); }},
    {"command_timeout", "--command-timeout", t::value, "DUR", "the timeout",
     "Deadline of each reply, the banner and the TLS handshake, within the timeout", {}, 1,
     [](probe_options& o, const values& v) { o.command_timeout = duration(v); }},
    {"helo", "--helo", t::value, "NAME", "this host's name",
     "Name sent with EHLO/HELO", {}, 1,
     [](probe_options& o, const values& v) { o.helo_name = single(v); }},
    {"starttls", "--starttls", t::flag, "", "",
     "Require STARTTLS after EHLO and use TLS from then on", {}, 1,
     [](probe_options& o, const values& v) { o.starttls = boolean(v); }},
    {"tls", "--tls", t::flag, "", "",
     "Implicit TLS from connect (port 465 by default)", {}, 1,
     [](probe_options& o, const values& v) { o.implicit_tls = boolean(v); }},
    {"insecure", "--insecure", t::flag, "", "",
     "Do not verify the server certificate (it is still reported)", {}, 1,
     [](probe_options& o, const values& v) { o.insecure = boolean(v); }},
    {"ca_file", "--ca-file", t::value, "FILE", "",
     "Trust the CA certificates in this PEM file too (SMTP and the --verify mailbox)", {}, 1,
     [](probe_options& o, const values& v) { o.ca_file = single(v); }},
    {"sni", "--sni", t::value, "NAME", "the host",
     "TLS server name to send and verify", {}, 1,
     [](probe_options& o, const values& v) { o.tls_server_name = single(v); }},
    {"cert_days", "--cert-days", t::value, "WARN[,CRIT]", "",
     "WARNING when the certificate expires within WARN days, CRITICAL within CRIT", {}, 2,
     cert_days},
    {"auth", "--auth", t::value, "USER:PASS", "",
     "AUTH PLAIN (or LOGIN when PLAIN is not offered) with these credentials", {}, 1, auth},
    {"mail_from", "--mail-from", t::value, "ADDR", "smtp-probe@ + the HELO name",
     "Envelope sender of the test message", {}, 1,
     [](probe_options& o, const values& v) { o.mail_from = single(v); }},
    {"rcpt_to", "--rcpt-to", t::list, "ADDR", "postmaster@ + the host",
     "Recipient of the test message; repeat for several", {}, 1000,
     [](probe_options& o, const values& v) { o.rcpt_to = v; }},
    {"send", "--send", t::flag, "", "",
     "Send a test message (MAIL, RCPT, DATA)", {}, 1,
     [](probe_options& o, const values& v) { o.send = boolean(v); }},
    {"quit_after", "--quit-after", t::value, "PHASE", "",
     "Send QUIT once this phase succeeded: connect, banner, ehlo, helo, starttls, tls, auth, "
     "mail, rcpt, data_end", {}, 1, quit_after},
    {"expect_banner", "--expect-banner", t::value, "REGEX", "",
     "ECMAScript regular expression the banner text must match", {}, 1, expect_banner},
    {"warning", "-w,--warning", t::value, "DUR", "",
     "WARNING when the session takes longer", {}, 1,
     [](probe_options& o, const values& v) { o.warning = duration(v); }},
    {"critical", "-c,--critical", t::value, "DUR", "",
     "CRITICAL when the session takes longer", {}, 1,
     [](probe_options& o, const values& v) { o.critical = duration(v); }},
    {"temp_failure_status", "--temp-failure-status", t::value, "STATUS", "critical",
     "Status of 4xx replies: critical or warning", {}, 1, temp_failure_status},
    {"verify", "--verify", t::value, "URL", "",
     "After the send, fetch the message: pop3://USER:PASS@HOST[:PORT], pop3s://, imap://, "
     "imaps:// (implies send)", {}, 1, verify},
    {"verify_timeout", "--verify-timeout", t::value, "DUR", "60s",
     "How long to wait for the round-trip message", {}, 1,
     [](probe_options& o, const values& v) { o.verify_timeout = duration(v); }},
    {"max_delivery_time", "--max-delivery-time", t::value, "WARN[,CRIT]", "",
     "A round-trip delivery slower than this is slow at phase verify: WARNING, or CRITICAL over "
     "CRIT", {}, 2, max_delivery_time},
    {"family", "", t::value, "any|v4|v6", "any",
     "Address family to connect over", family_flags, 1, family},
    {"source_address", "--source-address", t::value, "ADDR", "",
     "Local address to connect from", {}, 1,
     [](probe_options& o, const values& v) { o.source_address = single(v); }},
    {"mx", "--mx", t::flag, "", "",
     "The target is a mail domain: probe the mail exchanger a sender would use (its MX records by "
     "preference, else its own address: RFC 5321 5.1); no route to it is CRITICAL at dns", {}, 1,
     [](probe_options& o, const values& v) { o.mx = boolean(v); }},
    {"dns_server", "--dns-server", t::value, "ADDR:PORT", "",
     "DNS server for every lookup (UDP, then TCP for truncated answers) instead of "
     "/etc/resolv.conf", {}, 1, dns_server},
    {"dnsbl", "--dnsbl", t::list, "ZONE,...", "",
     "Look the server's address up on these DNS blocklists (RFC 5782): listed is CRITICAL, a "
     "broken blocklist WARNING", {}, max_dnsbl_zones, dnsbl},
    {"max_reply_line", "--max-reply-line", t::value, "N", "512",
     "Longest reply line accepted, octets with CRLF (RFC 5321 4.5.3.1.5: 512)", {}, 1,
     [](probe_options& o, const values& v) {
         o.max_reply_line = static_cast<std::size_t>(whole_number(v, 64, 65536));
     }},
}};
// clang-format on

std::string normal_key(std::string_view name)
{
    std::string key(name);
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

} // namespace

std::string to_string(const option_origin& where)
{
    if (where.file.empty()) {
        return where.name;
    }
    std::string out = where.file;
    if (where.line > 0) {
        out += ':' + std::to_string(where.line) + ':' + std::to_string(where.column);
    }
    return where.name.empty() ? out : out + ": " + where.name;
}

option_error::option_error(option_origin where, std::string problem)
    : std::runtime_error(to_string(where) + ": " + problem)
    , where_(std::move(where))
    , problem_(std::move(problem))
{
}

std::span<const probe_option> probe_option_table() noexcept
{
    return table;
}

const probe_option* find_probe_option(std::string_view name) noexcept
{
    const auto key = normal_key(name);
    for (const auto& option : table) {
        if (option.name == key) {
            return &option;
        }
    }
    return nullptr;
}

std::string flag_spelling(const probe_option& option)
{
    if (!option.flags.empty()) {
        const auto comma = option.flags.rfind(',');
        return std::string(comma == std::string_view::npos ? option.flags
                                                           : option.flags.substr(comma + 1));
    }
    std::string out;
    for (const auto& s : option.shorthands) {
        out += (out.empty() ? "" : "/") + std::string(s.flag);
    }
    return out;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    // A bare number is seconds, as check_smtp's -t takes it; anything else is a duration as every
    // configuration document writes it.
    const bool bare = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.';
    });
    return config::parse_duration(bare ? std::string(text) + "s" : std::string(text));
}

bool probe_options_builder::set(std::string_view name, const std::vector<std::string>& values,
                                const option_origin& where)
{
    const auto* option = find_probe_option(name);
    if (option == nullptr) {
        return false;
    }
    if (values.empty()) {
        throw option_error(where, "expected a value");
    }
    if (values.size() > option->max_items) {
        throw option_error(where, "expected a single value");
    }
    try {
        option->apply(options_, values);
    } catch (const std::invalid_argument& e) {
        throw option_error(where, e.what());
    }
    std::erase_if(given_, [&](const given_option& g) { return g.option == option; });
    given_.push_back({option, where, given_.size()});
    return true;
}

const probe_options_builder::given_option*
probe_options_builder::find_given(std::string_view name) const noexcept
{
    for (const auto& g : given_) {
        if (g.option->name == name) {
            return &g;
        }
    }
    return nullptr;
}

bool probe_options_builder::given(std::string_view name) const noexcept
{
    return find_given(normal_key(name)) != nullptr;
}

std::string probe_options_builder::spell(std::string_view key, const option_origin& where) const
{
    const auto* option = find_probe_option(key);
    if (where.form == option_origin::style::command_line && option != nullptr) {
        return flag_spelling(*option);
    }
    return std::string(key);
}

const option_origin& probe_options_builder::origin_of(std::initializer_list<std::string_view> keys,
                                                      const option_origin& where) const
{
    const given_option* last = nullptr;
    for (auto key : keys) {
        const auto* g = find_given(key);
        if (g != nullptr && (last == nullptr || g->order > last->order)) {
            last = g;
        }
    }
    return last != nullptr ? last->where : where;
}

void probe_options_builder::check_rules(const probe_options& o, const option_origin& where) const
{
    // Each message points at the option set last and names the others as written there.
    if (o.starttls && o.implicit_tls) {
        const auto& at = origin_of({"starttls", "tls"}, where);
        throw option_error(at, spell("starttls", at) + " and " + spell("tls", at) +
                                   " exclude each other");
    }
    if (o.warning && o.critical && *o.warning > *o.critical) {
        const auto& at = origin_of({"warning", "critical"}, where);
        throw option_error(at, spell("warning", at) + " must not exceed " + spell("critical", at));
    }
    if (!o.quit_after) {
        return;
    }
    const auto& at = origin_of({"quit_after"}, where);
    std::string needs;
    if (*o.quit_after == smtp::phase::starttls && !o.starttls) {
        needs = spell("starttls", at);
    } else if (*o.quit_after == smtp::phase::tls && !o.starttls && !o.implicit_tls) {
        needs = spell("starttls", at) + " or " + spell("tls", at);
    } else if (*o.quit_after == smtp::phase::auth && !o.auth) {
        needs = spell("auth", at);
    }
    if (!needs.empty()) {
        throw option_error(at, quoted(smtp::to_string(*o.quit_after)) + " needs " + needs);
    }
}

probe_options probe_options_builder::build(const option_origin& where) const
{
    probe_options o = options_;
    if (!given("connect_timeout")) {
        o.connect_timeout = o.timeout;
    }
    if (!given("command_timeout")) {
        o.command_timeout = o.timeout;
    }
    if (o.verify) {
        o.send = true;                 // the round trip needs a message to look for
        o.verify->ca_file = o.ca_file; // one trust for the SMTP server and its mailbox
        o.verify->dns_server = o.dns_server;
    }
    check_rules(o, where);
    return o;
}

} // namespace prober
