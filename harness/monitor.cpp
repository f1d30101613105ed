#include "harness/monitor.hpp"

namespace harness {

placeholder_values target_values(const monitor_target& target,
                                 const harness_credentials& credentials)
{
    return template_values({target.host, target.port, target.scenario->name,
                            target.ca_file.string(), target.cert_file.string(), target.tls_name,
                            target.dns_port, target.pop3_port, target.imap_port, credentials.user,
                            credentials.password, credentials.address(), target.mail_domain});
}

} // namespace harness
