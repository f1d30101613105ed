#include "prober/classify.hpp"
#include "json/rfc3339.hpp"
#include "prober/report.hpp"

namespace prober {

namespace {

// One line per blocklist looked up: its verdict, the codes answered, and the reason or error.
void append_blocklists(std::string& out, const probe_result& r)
{
    for (const auto& v : r.dnsbl) {
        out += "  dnsbl:     " + v.zone + ": " + std::string(to_string(v.outcome));
        if (!v.codes.empty()) {
            std::string codes;
            for (const auto& c : v.codes) {
                codes += (codes.empty() ? "" : ", ") + c;
            }
            out += " (" + codes + ")";
        }
        const auto& why = v.outcome == dnsbl_result::verdict::dnsbl_error ? v.error : v.reason;
        out += why.empty() ? "\n" : ": " + why + "\n";
    }
}

// The session as swaks shows it, with the time of each line.
void append_transcript(std::string& out, const probe_result& r)
{
    out += "  transcript:\n";
    for (const auto& e : r.transcript) {
        char stamp[24];
        std::snprintf(stamp, sizeof stamp, "%9.3fs", static_cast<double>(e.t.count()) / 1e6);
        // As swaks shows it: ~ instead of - once the line travels inside TLS.
        const char* arrow = e.dir == transcript_dir::server   ? (e.tls ? "<~ " : "<- ")
                            : e.dir == transcript_dir::client ? (e.tls ? " ~>" : " ->")
                                                              : "===";
        out += "  " + std::string(stamp) + ' ' + arrow + ' ' + e.text + '\n';
    }
}

} // namespace

std::string format_text(const probe_result& r, bool verbose)
{
    std::string out = r.target + ": " + std::string(to_string(r.status));
    if (r.status == probe_status::unknown) {
        out += " - " + r.internal_error + '\n';
        return out;
    }
    if (r.failure) {
        const auto& f = *r.failure;
        out += " - " + std::string(smtp::to_string(f.kind)) + " at " +
               std::string(smtp::to_string(f.at)) + ": " + f.message + '\n';
        if (f.code != 0) {
            out += "  reply:     " + std::to_string(f.code) +
                   (f.enhanced ? " (" + f.enhanced->to_string() + ")" : std::string()) + '\n';
        }
        if (!f.received.empty()) {
            out += "  received:  \"" + f.received + "\"\n";
        }
    } else {
        out += " in " + format_seconds(r.total) + '\n';
    }
    if (!r.banner.empty()) {
        out += "  banner:    " + r.banner + '\n';
    }
    if (!r.extensions.empty()) {
        std::string ext;
        for (const auto& e : r.extensions) {
            ext += (ext.empty() ? "" : ", ") + e;
        }
        out += "  ehlo:      " + ext + '\n';
    }
    if (r.tls) {
        out += "  tls:       " + r.tls->version + ' ' + r.tls->cipher + '\n';
        if (r.tls->certificate) {
            const auto& c = *r.tls->certificate;
            out += "  cert:      " + c.subject + ", expires " +
                   json_text::rfc3339_seconds(std::chrono::system_clock::from_time_t(
                       static_cast<std::time_t>(c.not_after))) +
                   " (" + std::to_string(c.days_left) + " days)\n";
        }
    }
    if (r.delivery) {
        out += "  message:   <" + r.delivery->message_id + ">";
        if (!r.delivery->queued_reply.empty()) {
            out += " " + r.delivery->queued_reply;
        }
        if (r.delivery->latency) {
            out += ", delivered in " +
                   format_seconds(
                       std::chrono::duration_cast<std::chrono::microseconds>(*r.delivery->latency));
        }
        out += '\n';
    }
    if (r.mx && r.mx->ok()) {
        out += "  mx:        " + describe_route(*r.mx) + '\n';
    }
    append_blocklists(out, r);
    std::string timings;
    for (const auto& [p, d] : r.timings) {
        timings += (timings.empty() ? "" : ", ") + std::string(smtp::to_string(p)) + ' ' +
                   format_seconds(d);
    }
    out += "  timings:   " + timings + "; total " + format_seconds(r.total) + '\n';
    if (verbose) {
        append_transcript(out, r);
    }
    return out;
}

} // namespace prober
