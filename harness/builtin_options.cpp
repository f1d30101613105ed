#include "harness/builtin_options.hpp"

#include "prober/target.hpp"

#include <fmt/format.h>

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
    o.helo_name = hints.helo.empty() ? "smtp-harness.localhost" : hints.helo;
    o.starttls = hints.starttls;
    o.insecure = hints.insecure;
    o.ca_file = target.ca_file.string();
    o.tls_server_name = target.tls_name;
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
    const auto mailbox_port = hints.verify == "pop3"   ? target.pop3_port
                              : hints.verify == "imap" ? target.imap_port
                                                       : 0;
    if (mailbox_port != 0) {
        // The mock files a message under its recipient's local part: the round trip sends to
        // the harness user and logs in as them.
        o.rcpt_to = {credentials.address()};
        o.verify =
            prober::parse_verify_url(fmt::format("{}://{}:{}@{}:{}", hints.verify, credentials.user,
                                                 credentials.password, target.host, mailbox_port))
                .value();
        o.verify->ca_file = o.ca_file;
        o.verify_timeout = hints.verify_timeout.value_or(o.verify_timeout);
        o.delivery_warning = hints.max_delivery_time;
    }
    if ((hints.dnsbl || hints.mx) && target.dns_port != 0) {
        o.dns_server = fmt::format("{}:{}", target.host, target.dns_port);
    }
    if (hints.dnsbl && target.dns_port != 0) {
        o.dnsbl = {"dnsbl.mock.test"};
    }
    if (hints.mx && target.dns_port != 0) {
        // The mail domain, found through its MX at the mock's DNS server, on the mock's port.
        o.host = target.mail_domain;
        o.mx = true;
    }
    return o;
}

} // namespace harness
