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

// One sample line of a family, without the family's name: {BASE,LABELS} VALUE, where BASE is
// target="..." in smtp-probe's own exposition and empty in the exporter's (Prometheus adds
// `instance` from the scrape), and LABELS is empty or starts with a comma.
std::string sample(const std::string& base, const std::string& labels, const std::string& value)
{
    auto all = base + labels;
    if (base.empty() && !all.empty()) {
        all.erase(0, 1);
    }
    return (all.empty() ? std::string(" ") : "{" + all + "} ") + value + '\n';
}

// ",NAME="VALUE"" with the value escaped.
std::string label(std::string_view name, std::string_view value)
{
    return "," + std::string(name) + "=\"" + prometheus_text::label_value(value) + '"';
}

// A gauge family: its name and help, and the samples of one result (none, one or several
// lines, from sample()). A family that is not `always` shown is left out when no result has one.
struct family {
    metric m;
    bool always;
    std::string (*samples)(const probe_result& r, const std::string& base);
};

// In exposition order, with blackbox_exporter's names first.
const family families[] = {
    {{"probe_success", "Whether the SMTP probe succeeded (1) or failed (0)."},
     true,
     [](const probe_result& r, const std::string& b) {
         return sample(b, "", probe_succeeded(r) ? "1" : "0");
     }},
    {{"probe_duration_seconds", "How long the SMTP session took, in seconds."},
     true,
     [](const probe_result& r, const std::string& b) {
         return sample(b, "", number(seconds(r.total)));
     }},
    {{"probe_dns_lookup_time_seconds", "Time spent resolving the target, in seconds."},
     true,
     [](const probe_result& r, const std::string& b) {
         const auto dns = r.timing(smtp::phase::dns);
         return dns ? sample(b, "", number(seconds(*dns))) : std::string();
     }},
    {{"probe_ip_protocol", "The IP version of the connection: 4 or 6."},
     false,
     [](const probe_result& r, const std::string& b) {
         if (r.peer.empty()) {
             return std::string();
         }
         return sample(b, "", r.peer.front() == '[' ? "6" : "4");
     }},
    {{"probe_tls_version_info", "The TLS version negotiated, as a label."},
     false,
     [](const probe_result& r, const std::string& b) {
         return r.tls ? sample(b, label("version", r.tls->version), "1") : std::string();
     }},
    {{"probe_ssl_earliest_cert_expiry", "Expiry of the server certificate, in Unix seconds."},
     false,
     [](const probe_result& r, const std::string& b) {
         return r.tls && r.tls->certificate
                    ? sample(b, "", std::to_string(r.tls->certificate->not_after))
                    : std::string();
     }},
    {{"probe_smtp_phase_duration_seconds", "Time spent in each SMTP phase, in seconds."},
     true,
     [](const probe_result& r, const std::string& b) {
         std::string lines;
         for (const auto& [p, d] : r.timings) {
             lines += sample(b, label("phase", smtp::to_string(p)), number(seconds(d)));
         }
         return lines;
     }},
    {{"probe_smtp_status_code",
      "The code of the SMTP reply that failed the probe, else of the last reply (0 when none)."},
     true,
     [](const probe_result& r, const std::string& b) {
         return sample(b, "", std::to_string(r.deciding_code()));
     }},
    {{"probe_smtp_enhanced_status_code_info",
      "The RFC 3463 enhanced code of the reply that failed the probe, as a label."},
     false,
     [](const probe_result& r, const std::string& b) {
         if (!r.failure || !r.failure->enhanced) {
             return std::string();
         }
         return sample(b, label("code", r.failure->enhanced->to_string()), "1");
     }},
    {{"probe_smtp_last_status_code",
      "The code of the last SMTP reply received, e.g. 221 to QUIT (0 when none)."},
     true,
     [](const probe_result& r, const std::string& b) {
         return sample(b, "", std::to_string(r.last_code));
     }},
    {{"probe_smtp_failure", "1 for the failure the probe found, labelled with its kind and phase."},
     true,
     [](const probe_result& r, const std::string& b) {
         return r.failure ? sample(b,
                                   label("kind", smtp::to_string(r.failure->kind)) +
                                       label("phase", smtp::to_string(r.failure->at)),
                                   "1")
                          : std::string();
     }},
    {{"probe_smtp_nagios_status", "The Nagios status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."},
     true,
     [](const probe_result& r, const std::string& b) {
         return sample(b, "", std::to_string(static_cast<int>(r.status)));
     }},
    {{"probe_smtp_delivery_latency_seconds",
      "Time from the end of DATA until the message was found in the mailbox."},
     false,
     [](const probe_result& r, const std::string& b) {
         if (!r.delivery || !r.delivery->latency) {
             return std::string();
         }
         return sample(b, "", number(static_cast<double>(r.delivery->latency->count()) / 1e3));
     }},
    {{"probe_smtp_mx_info",
      "With --mx: the mail exchanger probed for the domain (1), with its preference (0: no MX, "
      "the domain itself) and the address connected to."},
     false,
     [](const probe_result& r, const std::string& b) {
         if (!r.mx || !r.mx->ok()) {
             return std::string();
         }
         return sample(b,
                       label("domain", r.mx->domain) + label("host", r.mx->host) +
                           label("preference", std::to_string(r.mx->preference)) +
                           label("address", r.mx->address),
                       "1");
     }},
    {{"probe_dnsbl_listed",
      "1 when the server's address is listed on the DNS blocklist zone, 0 when not; absent when "
      "the blocklist is broken."},
     false,
     [](const probe_result& r, const std::string& b) {
         std::string lines;
         for (const auto& v : r.dnsbl) {
             if (v.outcome != dnsbl_result::verdict::dnsbl_error) {
                 lines += sample(b, label("zone", v.zone),
                                 v.outcome == dnsbl_result::verdict::listed ? "1" : "0");
             }
         }
         return lines;
     }},
    {{"probe_dnsbl_error",
      "1 when the DNS blocklist zone is broken or refused the query (it says nothing), else 0."},
     false,
     [](const probe_result& r, const std::string& b) {
         std::string lines;
         for (const auto& v : r.dnsbl) {
             lines += sample(b, label("zone", v.zone),
                             v.outcome == dnsbl_result::verdict::dnsbl_error ? "1" : "0");
         }
         return lines;
     }},
};

// The exposition of `results`, each sample labelled with `base(result)`.
std::string exposition(const std::vector<probe_result>& results,
                       std::string (*base)(const probe_result& r))
{
    std::string out;
    for (const auto& f : families) {
        std::string samples;
        for (const auto& r : results) {
            for (auto lines = f.samples(r, base(r)); !lines.empty();) {
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

} // namespace

bool probe_succeeded(const probe_result& r)
{
    if (r.status == probe_status::ok) {
        return true;
    }
    return r.failure && (r.failure->kind == smtp::failure_kind::slow ||
                         r.failure->kind == smtp::failure_kind::cert_expiring);
}

std::string format_prometheus(const std::vector<probe_result>& results)
{
    return exposition(results, [](const probe_result& r) {
        return "target=\"" + prometheus_text::label_value(r.target) + '"';
    });
}

std::string format_probe_metrics(const probe_result& result)
{
    return exposition({result}, [](const probe_result&) { return std::string(); });
}

} // namespace prober
