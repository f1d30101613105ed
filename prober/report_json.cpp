#include "prober/classify.hpp"
#include "prober/report.hpp"

#include "json/json_text.hpp"
#include "json/rfc3339.hpp"
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prober {
namespace {

std::string_view dir_name(transcript_dir d)
{
    switch (d) {
    case transcript_dir::server:
        return "S";
    case transcript_dir::client:
        return "C";
    case transcript_dir::event:
        return "event";
    }
    return "event";
}

// Writes one JSON object member by member, into the one output string: no document is built.
// Keys are the schema's own names, plain ASCII, written as they are.
class object_writer {
public:
    explicit object_writer(std::string& out)
        : out_(out)
    {
        out_ += '{';
    }
    object_writer(const object_writer&) = delete;
    object_writer& operator=(const object_writer&) = delete;
    ~object_writer() { out_ += '}'; }

    // Starts the member `k`; its value is to be appended next.
    std::string& key(std::string_view k)
    {
        // Three appends of known lengths: a result has about sixty members.
        out_.append(",\"" + (first_ ? 1 : 0), first_ ? 1 : 2);
        first_ = false;
        out_.append(k);
        out_.append("\":", 2);
        return out_;
    }
    void string(std::string_view k, std::string_view v) { json_text::append_string(key(k), v); }
    // Milliseconds with microsecond precision, written as their double would be (1.234) but
    // without formatting a double: most of the CPU a JSON result used to cost.
    void milliseconds(std::string_view k, std::chrono::microseconds d)
    {
        json_text::append_milliseconds(key(k), d);
    }
    void integer(std::string_view k, std::int64_t v) { json_text::append_number(key(k), v); }
    void null(std::string_view k) { key(k) += "null"; }
    void boolean(std::string_view k, bool v) { key(k) += v ? "true" : "false"; }

private:
    std::string& out_;
    bool first_ = true;
};

// An array: `write(out, item)` for each of `items`.
template <typename Items, typename Write>
void append_array(std::string& out, const Items& items, Write write)
{
    out += '[';
    bool first = true;
    for (const auto& item : items) {
        if (!first) {
            out += ',';
        }
        first = false;
        write(out, item);
    }
    out += ']';
}

// An array of strings.
void append_strings(std::string& out, const std::vector<std::string>& items)
{
    append_array(out, items, [](std::string& o, const std::string& s) {
        json_text::append_string(o, s);
    });
}

// "failure": the kind at a phase, the internal error of an UNKNOWN, or null.
void append_failure(std::string& out, const probe_result& r)
{
    if (r.failure) {
        const auto& f = *r.failure;
        object_writer jf(out);
        jf.string("kind", smtp::to_string(f.kind));
        jf.string("phase", smtp::to_string(f.at));
        if (f.code != 0) {
            jf.integer("code", f.code);
        } else {
            jf.null("code");
        }
        if (f.enhanced) {
            jf.string("enhanced_code", f.enhanced->to_string());
        } else {
            jf.null("enhanced_code");
        }
        jf.string("message", f.message);
        jf.string("received", f.received);
        return;
    }
    if (r.status != probe_status::unknown) {
        out += "null";
        return;
    }
    object_writer jf(out);
    jf.null("kind");
    jf.null("phase");
    jf.null("code");
    jf.null("enhanced_code");
    jf.string("message", r.internal_error);
    jf.string("received", "");
}

// "tls": version, cipher and certificate, or null without TLS.
void append_tls(std::string& out, const probe_result& r)
{
    if (!r.tls) {
        out += "null";
        return;
    }
    object_writer tls(out);
    tls.string("version", r.tls->version);
    tls.string("cipher", r.tls->cipher);
    if (!r.tls->certificate) {
        tls.null("certificate");
        return;
    }
    const auto& c = *r.tls->certificate;
    object_writer cert(tls.key("certificate"));
    cert.string("subject", c.subject);
    cert.string("not_after", json_text::rfc3339_seconds(std::chrono::system_clock::from_time_t(
                                 static_cast<std::time_t>(c.not_after))));
    cert.integer("days_left", c.days_left);
}

// "delivery": the test message, or null when none was sent.
void append_delivery(std::string& out, const probe_result& r)
{
    if (!r.delivery) {
        out += "null";
        return;
    }
    object_writer d(out);
    d.string("message_id", r.delivery->message_id);
    if (r.delivery->latency) {
        d.integer("latency_ms", r.delivery->latency->count());
    } else {
        d.null("latency_ms");
    }
}

// "dnsbl": each blocklist's verdict (with --dnsbl only).
void append_dnsbl(std::string& out, const probe_result& r)
{
    append_array(out, r.dnsbl, [](std::string& o, const dnsbl_result& v) {
        object_writer jv(o);
        jv.string("zone", v.zone);
        jv.string("query", v.query);
        jv.string("status", to_string(v.outcome));
        append_strings(jv.key("codes"), v.codes);
        jv.string("reason", v.reason);
        jv.string("error", v.error);
    });
}

void append_transcript(std::string& out, const probe_result& r)
{
    append_array(out, r.transcript, [](std::string& o, const transcript_entry& e) {
        object_writer je(o);
        je.milliseconds("t_ms", e.t);
        je.string("dir", dir_name(e.dir));
        je.string("text", e.text);
    });
}

// "server": the banner and the EHLO keywords.
void append_server(std::string& out, const probe_result& r)
{
    object_writer server(out);
    server.string("banner", r.banner);
    append_strings(server.key("extensions"), r.extensions);
}

// "mx": the mail domain's route (--mx only): the MX records tried in order and the host and
// address chosen (empty when none was found: the failure says why).
void append_mx(std::string& out, const mx_outcome& m)
{
    object_writer o(out);
    o.string("domain", m.domain);
    append_array(o.key("exchanges"), m.exchanges, [](std::string& out2, const mx_host& h) {
        object_writer e(out2);
        e.integer("preference", h.preference);
        e.string("host", h.exchange);
    });
    o.boolean("implicit", m.implicit);
    o.string("host", m.host);
    o.integer("preference", m.preference);
    o.string("address", m.address);
    append_strings(o.key("addresses"), m.addresses);
}

} // namespace

void append_json(std::string& out, const probe_result& r)
{
    object_writer o(out);
    o.string("schema", probe_result_schema);
    o.string("target", r.target);
    o.string("started_at", json_text::rfc3339(r.started_at));
    o.string("status", to_string(r.status));
    o.boolean("ok", r.ok());
    append_failure(o.key("failure"), r);
    {
        object_writer timings(o.key("timings_ms"));
        for (const auto& [p, d] : r.timings) {
            timings.milliseconds(smtp::to_string(p), d);
        }
        timings.milliseconds("total", r.total);
    }
    append_server(o.key("server"), r);
    append_tls(o.key("tls"), r);
    append_delivery(o.key("delivery"), r);
    if (r.mx) {
        append_mx(o.key("mx"), *r.mx); // with --mx only
    }
    if (!r.dnsbl.empty()) {
        append_dnsbl(o.key("dnsbl"), r); // with --dnsbl only
    }
    append_transcript(o.key("transcript"), r);
}

std::string format_json(const probe_result& r)
{
    std::string out;
    append_json(out, r);
    return out;
}

boost::json::object to_json(const probe_result& r)
{
    return boost::json::parse(format_json(r)).as_object();
}

} // namespace prober
