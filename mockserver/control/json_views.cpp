#include "mockserver/control/json_views.hpp"

#include "mockserver/imap/message_text.hpp"
#include "smtp/ascii.hpp"
#include "smtp/escape.hpp"
#include "smtp/phase.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace mock::control {

namespace {

// Writes `n` (below 10^width) in `width` digits, with leading zeros.
char* put_digits(char* out, unsigned n, int width) noexcept
{
    for (int i = width - 1; i >= 0; --i, n /= 10) {
        out[i] = static_cast<char>('0' + n % 10);
    }
    return out + width;
}

} // namespace

std::string rfc3339(std::chrono::system_clock::time_point t)
{
    // The civil date of the UTC day from the calendar of <chrono>, as gmtime_r() gives it (no
    // leap seconds), without its lock of the time zone and without formatting: a session's
    // `session_opened` event carries one, thousands a second.
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t.time_since_epoch());
    const auto day = floor<days>(ms);
    const year_month_day date{sys_days(day)};
    const hh_mm_ss time{ms - day};
    const int y = static_cast<int>(date.year());
    if (y < 0 || y > 9999) {
        return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y,
                           static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                           time.hours().count(), time.minutes().count(), time.seconds().count(),
                           time.subseconds().count());
    }
    char text[24]; // YYYY-MM-DDTHH:MM:SS.mmmZ
    char* p = put_digits(text, static_cast<unsigned>(y), 4);
    *p++ = '-';
    p = put_digits(p, static_cast<unsigned>(date.month()), 2);
    *p++ = '-';
    p = put_digits(p, static_cast<unsigned>(date.day()), 2);
    *p++ = 'T';
    p = put_digits(p, static_cast<unsigned>(time.hours().count()), 2);
    *p++ = ':';
    p = put_digits(p, static_cast<unsigned>(time.minutes().count()), 2);
    *p++ = ':';
    p = put_digits(p, static_cast<unsigned>(time.seconds().count()), 2);
    *p++ = '.';
    p = put_digits(p, static_cast<unsigned>(time.subseconds().count()), 3);
    *p++ = 'Z';
    return std::string(text, p);
}

boost::json::value to_json(const session_record::snapshot& s)
{
    boost::json::object o;
    o["id"] = s.id;
    o["peer"] = s.peer;
    o["local"] = s.local;
    o["started_at"] = rfc3339(s.started_at);
    if (s.ended_at) {
        o["ended_at"] = rfc3339(*s.ended_at);
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
                                  rfc3339(s.started_at));
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
        out += fmt::format("ended {}: {}, closed by {}\n", rfc3339(*s.ended_at),
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
    o["received_at"] = rfc3339(m.received_at);
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
