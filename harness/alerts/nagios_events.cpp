#include "harness/alerts/nagios_events.hpp"

#include "smtp/ascii.hpp"

#include <charconv>
#include <map>
#include <string>
#include <vector>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;

std::vector<std::string_view> split(std::string_view s, char sep, std::size_t max_parts)
{
    std::vector<std::string_view> out;
    while (out.size() + 1 < max_parts) {
        auto at = s.find(sep);
        if (at == std::string_view::npos) {
            break;
        }
        out.push_back(s.substr(0, at));
        s.remove_prefix(at + 1);
    }
    out.push_back(s);
    return out;
}

// Seconds since the epoch, possibly with a fraction, as a time point.
std::optional<std::chrono::system_clock::time_point> unix_time(std::string_view text)
{
    auto dot = text.find('.');
    long long secs = 0;
    auto whole = text.substr(0, dot);
    if (whole.empty() ||
        std::from_chars(whole.data(), whole.data() + whole.size(), secs).ec != std::errc{}) {
        return std::nullopt;
    }
    long long millis = 0;
    if (dot != std::string_view::npos) {
        auto frac = std::string(text.substr(dot + 1, 3));
        frac.append(3 - frac.size(), '0');
        std::from_chars(frac.data(), frac.data() + frac.size(), millis);
    }
    return std::chrono::system_clock::time_point(std::chrono::seconds(secs)) + ms(millis);
}

std::string type_of(std::string_view notification_type)
{
    if (notification_type == "PROBLEM") {
        return "problem";
    }
    if (notification_type == "RECOVERY") {
        return "recovery";
    }
    if (notification_type == "FLAPPINGSTART") {
        return "flapping_start";
    }
    if (notification_type == "FLAPPINGSTOP") {
        return "flapping_stop";
    }
    return smtp::to_lower(std::string(notification_type));
}

// A macro's whole number, or 0.
int number(std::string_view text)
{
    int n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n;
}

// The state name of a status.dat current_state.
std::string state_name(bool service, std::string_view code)
{
    static constexpr std::string_view services[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    static constexpr std::string_view hosts[] = {"UP", "DOWN", "UNREACHABLE"};
    const auto n = static_cast<std::size_t>(number(code));
    if (service && n < std::size(services)) {
        return std::string(services[n]);
    }
    if (!service && n < std::size(hosts)) {
        return std::string(hosts[n]);
    }
    return "state " + std::string(code);
}

// One hoststatus or servicestatus block of status.dat, its NAME=VALUE lines.
captured_alert status_alert(bool service, std::map<std::string, std::string, std::less<>>& m,
                            std::chrono::milliseconds t)
{
    captured_alert a;
    a.channel = "nagios-status";
    a.notifier = "nagios";
    a.type = "status";
    a.t = t;
    a.target = service ? m["host_name"] + '/' + m["service_description"] : m["host_name"];
    a.status = state_name(service, m["current_state"]);
    a.state_type = m["state_type"] == "1" ? "HARD" : "SOFT";
    a.attempt = number(m["current_attempt"]);
    a.notification = number(m["current_notification_number"]);
    auto percent = m["percent_state_change"];
    if (auto dot = percent.find('.'); dot != std::string::npos && dot + 2 < percent.size()) {
        percent.resize(dot + 2);
    }
    a.detail = "attempt " + m["current_attempt"] + '/' + m["max_attempts"] + ", " +
               (m["is_flapping"] == "1" ? "flapping" : "not flapping") + " (" + percent +
               "% state change), notification " + m["current_notification_number"] + ": " +
               m["plugin_output"];
    return a;
}

} // namespace

