// The watch configuration as `smtp-harness alerts` runs it: the user's settings kept, every
// address moved to the run's stand-ins.
#include "harness/alerts/watch_redirect.hpp"

#include <gtest/gtest.h>

namespace {

using namespace harness::alerts;
using namespace std::chrono_literals;

TEST(AlertsWatchRedirect, EveryAddressMovesAndEverySettingStays)
{
    const auto cfg = watch::load_watch_config(R"(
listen: 0.0.0.0:9465
state_file: /var/lib/smtp-probe/state.json
defaults: {interval: 7s, max_check_attempts: 4}
targets:
  - {name: mx, host: "mx.example.net:465", tls: true, sni: mx.example.net, cert_days: 30,
     source_address: 192.0.2.1, verify: "imap://u:p@mail.example.net", warning: 2s}
notifiers:
  - {name: hook, type: webhook, url: "http://alerts.example.net/x", format: alertmanager}
  - {name: mail, type: email, server: "smtp.example.net:587", auth: "a:b", to: [o@example.net]}
  - {name: sms, type: exec, command: [/usr/local/bin/sms, "{summary}"]}
)",
                                              "w.yaml");
    stand_ins to;
    to.smtp_host = "127.0.0.1";
    to.smtp_port = 40001;
    to.webhook_base = "http://127.0.0.1:40002";
    to.mail_host = "127.0.0.1";
    to.mail_port = 40003;
    to.exec_record = "/tmp/run/it's.log";
    to.state_file = "/tmp/run/state.json";
    const auto run = redirect_watch_config(cfg, to);

    ASSERT_EQ(run.targets.size(), 1u);
    const auto& t = run.targets[0];
    EXPECT_EQ(t.name, "mx");
    EXPECT_EQ(t.probe.host, "127.0.0.1");
    EXPECT_EQ(t.probe.port, 40001);
    EXPECT_FALSE(t.probe.implicit_tls);
    EXPECT_TRUE(t.probe.insecure);
    EXPECT_TRUE(t.probe.tls_server_name.empty());
    EXPECT_TRUE(t.probe.source_address.empty());
    EXPECT_FALSE(t.probe.verify);
    EXPECT_EQ(t.probe.cert_warn_days, 30); // the user's thresholds stay
    EXPECT_EQ(t.probe.warning, 2s);
    EXPECT_EQ(t.check.interval, 7s);
    EXPECT_EQ(t.check.max_check_attempts, 4);

    EXPECT_EQ(run.notifiers[0].webhook.url, "http://127.0.0.1:40002/hook/hook");
    EXPECT_EQ(run.notifiers[0].webhook.format, watch::webhook_format::alertmanager);
    EXPECT_EQ(run.notifiers[1].email.port, 40003);
    EXPECT_FALSE(run.notifiers[1].email.auth);
    EXPECT_EQ(run.notifiers[1].email.to, cfg.notifiers[1].email.to);
    const auto& exec = run.notifiers[2].exec.command;
    ASSERT_EQ(exec.size(), 4u);
    EXPECT_EQ(exec[0], "/bin/sh");
    EXPECT_NE(exec[2].find("'/tmp/run/it'\\''s.log'"), std::string::npos) << exec[2];
    EXPECT_EQ(exec[3], "sms"); // $0: the notifier's name

    EXPECT_EQ(run.listen, "127.0.0.1:0");
    EXPECT_EQ(run.state_file, "/tmp/run/state.json");
}

} // namespace
