#include "metrics/prometheus_text.hpp"
#include "prober/report.hpp"

#include <cstdio>

namespace prober {
namespace {

std::string number(double v)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

double seconds(std::chrono::microseconds d)
{
    return static_cast<double>(d.count()) / 1e6;
}

struct metric {
    std::string_view name;
    std::string_view help;
};

// One sample line of `r`'s family, without the family's name: {target="...",LABELS} VALUE.
std::string sample(const probe_result& r, const std::string& labels, const std::string& value)
{
    return "{target=\"" + prometheus_text::label_value(r.target) + '"' + labels + "} " + value +
           '\n';
}

// ",NAME="VALUE"" with the value escaped.
std::string label(std::string_view name, std::string_view value)
{
    return "," + std::string(name) + "=\"" + prometheus_text::label_value(value) + '"';
}

// Whether the SMTP service worked: slowness and certificate expiry have their own series, as
// with blackbox_exporter, and do not fail the probe.
bool succeeded(const probe_result& r)
{
    if (r.status == probe_status::ok) {
        return true;
    }
    return r.failure && (r.failure->kind == smtp::failure_kind::slow ||
                         r.failure->kind == smtp::failure_kind::cert_expiring);
}

// A gauge family: its name and help, and the samples of one result (none, one or several
// lines, from sample()). A family that is not `always` shown is left out when no result has one.
struct family {
    metric m;
    bool always;
    std::string (*samples)(const probe_result& r);
};

// In exposition order, with blackbox_exporter's names first.
const family families[] = {
    {{"probe_success", "Whether the SMTP probe succeeded (1) or failed (0)."},
     true,
     [](const probe_result& r) {
         return sample(r, "", succeeded(r) ? "1" : "0");
     }},
    {{"probe_duration_seconds", "How long the SMTP session took, in seconds."},
     true,
     [](const probe_result& r) {
         return sample(r, "", number(seconds(r.total)));
     }},
    {{"probe_dns_lookup_time_seconds", "Time spent resolving the target, in seconds."},
     true,
     [](const probe_result& r) {
         const auto dns = r.timing(smtp::phase::dns);
         return dns ? sample(r, "", number(seconds(*dns))) : std::string();
     }},
    {{"probe_tls_version_info", "The TLS version negotiated, as a label."},
     false,
     [](const probe_result& r) {
         return r.tls ? sample(r, label("version", r.tls->version), "1") : std::string();
     }},
    {{"probe_ssl_earliest_cert_expiry", "Expiry of the server certificate, in Unix seconds."},
     false,
     [](const probe_result& r) {
         return r.tls && r.tls->certificate
                    ? sample(r, "", std::to_string(r.tls->certificate->not_after))
                    : std::string();
     }},
    {{"probe_smtp_phase_duration_seconds", "Time spent in each SMTP phase, in seconds."},
     true,
     [](const probe_result& r) {
         std::string lines;
         for (const auto& [p, d] : r.timings) {
             lines += sample(r, label("phase", smtp::to_string(p)), number(seconds(d)));
         }
         return lines;
     }},
    {{"probe_smtp_status_code",
      "The code of the SMTP reply that failed the probe, else of the last reply (0 when none)."},
     true,
     [](const probe_result& r) {
         return sample(r, "", std::to_string(r.deciding_code()));
     }},
    {{"probe_smtp_last_status_code",
      "The code of the last SMTP reply received, e.g. 221 to QUIT (0 when none)."},
     true,
     [](const probe_result& r) {
         return sample(r, "", std::to_string(r.last_code));
     }},
    {{"probe_smtp_failure", "1 for the failure the probe found, labelled with its kind and phase."},
     true,
     [](const probe_result& r) {
         return r.failure ? sample(r,
                                   label("kind", smtp::to_string(r.failure->kind)) +
                                       label("phase", smtp::to_string(r.failure->at)),
                                   "1")
                          : std::string();
     }},
    {{"probe_smtp_nagios_status", "The Nagios status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."},
     true,
     [](const probe_result& r) {
         return sample(r, "", std::to_string(static_cast<int>(r.status)));
     }},
    {{"probe_smtp_delivery_latency_seconds",
      "Time from the end of DATA until the message was found in the mailbox."},
     false,
     [](const probe_result& r) {
         if (!r.delivery || !r.delivery->latency) {
             return std::string();
         }
         return sample(r, "", number(static_cast<double>(r.delivery->latency->count()) / 1e3));
     }},
};

} // namespace

std::string format_prometheus(const std::vector<probe_result>& results)
{
    std::string out;
    for (const auto& f : families) {
        std::string samples;
        for (const auto& r : results) {
            for (auto lines = f.samples(r); !lines.empty();) {
                const auto end = lines.find('\n') + 1;
                samples += std::string(f.m.name) + lines.substr(0, end);
                lines.erase(0, end);
            }
        }
        if (f.always || !samples.empty()) {
            prometheus_text::family(out, f.m.name, "gauge", f.m.help);
            out += samples;
        }
    }
    return out;
}

} // namespace prober
