#include "watch/alert_payload.hpp"

#include "prober/test_message.hpp"
#include "smtp/ascii.hpp"

#include "json/json_text.hpp"
#include "json/rfc3339.hpp"
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <ctime>

namespace watch {
namespace {

std::string kind_text(const alert_event& e)
{
    return e.kind ? std::string(to_string(*e.kind)) : std::string();
}

std::string phase_text(const alert_event& e)
{
    return e.phase ? std::string(to_string(*e.phase)) : std::string();
}

bool resolves(const alert_event& e)
{
    return e.type == notification_type::recovery || e.type == notification_type::flapping_stop;
}

// Header values stay on one line (RFC 5322 §2.2: no bare CR or LF).
std::string one_line(std::string_view s)
{
    std::string out;
    for (char c : s) {
        out += (c == '\r' || c == '\n') ? ' ' : c;
    }
    return out;
}

} // namespace

boost::json::object alert_json(const alert_event& e)
{
    boost::json::object o;
    o["schema"] = alert_schema;
    o["type"] = to_string(e.type);
    o["id"] = e.id;
    o["target"] = e.target;
    o["status"] = to_string(e.status);
    o["problem_status"] = to_string(e.problem_status);
    if (e.kind) {
        o["kind"] = to_string(*e.kind);
    } else {
        o["kind"] = nullptr;
    }
    if (e.phase) {
        o["phase"] = to_string(*e.phase);
    } else {
        o["phase"] = nullptr;
    }
    o["code"] = e.code;
    o["message"] = e.message;
    o["summary"] = e.summary();
    o["attempt"] = e.attempt;
    o["max_attempts"] = e.max_attempts;
    o["notification"] = e.number;
    o["flapping"] = e.flapping;
    o["flap_percent"] = e.flap_percent;
    o["at"] = json_text::rfc3339(e.at);
    o["since"] = json_text::rfc3339(e.since);
    return o;
}

boost::json::array alertmanager_json(const alert_event& e)
{
    const bool flap =
        e.type == notification_type::flapping_start || e.type == notification_type::flapping_stop;
    boost::json::object labels;
    labels["alertname"] = flap ? "SMTPProbeFlapping" : "SMTPProbeFailed";
    labels["target"] = e.target;
    labels["severity"] = smtp::to_lower(to_string(e.problem_status));
    if (e.kind) {
        labels["kind"] = to_string(*e.kind);
    }
    if (e.phase) {
        labels["phase"] = to_string(*e.phase);
    }
    boost::json::object annotations;
    annotations["summary"] = e.summary();
    annotations["description"] = e.message;
    annotations["alert_id"] = e.id;
    boost::json::object alert;
    alert["labels"] = std::move(labels);
    alert["annotations"] = std::move(annotations);
    // Both a problem and a flapping event carry when they began in `since`.
    alert["startsAt"] = json_text::rfc3339(e.since);
    if (resolves(e)) {
        alert["endsAt"] = json_text::rfc3339(e.at);
    }
    alert["generatorURL"] = "smtp-probe://watch/" + e.target;
    boost::json::array out;
    out.push_back(std::move(alert));
    return out;
}

std::string webhook_body(const alert_event& e, webhook_format format)
{
    return format == webhook_format::alertmanager ? json_text::serialize(alertmanager_json(e))
                                                  : json_text::serialize(alert_json(e));
}

std::string alert_email(const alert_event& e, const email_settings& settings,
                        const std::string& message_id, std::string_view notifier)
{
    std::string to;
    for (const auto& r : settings.to) {
        to += (to.empty() ? "" : ", ") + r;
    }
    std::string m;
    m += "From: " + settings.from + "\r\n";
    m += "To: " + to + "\r\n";
    m += "Subject: " + one_line(settings.subject_prefix + ' ' + e.summary()) + "\r\n";
    m += "Date: " + prober::rfc5322_date(e.at) + "\r\n";
    m += "Message-ID: <" + message_id + ">\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=utf-8\r\n";
    m += "Content-Transfer-Encoding: 8bit\r\n";
    m += "X-Smtp-Alert-Type: " + std::string(to_string(e.type)) + "\r\n";
    m += "X-Smtp-Alert-Target: " + one_line(e.target) + "\r\n";
    m += "X-Smtp-Alert-Status: " + std::string(to_string(e.status)) + "\r\n";
    m += "X-Smtp-Alert-Id: " + one_line(e.id) + "\r\n";
    if (e.kind && e.phase) {
        m += "X-Smtp-Alert-Kind: " + kind_text(e) + "\r\n";
        m += "X-Smtp-Alert-Phase: " + phase_text(e) + "\r\n";
    }
    if (!notifier.empty()) {
        m += "X-Smtp-Alert-Notifier: " + one_line(notifier) + "\r\n";
    }
    m += "\r\n";
    m += e.summary() + "\r\n\r\n";
    m += "Target:       " + e.target + "\r\n";
    m += "Status:       " + std::string(to_string(e.status)) + "\r\n";
    m += "Problem:      " + std::string(to_string(e.problem_status)) + "\r\n";
    if (e.kind) {
        m += "Failure:      " + kind_text(e) + " at " + phase_text(e) + "\r\n";
    }
    if (e.code != 0) {
        m += "Reply code:   " + std::to_string(e.code) + "\r\n";
    }
    if (!e.message.empty()) {
        m += "Detail:       " + one_line(e.message) + "\r\n";
    }
    m += "Since:        " + json_text::rfc3339(e.since) + "\r\n";
    m += "At:           " + json_text::rfc3339(e.at) + "\r\n";
    m += "Attempt:      " + std::to_string(e.attempt) + "/" + std::to_string(e.max_attempts) +
         "\r\n";
    m += "Notification: " + std::to_string(e.number) + "\r\n";
    m += "Alert id:     " + e.id + "\r\n";
    return m;
}

std::vector<std::pair<std::string, std::string>> alert_environment(const alert_event& e)
{
    return {
        {"SMTP_ALERT_TYPE", std::string(to_string(e.type))},
        {"SMTP_ALERT_TARGET", e.target},
        {"SMTP_ALERT_STATUS", std::string(to_string(e.status))},
        {"SMTP_ALERT_PROBLEM_STATUS", std::string(to_string(e.problem_status))},
        {"SMTP_ALERT_KIND", kind_text(e)},
        {"SMTP_ALERT_PHASE", phase_text(e)},
        {"SMTP_ALERT_CODE", std::to_string(e.code)},
        {"SMTP_ALERT_MESSAGE", e.message},
        {"SMTP_ALERT_SUMMARY", e.summary()},
        {"SMTP_ALERT_ID", e.id},
        {"SMTP_ALERT_AT", json_text::rfc3339(e.at)},
        {"SMTP_ALERT_SINCE", json_text::rfc3339(e.since)},
        {"SMTP_ALERT_NUMBER", std::to_string(e.number)},
        {"SMTP_ALERT_JSON", json_text::serialize(alert_json(e))},
    };
}

std::vector<std::string> expand_arguments(const std::vector<std::string>& command,
                                          const alert_event& e)
{
    const std::vector<std::pair<std::string, std::string>> fields{
        {"{type}", std::string(to_string(e.type))},
        {"{target}", e.target},
        {"{status}", std::string(to_string(e.status))},
        {"{kind}", kind_text(e)},
        {"{phase}", phase_text(e)},
        {"{summary}", e.summary()},
        {"{id}", e.id},
    };
    std::vector<std::string> out;
    for (auto arg : command) {
        for (const auto& [key, value] : fields) {
            for (auto pos = arg.find(key); pos != std::string::npos;
                 pos = arg.find(key, pos + value.size())) {
                arg.replace(pos, key.size(), value);
            }
        }
        out.push_back(std::move(arg));
    }
    return out;
}

} // namespace watch
