#include "harness/alerts/watch_redirect.hpp"

namespace harness::alerts {
namespace {

// Shell-quotes one word for sh -c.
std::string quoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

void redirect_notifier(watch::notifier_config& n, const stand_ins& to)
{
    switch (n.kind) {
    case watch::notifier_kind::webhook:
        n.webhook.url = to.webhook_base + "/hook/" + n.name;
        break;
    case watch::notifier_kind::email:
        n.email.host = to.mail_host;
        n.email.port = to.mail_port;
        n.email.insecure = true;
        n.email.auth.reset(); // the sink takes mail without AUTH
        break;
    case watch::notifier_kind::exec:
        n.exec.command = {
            "/bin/sh", "-c",
            "printf '%s\\t%s\\n' \"$0\" \"$SMTP_ALERT_JSON\" >> " + quoted(to.exec_record), n.name};
        break;
    }
}

} // namespace

watch::watch_config redirect_watch_config(watch::watch_config cfg, const stand_ins& to)
{
    for (auto& t : cfg.targets) {
        t.probe.host = to.smtp_host;
        t.probe.port = to.smtp_port;
        t.probe.implicit_tls = false;
        t.probe.insecure = true; // the mock's certificate is its own
        t.probe.tls_server_name.clear();
        t.probe.source_address.clear();
        t.probe.verify.reset(); // the round trip needs the real mailbox
    }
    for (auto& n : cfg.notifiers) {
        redirect_notifier(n, to);
    }
    cfg.listen = "127.0.0.1:0";
    cfg.state_file = to.state_file;
    return cfg;
}

} // namespace harness::alerts
