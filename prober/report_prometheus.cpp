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

void header(std::string& out, const metric& m)
{
    prometheus_text::family(out, m.name, "gauge", m.help);
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

} // namespace

std::string format_prometheus(const std::vector<probe_result>& results)
{
    std::string out;
    auto t = [](const probe_result& r) {
        return "target=\"" + prometheus_text::label_value(r.target) + '"';
    };

    header(out, {"probe_success", "Whether the SMTP probe succeeded (1) or failed (0)."});
    for (const auto& r : results) {
        out += "probe_success{" + t(r) + "} " + (succeeded(r) ? "1" : "0") + '\n';
    }
    header(out, {"probe_duration_seconds", "How long the SMTP session took, in seconds."});
    for (const auto& r : results) {
        out += "probe_duration_seconds{" + t(r) + "} " + number(seconds(r.total)) + '\n';
    }
    header(out, {"probe_dns_lookup_time_seconds", "Time spent resolving the target, in seconds."});
    for (const auto& r : results) {
        if (auto dns = r.timing(smtp::phase::dns)) {
            out += "probe_dns_lookup_time_seconds{" + t(r) + "} " + number(seconds(*dns)) + '\n';
        }
    }
    bool any_tls = false;
    for (const auto& r : results) {
        any_tls = any_tls || r.tls.has_value();
    }
    if (any_tls) {
        header(out, {"probe_tls_version_info", "The TLS version negotiated, as a label."});
        for (const auto& r : results) {
            if (r.tls) {
                out += "probe_tls_version_info{" + t(r) + ",version=\"" +
                       prometheus_text::label_value(r.tls->version) + "\"} 1\n";
            }
        }
    }
    bool any_cert = false;
    for (const auto& r : results) {
        any_cert = any_cert || (r.tls && r.tls->certificate);
    }
    if (any_cert) {
        header(out, {"probe_ssl_earliest_cert_expiry",
                     "Expiry of the server certificate, in Unix seconds."});
        for (const auto& r : results) {
            if (r.tls && r.tls->certificate) {
                out += "probe_ssl_earliest_cert_expiry{" + t(r) + "} " +
                       std::to_string(r.tls->certificate->not_after) + '\n';
            }
        }
    }
    header(out,
           {"probe_smtp_phase_duration_seconds", "Time spent in each SMTP phase, in seconds."});
    for (const auto& r : results) {
        for (const auto& [p, d] : r.timings) {
            out += "probe_smtp_phase_duration_seconds{" + t(r) + ",phase=\"" +
                   std::string(smtp::to_string(p)) + "\"} " + number(seconds(d)) + '\n';
        }
    }
    header(out, {"probe_smtp_status_code",
                 "The code of the SMTP reply that failed the probe, else of the last reply (0 "
                 "when none)."});
    for (const auto& r : results) {
        out += "probe_smtp_status_code{" + t(r) + "} " + std::to_string(r.deciding_code()) + '\n';
    }
    header(out, {"probe_smtp_last_status_code",
                 "The code of the last SMTP reply received, e.g. 221 to QUIT (0 when none)."});
    for (const auto& r : results) {
        out += "probe_smtp_last_status_code{" + t(r) + "} " + std::to_string(r.last_code) + '\n';
    }
    header(out, {"probe_smtp_failure",
                 "1 for the failure the probe found, labelled with its kind and phase."});
    for (const auto& r : results) {
        if (r.failure) {
            out += "probe_smtp_failure{" + t(r) + ",kind=\"" +
                   std::string(smtp::to_string(r.failure->kind)) + "\",phase=\"" +
                   std::string(smtp::to_string(r.failure->at)) + "\"} 1\n";
        }
    }
    header(out, {"probe_smtp_nagios_status",
                 "The Nagios status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."});
    for (const auto& r : results) {
        out += "probe_smtp_nagios_status{" + t(r) + "} " +
               std::to_string(static_cast<int>(r.status)) + '\n';
    }
    bool any_delivery = false;
    for (const auto& r : results) {
        any_delivery = any_delivery || (r.delivery && r.delivery->latency);
    }
    if (any_delivery) {
        header(out, {"probe_smtp_delivery_latency_seconds",
                     "Time from the end of DATA until the message was found in the mailbox."});
        for (const auto& r : results) {
            if (r.delivery && r.delivery->latency) {
                out += "probe_smtp_delivery_latency_seconds{" + t(r) + "} " +
                       number(static_cast<double>(r.delivery->latency->count()) / 1e3) + '\n';
            }
        }
    }
    return out;
}

} // namespace prober
