#pragma once

// What each notifier sends for an alert: the webhook documents, the e-mail message and the
// environment and arguments of an exec command. Pure functions of the event.

#include "watch/alert.hpp"
#include "watch/watch_config.hpp"

#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

namespace watch {

/// The schema name of the JSON alert document.
inline constexpr std::string_view alert_schema = "smtp-harness/alert/v1";


/// The JSON alert document (schema smtp-harness/alert/v1).
boost::json::object alert_json(const alert_event& e);

/// The Alertmanager form: an array with one alert (labels, annotations, startsAt, endsAt,
/// generatorURL), as Alertmanager's POST /api/v2/alerts accepts. A recovery or the end of
/// flapping sets endsAt, which resolves the alert there.
boost::json::array alertmanager_json(const alert_event& e);

/// The body a webhook posts, in its format.
std::string webhook_body(const alert_event& e, webhook_format format);

/// The e-mail message (RFC 5322, CRLF line ends, not yet dot-stuffed). The X-Smtp-Alert-*
/// headers carry the type, target, status, kind, phase, id and the notifier's name for filters.
std::string alert_email(const alert_event& e, const email_settings& settings,
                        const std::string& message_id, std::string_view notifier = {});

/// The environment of an exec notifier's command: SMTP_ALERT_TYPE, _TARGET, _STATUS,
/// _PROBLEM_STATUS, _KIND, _PHASE, _CODE, _MESSAGE, _SUMMARY, _ID, _AT, _SINCE, _NUMBER and
/// _JSON (the whole alert document).
std::vector<std::pair<std::string, std::string>> alert_environment(const alert_event& e);

/// The command's arguments with {type} {target} {status} {kind} {phase} {summary} {id}
/// replaced.
std::vector<std::string> expand_arguments(const std::vector<std::string>& command,
                                          const alert_event& e);

} // namespace watch
