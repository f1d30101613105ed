#include "prober/classify.hpp"
#include "prober/report.hpp"

#include "json/json_text.hpp"
#include <boost/json.hpp>
#include <cmath>

namespace prober {
namespace {

namespace json = boost::json;

// Milliseconds with microsecond precision.
double millis(std::chrono::microseconds d)
{
    return static_cast<double>(d.count()) / 1000.0;
}

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

// "failure": the kind at a phase, the internal error of an UNKNOWN, or null.
json::value failure_json(const probe_result& r)
{
    if (r.failure) {
        const auto& f = *r.failure;
        json::object jf;
        jf["kind"] = smtp::to_string(f.kind);
        jf["phase"] = smtp::to_string(f.at);
        jf["code"] = f.code != 0 ? json::value(f.code) : json::value(nullptr);
        jf["enhanced_code"] =
            f.enhanced ? json::value(f.enhanced->to_string()) : json::value(nullptr);
        jf["message"] = f.message;
        jf["received"] = f.received;
        return jf;
    }
    if (r.status != probe_status::unknown) {
        return nullptr;
    }
    json::object jf;
    jf["kind"] = nullptr;
    jf["phase"] = nullptr;
    jf["code"] = nullptr;
    jf["enhanced_code"] = nullptr;
    jf["message"] = r.internal_error;
    jf["received"] = "";
    return jf;
}

// "tls": version, cipher and certificate, or null without TLS.
json::value tls_json(const probe_result& r)
{
    if (!r.tls) {
        return nullptr;
    }
    json::object tls;
    tls["version"] = r.tls->version;
    tls["cipher"] = r.tls->cipher;
    if (r.tls->certificate) {
        const auto& c = *r.tls->certificate;
        json::object cert;
        cert["subject"] = c.subject;
        cert["not_after"] = format_rfc3339(
            std::chrono::system_clock::from_time_t(static_cast<std::time_t>(c.not_after)));
        cert["days_left"] = c.days_left;
        tls["certificate"] = std::move(cert);
    } else {
        tls["certificate"] = nullptr;
    }
    return tls;
}

} // namespace

json::object to_json(const probe_result& r)
{
    json::object o;
    o["schema"] = probe_result_schema;
    o["target"] = r.target;
    o["started_at"] = format_rfc3339(r.started_at, true);
    o["status"] = to_string(r.status);
    o["ok"] = r.ok();
    o["failure"] = failure_json(r);
    json::object timings;
    for (const auto& [p, d] : r.timings) {
        timings[smtp::to_string(p)] = millis(d);
    }
    timings["total"] = millis(r.total);
    o["timings_ms"] = std::move(timings);

    json::object server;
    server["banner"] = r.banner;
    json::array ext;
    for (const auto& e : r.extensions) {
        ext.emplace_back(e);
    }
    server["extensions"] = std::move(ext);
    o["server"] = std::move(server);

    o["tls"] = tls_json(r);
    if (r.delivery) {
        json::object d;
        d["message_id"] = r.delivery->message_id;
        d["latency_ms"] =
            r.delivery->latency ? json::value(r.delivery->latency->count()) : json::value(nullptr);
        o["delivery"] = std::move(d);
    } else {
        o["delivery"] = nullptr;
    }
    json::array dnsbl;
    for (const auto& v : r.dnsbl) {
        json::array codes;
        for (const auto& c : v.codes) {
            codes.emplace_back(c);
        }
        json::object jv{{"zone", v.zone},
                        {"query", v.query},
                        {"status", to_string(v.outcome)},
                        {"codes", std::move(codes)}};
        jv["reason"] = v.reason;
        jv["error"] = v.error;
        dnsbl.emplace_back(std::move(jv));
    }
    if (!dnsbl.empty()) {
        o["dnsbl"] = std::move(dnsbl); // with --dnsbl only
    }
    json::array transcript;
    for (const auto& e : r.transcript) {
        json::object je;
        je["t_ms"] = millis(e.t);
        je["dir"] = dir_name(e.dir);
        je["text"] = e.text;
        transcript.emplace_back(std::move(je));
    }
    o["transcript"] = std::move(transcript);
    return o;
}

std::string format_json(const probe_result& r)
{
    return json_text::serialize(to_json(r));
}

} // namespace prober