std::vector<captured_alert> alerts_from_nagios_status(std::string_view status_dat,
                                                      std::chrono::milliseconds t)
{
    std::vector<captured_alert> out;
    std::map<std::string, std::string, std::less<>> block;
    std::string kind;
    for (auto rest = status_dat; !rest.empty();) {
        auto eol = rest.find('\n');
        auto line = smtp::trim_blanks(rest.substr(0, eol));
        rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
        if (line.ends_with("{") && line.find('=') == std::string_view::npos) {
            kind = std::string(smtp::trim_blanks(line.substr(0, line.size() - 1)));
            block.clear();
        } else if (line == "}") {
            if (kind == "hoststatus" || kind == "servicestatus") {
                out.push_back(status_alert(kind == "servicestatus", block, t));
            }
            kind.clear();
        } else if (auto eq = line.find('='); !kind.empty() && eq != std::string_view::npos) {
            block[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
        }
    }
    return out;
}

std::optional<captured_alert>
alert_from_nagios_record(std::string_view line, std::chrono::system_clock::time_point run_start)
{
    auto fields = split(line, '\t', 64);
    auto at = unix_time(fields.front());
    if (!at || fields.size() < 3) {
        return std::nullopt;
    }
    std::map<std::string, std::string, std::less<>> m;
    for (std::size_t i = 1; i < fields.size(); ++i) {
        auto eq = fields[i].find('=');
        if (eq != std::string_view::npos) {
            m[std::string(fields[i].substr(0, eq))] = std::string(fields[i].substr(eq + 1));
        }
    }
    if (m["NOTIFICATIONTYPE"].empty()) {
        return std::nullopt;
    }
    captured_alert a;
    a.channel = "nagios";
    a.notifier = m["CONTACTNAME"];
    a.type = type_of(m["NOTIFICATIONTYPE"]);
    const bool service = !m["SERVICEDESC"].empty();
    a.target = service ? m["HOSTNAME"] + '/' + m["SERVICEDESC"] : m["HOSTNAME"];
    a.status = service ? m["SERVICESTATE"] : m["HOSTSTATE"];
    a.state_type = service ? m["SERVICESTATETYPE"] : m["HOSTSTATETYPE"];
    a.detail = "attempt " +
               (service ? m["SERVICEATTEMPT"] + '/' + m["MAXSERVICEATTEMPTS"] : m["HOSTATTEMPT"]) +
               ", notification " + m["NOTIFICATIONNUMBER"] + ": " +
               (service ? m["SERVICEOUTPUT"] : m["HOSTOUTPUT"]);
    a.attempt = number(service ? m["SERVICEATTEMPT"] : m["HOSTATTEMPT"]);
    a.notification = number(m["NOTIFICATIONNUMBER"]);
    a.t = std::chrono::duration_cast<ms>(*at - run_start);
    return a;
}

std::optional<captured_alert> alert_from_nagios_log(std::string_view line,
                                                    std::chrono::system_clock::time_point run_start)
{
    // [1796177559] SERVICE ALERT: mx1;SMTP;CRITICAL;SOFT;1;CRITICAL - Socket timeout
    if (line.size() < 3 || line.front() != '[') {
        return std::nullopt;
    }
    auto close = line.find("] ");
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    auto at = unix_time(line.substr(1, close - 1));
    auto text = line.substr(close + 2);
    auto colon = text.find(": ");
    if (!at || colon == std::string_view::npos) {
        return std::nullopt;
    }
    auto what = text.substr(0, colon);
    auto rest = text.substr(colon + 2);
    const bool service = what.starts_with("SERVICE ");
    if (!service && !what.starts_with("HOST ")) {
        return std::nullopt;
    }
    captured_alert a;
    a.channel = "nagios-log";
    a.notifier = "nagios";
    a.t = std::chrono::duration_cast<ms>(*at - run_start);
    const std::size_t name_parts = service ? 2 : 1;
    if (what.ends_with(" FLAPPING ALERT")) {
        auto f = split(rest, ';', name_parts + 2);
        if (f.size() < name_parts + 1 ||
            (f[name_parts] != "STARTED" && f[name_parts] != "STOPPED")) {
            return std::nullopt;
        }
        a.type = f[name_parts] == "STARTED" ? "flapping_start" : "flapping_stop";
        a.target = service ? std::string(f[0]) + '/' + std::string(f[1]) : std::string(f[0]);
        a.detail = f.size() > name_parts + 1 ? std::string(f[name_parts + 1]) : "";
        while (!a.detail.empty() && a.detail.front() == ' ') {
            a.detail.erase(0, 1);
        }
        return a;
    }
    if (!what.ends_with(" ALERT")) {
        return std::nullopt;
    }
    auto f = split(rest, ';', name_parts + 4);
    if (f.size() < name_parts + 4) {
        return std::nullopt;
    }
    a.type = "state";
    a.target = service ? std::string(f[0]) + '/' + std::string(f[1]) : std::string(f[0]);
    a.status = std::string(f[name_parts]);
    a.state_type = std::string(f[name_parts + 1]);
    a.attempt = number(f[name_parts + 2]);
    a.detail = "attempt " + std::string(f[name_parts + 2]) + ": " + std::string(f[name_parts + 3]);
    return a;
}

} // namespace harness::alerts
