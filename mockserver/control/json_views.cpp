#include "mockserver/control/json_views.hpp"

#include "json/rfc3339.hpp"
#include "mockserver/imap/message_text.hpp"
#include "smtp/ascii.hpp"
#include "smtp/escape.hpp"
#include "smtp/phase.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace mock::control {

boost::json::value to_json(const session_record::snapshot& s)
{
    boost::json::object o;
    o["id"] = s.id;
    o["peer"] = s.peer;
    o["local"] = s.local;
    o["started_at"] = json_text::rfc3339(s.started_at);
    if (s.ended_at) {
        o["ended_at"] = json_text::rfc3339(*s.ended_at);
    } else {
        o["ended_at"] = nullptr;
    }
    o["outcome"] = to_string(s.outcome);
    if (s.closed_by) {
        o["closed_by"] = to_string(*s.closed_by);
    } else {
        o["closed_by"] = nullptr;
    }
    if (s.tls_version) {
        boost::json::object tls;
        tls["version"] = *s.tls_version;
        tls["cipher"] = s.tls_cipher.value_or("");
        o["tls"] = std::move(tls);
    } else {
        o["tls"] = nullptr;
    }
    if (s.auth_user) {
        o["auth"] = *s.auth_user;
    } else {
        o["auth"] = nullptr;
    }
    boost::json::array transcript;
    for (const auto& e : s.transcript) {
        boost::json::object line;
        // Whole microseconds are plenty and keep the numbers short.
        line["t_ms"] = static_cast<double>(static_cast<long long>(e.t_ms * 1000.0)) / 1000.0;
        line["dir"] = e.dir;
        line["text"] = e.text;
        transcript.push_back(std::move(line));
    }
    o["transcript"] = std::move(transcript);
    o["transcript_dropped"] = s.dropped_entries;
    boost::json::array fired;
    for (const auto& f : s.fired) {
        boost::json::object rule;
        rule["rule"] = f.rule_id;
        rule["phase"] = smtp::to_string(f.at);
        fired.push_back(std::move(rule));
    }
    o["fired"] = std::move(fired);
    boost::json::array messages;
    for (const auto& id : s.messages) {
        messages.emplace_back(id);
    }
    o["messages"] = std::move(messages);
    return o;
}

std::string to_text(const session_record::snapshot& s)
{
    std::string out = fmt::format("session {} from {} to {}, started {}\n", s.id, s.peer, s.local,
                                  json_text::rfc3339(s.started_at));
    double previous = 0;
    for (const auto& e : s.transcript) {
        const double delay = e.t_ms - previous;
        previous = e.t_ms;
        const auto gap = delay >= 1 ? fmt::format("+{:.0f} ms", delay) : std::string();
        const auto tag = e.dir == "event" ? std::string("*") : e.dir + ":";
        out += fmt::format("{:>10.3f} ms {:>10}  {} {}\n", e.t_ms, gap, tag, e.text);
    }
    if (s.dropped_entries > 0) {
        out += fmt::format("({} more entries were not kept)\n", s.dropped_entries);
    }
    for (const auto& f : s.fired) {
        out += fmt::format("fault rule {} fired at {}\n", f.rule_id, smtp::to_string(f.at));
    }
    if (s.ended_at) {
        out += fmt::format("ended {}: {}, closed by {}\n", json_text::rfc3339(*s.ended_at),
                           to_string(s.outcome), s.closed_by ? to_string(*s.closed_by) : "server");
    } else {
        out += "still connected\n";
    }
    return out;
}

boost::json::value to_json(const captured_message& m)
{
    boost::json::object o;
    o["id"] = m.id;
    // Envelope addresses are bytes a client sent: escaped like every transcript line.
    o["from"] = smtp::escape_bytes(m.mail_from);
    boost::json::array to;
    for (const auto& r : m.rcpt_to) {
        to.emplace_back(smtp::escape_bytes(r));
    }
    o["to"] = std::move(to);
    o["size"] = m.data.size();
    // RFC 5322 §2.2: the header fields as written (encoded words are not decoded), escaped
    // like the envelope, since they are bytes a client sent too.
    const auto fields = imap::header_fields(imap::split_message(m.data).header);
    boost::json::value subject = nullptr;
    boost::json::array headers;
    for (const auto& f : fields) {
        const auto value = smtp::escape_bytes(f.value);
        if (subject.is_null() && smtp::iequals(f.name, "Subject")) {
            subject = boost::json::string(value);
        }
        headers.push_back(
            boost::json::object{{"name", smtp::escape_bytes(f.name)}, {"value", value}});
    }
    o["subject"] = std::move(subject);
    o["headers"] = std::move(headers);
    o["received_at"] = json_text::rfc3339(m.received_at);
    o["session"] = m.session_id;
    o["tls"] = m.tls;
    if (m.auth_user) {
        o["auth"] = *m.auth_user;
    } else {
        o["auth"] = nullptr;
    }
    return o;
}

} // namespace mock::control
