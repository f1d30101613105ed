#include "harness/builtin_monitor.hpp"

#include "prober/report.hpp"
#include "prober/run_probe.hpp"

#include <exception>

namespace harness {

prober::probe_options builtin_probe_options(const monitor_target& target,
                                            const harness_credentials& credentials,
                                            const builtin_defaults& defaults)
{
    const auto& hints = target.scenario->probe;
    prober::probe_options o;
    o.host = target.host;
    o.implicit_tls = hints.tls;
    o.port = hints.tls && target.tls_port != 0 ? target.tls_port : target.port;
    o.timeout = hints.timeout.value_or(defaults.timeout);
    o.connect_timeout = hints.connect_timeout.value_or(defaults.connect_timeout);
    o.command_timeout = hints.command_timeout.value_or(defaults.command_timeout);
    o.helo_name = "smtp-harness.localhost";
    o.starttls = hints.starttls;
    o.insecure = hints.insecure;
    o.ca_file = target.ca_file.string();
    // The mock's certificates name "localhost" (and 127.0.0.1).
    o.tls_server_name = std::string(mock_tls_name);
    o.cert_warn_days = hints.cert_days_warning;
    o.cert_crit_days = hints.cert_days_critical;
    if (hints.auth) {
        o.auth = prober::auth_credentials{credentials.user, credentials.password};
    }
    o.send = hints.send;
    o.mail_from = "smtp-harness@localhost";
    o.rcpt_to = {"postmaster@localhost"};
    o.quit_after = hints.quit_after;
    o.warning = hints.warning;
    o.critical = hints.critical;
    return o;
}

observation to_observation(const prober::probe_result& r)
{
    observation o;
    // The probe's UNKNOWN is its own internal error: it could not be run, so there is no status.
    if (r.status != prober::probe_status::unknown) {
        o.status = static_cast<monitor_status>(static_cast<int>(r.status));
    }
    if (r.failure) {
        o.kind = r.failure->kind;
        o.phase = r.failure->at;
    }
    o.summary = prober::format_nagios(r);
    while (!o.summary.empty() && o.summary.back() == '\n') {
        o.summary.pop_back();
    }
    o.output = prober::format_text(r, true);
    if (r.status == prober::probe_status::unknown) {
        o.error = r.internal_error;
    }
    return o;
}

observation builtin_monitor::observe(const monitor_target& target) const
{
    const auto start = std::chrono::steady_clock::now();
    observation o;
    try {
        o = to_observation(prober::run_probe(builtin_probe_options(target, credentials_)));
    } catch (const std::exception& e) {
        o.error = std::string("the probe failed: ") + e.what();
    }
    o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return o;
}

} // namespace harness
