#include "harness/alerts/captured_alert.hpp"

#include "harness/alerts/prometheus_rules.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <ctime>

namespace harness::alerts {
namespace {

namespace json = boost::json;

std::string text_of(const json::object& o, std::string_view key)
{
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                    : std::string();
}

int number_of(const json::object& o, std::string_view key)
{
    auto it = o.find(key);
    return it != o.end() && it->value().is_int64() ? static_cast<int>(it->value().as_int64()) : 0;
}

captured_alert from_alert_json(const json::object& o)
{
    captured_alert a;
    a.type = text_of(o, "type");
    a.target = text_of(o, "target");
    a.status = text_of(o, "status");
    a.kind = text_of(o, "kind");
    a.phase = text_of(o, "phase");
    a.id = text_of(o, "id");
    a.attempt = number_of(o, "attempt");
    a.notification = number_of(o, "notification");
    return a;
}

// The alerts of an Alertmanager webhook notification (its payload version 4): each alert's
// status says whether it fires or is resolved; the severity label is the status of a problem,
// as in alerts Prometheus's rules fire; the label set identifies the alert.
std::vector<captured_alert> from_alertmanager_notification(std::string_view receiver,
                                                           const json::array& alerts,
                                                           std::chrono::milliseconds t)
{
    std::vector<captured_alert> out;
    for (const auto& item : alerts) {
        const auto* labels = item.is_object() ? item.as_object().if_contains("labels") : nullptr;
        if (labels == nullptr || !labels->is_object()) {
            continue;
        }
        const bool resolved = text_of(item.as_object(), "status") == "resolved";
        captured_alert a;
        a.channel = "webhook";
        a.notifier = std::string(receiver);
        a.type = resolved ? "recovery" : "problem";
        prometheus_text::label_set set;
        for (const auto& [k, value] : labels->as_object()) {
            if (value.is_string()) {
                set.emplace_back(std::string(k), std::string(value.as_string()));
            }
        }
        std::sort(set.begin(), set.end());
        a.labels = set;
        a.alertname = text_of(labels->as_object(), "alertname");
        a.target = text_of(labels->as_object(), "instance");
        a.status = resolved ? "OK" : text_of(labels->as_object(), "severity");
        a.id = labels_text(set);
        a.t = t;
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text)
{
    // RFC 3339 §5.6: date "T" time, any digits of fraction (milliseconds are kept), then "Z" or
    // a numeric offset (Go writes nanoseconds and the zone of the clock).
    std::tm tm{};
    int used = 0;
    const std::string s(text);
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used != 19) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    int ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        std::size_t digits = 0;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits) {
            if (digits < 3) {
                ms = ms * 10 + (s[pos] - '0');
            }
        }
        if (digits == 0) {
            return std::nullopt;
        }
        for (; digits < 3; ++digits) {
            ms *= 10;
        }
    }
    int offset_min = 0;
    if (s.substr(pos) != "Z") {
        int hh = 0, mm = 0;
        char sign = 0;
        if (s.size() - pos != 6 ||
            std::sscanf(s.c_str() + pos, "%c%2d:%2d", &sign, &hh, &mm) != 3 ||
            (sign != '+' && sign != '-')) {
            return std::nullopt;
        }
        offset_min = (sign == '+' ? 1 : -1) * (hh * 60 + mm);
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    auto secs = timegm(&tm);
    return std::chrono::system_clock::time_point(std::chrono::seconds(secs)) +
           std::chrono::milliseconds(ms) - std::chrono::minutes(offset_min);
}

std::vector<captured_alert> alerts_from_webhook(std::string_view notifier, std::string_view body,
                                                std::chrono::milliseconds t)
{
    std::vector<captured_alert> out;
    json::value v;
    try {
        v = json::parse(body);
    } catch (const std::exception&) {
        return out;
    }
    if (const auto* o = v.if_object();
        o && o->contains("receiver") && o->contains("alerts") && o->at("alerts").is_array()) {
        return from_alertmanager_notification(notifier, o->at("alerts").as_array(), t);
    }
    if (v.is_object()) {
        auto a = from_alert_json(v.as_object());
        a.channel = "webhook";
        a.notifier = std::string(notifier);
        a.t = t;
        out.push_back(std::move(a));
        return out;
    }
    if (!v.is_array()) {
        return out;
    }
    // Alertmanager alerts: endsAt resolves; the alert name tells flapping from failure.
    for (const auto& item : v.as_array()) {
        if (!item.is_object()) {
            continue;
        }
        const auto& o = item.as_object();
        const auto* labels = o.if_contains("labels");
        if (labels == nullptr || !labels->is_object()) {
            continue;
        }
        const auto& l = labels->as_object();
        bool flap = text_of(l, "alertname") == "SMTPProbeFlapping";
        bool resolved = o.contains("endsAt");
        captured_alert a;
        a.channel = "webhook";
        a.notifier = std::string(notifier);
        a.type = flap ? (resolved ? "flapping_stop" : "flapping_start")
                      : (resolved ? "recovery" : "problem");
        a.target = text_of(l, "target");
        a.status = resolved && !flap ? "OK" : smtp::to_upper(text_of(l, "severity"));
        a.kind = text_of(l, "kind");
        a.phase = text_of(l, "phase");
        a.alertname = text_of(l, "alertname");
        for (const auto& [k, value] : l) {
            if (value.is_string()) {
                a.labels.emplace_back(std::string(k), std::string(value.as_string()));
            }
        }
        if (const auto* ann = o.if_contains("annotations"); ann && ann->is_object()) {
            a.id = text_of(ann->as_object(), "alert_id");
        }
        a.t = t;
        out.push_back(std::move(a));
    }
    return out;
}

std::optional<captured_alert> alert_from_email(std::string_view raw, std::chrono::milliseconds t)
{
    captured_alert a;
    a.channel = "email";
    a.t = t;
    // Headers end at the first empty line (RFC 5322 §2.1).
    auto end = raw.find("\r\n\r\n");
    auto headers = raw.substr(0, end);
    std::size_t pos = 0;
    bool any = false;
    while (pos < headers.size()) {
        auto eol = headers.find("\r\n", pos);
        auto line = headers.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
        pos = eol == std::string_view::npos ? headers.size() : eol + 2;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        std::string name = smtp::to_upper(std::string(line.substr(0, colon)));
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        std::string v(value);
        if (name == "X-SMTP-ALERT-TYPE") {
            a.type = v;
            any = true;
        } else if (name == "X-SMTP-ALERT-TARGET") {
            a.target = v;
        } else if (name == "X-SMTP-ALERT-STATUS") {
            a.status = v;
        } else if (name == "X-SMTP-ALERT-KIND") {
            a.kind = v;
        } else if (name == "X-SMTP-ALERT-PHASE") {
            a.phase = v;
        } else if (name == "X-SMTP-ALERT-ID") {
            a.id = v;
        } else if (name == "X-SMTP-ALERT-NOTIFIER") {
            a.notifier = v;
        }
    }
    if (!any) {
        return std::nullopt;
    }
    return a;
}

std::optional<captured_alert> alert_from_exec_line(std::string_view line,
                                                   std::chrono::system_clock::time_point run_start)
{
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) {
        return std::nullopt;
    }
    try {
        auto v = json::parse(line.substr(tab + 1));
        if (!v.is_object()) {
            return std::nullopt;
        }
        auto a = from_alert_json(v.as_object());
        a.channel = "exec";
        a.notifier = std::string(line.substr(0, tab));
        auto at = parse_rfc3339(text_of(v.as_object(), "at"));
        if (!at) {
            return std::nullopt;
        }
        a.t = std::chrono::duration_cast<std::chrono::milliseconds>(*at - run_start);
        return a;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace harness::alerts
