#include "prober/classify.hpp"
#include "prober/report.hpp"

#include <cstdio>

namespace prober {
namespace {

// Seconds with three decimals and no unit, for perfdata thresholds.
std::string plain_seconds(std::chrono::microseconds d)
{
    auto s = format_seconds(d);
    s.pop_back();
    return s;
}

// Perfdata labels must not contain '=' or a quote (Nagios plugin guidelines §2.6).
std::string sanitize(std::string text)
{
    for (char& c : text) {
        if (c == '|') {
            c = '/'; // a '|' would start the perfdata
        } else if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    return text;
}

} // namespace

std::string format_nagios(const probe_result& r)
{
    std::string out = "SMTP " + std::string(to_string(r.status)) + " - ";
    if (r.status == probe_status::unknown) {
        return out + sanitize(r.internal_error) + '\n';
    }
    if (r.failure) {
        out += std::string(smtp::to_string(r.failure->kind)) + " at " +
               std::string(smtp::to_string(r.failure->at)) + ": " + sanitize(r.failure->message);
    } else {
        out += format_seconds(r.total) + " response time";
        if (!r.banner.empty()) {
            out += ", banner \"" + sanitize(r.banner) + '"';
        }
        if (r.delivery && r.delivery->latency) {
            out += ", delivered in " +
                   format_seconds(
                       std::chrono::duration_cast<std::chrono::microseconds>(*r.delivery->latency));
        } else if (r.delivery && !r.delivery->queued_reply.empty()) {
            out += ", message accepted";
        }
    }
    if (r.mx && r.mx->ok()) {
        out += ", MX " + sanitize(r.mx->host) + " (" + r.mx->address + ")";
    }
    // Perfdata (Nagios plugin guidelines §2.6): label=value[UOM];[warn];[crit];[min];[max]
    auto threshold = [](const std::optional<std::chrono::milliseconds>& t) {
        return t ? plain_seconds(std::chrono::duration_cast<std::chrono::microseconds>(*t))
                 : std::string();
    };
    out += " | time=" + format_seconds(r.total) + ';' + threshold(r.warning) + ';' +
           threshold(r.critical) + ";0";
    for (const auto& [p, d] : r.timings) {
        out += ' ' + std::string(smtp::to_string(p)) + '=' + format_seconds(d) + ";;;0";
    }
    if (r.tls && r.tls->certificate) {
        out += " cert_days=" + std::to_string(r.tls->certificate->days_left);
    }
    if (r.delivery && r.delivery->latency) {
        out += " delivery=" +
               format_seconds(
                   std::chrono::duration_cast<std::chrono::microseconds>(*r.delivery->latency)) +
               ";;;0";
    }
    out += '\n';
    return out;
}

} // namespace prober
