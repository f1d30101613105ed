#include "harness/alerts/alert_expectations.hpp"
#include "harness/alerts/alert_verdict.hpp"
#include "harness/alerts/alerts_report.hpp"
#include "harness/alerts/nagios_config.hpp"
#include "harness/alerts/nagios_events.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace {

using namespace harness::alerts;
using namespace std::chrono_literals;

const char* objects = R"(# hosts
define host {
    use          generic-host
    host_name    mx1
    address      mx1.example.net  ; the production name
    check_command check-host-alive
}
define host{
    host_name mx2
}
define command {
    command_name check_smtp_tls
    command_line $USER1$/check_smtp -H $HOSTADDRESS$ -S -D $ARG1$ -w 2 -c 5
}
define command {
    command_name check-host-alive
    command_line $USER1$/check_ping -H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 1
}
define contact {
    contact_name oncall
    service_notification_commands notify-service-by-email,notify-by-sms
    host_notification_commands    notify-host-by-email
}
)";

TEST(NagiosConfig, HostsPointAtTheMockAndContactsAtTheRecorder)
{
    nagios_rewrite_counts counts;
    auto out = rewrite_nagios_objects(objects, 40123, counts);
    EXPECT_EQ(counts.hosts, 2);
    EXPECT_EQ(counts.check_commands, 1);
    EXPECT_EQ(counts.contacts, 1);
    EXPECT_NE(out.find("address 127.0.0.1 ; was: mx1.example.net"), std::string::npos) << out;
    EXPECT_EQ(out.find("address      mx1.example.net"), std::string::npos) << out;
    // mx2 had no address: Nagios would have used its name.
    auto mx2 = out.find("host_name mx2");
    ASSERT_NE(mx2, std::string::npos);
    EXPECT_NE(out.find("address 127.0.0.1\n", mx2), std::string::npos) << out;
    // The user's plugin and arguments stay; only the mock's address and port are added (the
    // last -H and -p win, so even a command naming its server checks the mock).
    EXPECT_NE(
        out.find("check_smtp -H $HOSTADDRESS$ -S -D $ARG1$ -w 2 -c 5 -H 127.0.0.1 -p 40123\n"),
        std::string::npos)
        << out;
    EXPECT_NE(out.find("-p 1\n"), std::string::npos) << "check_ping is left alone: " << out;
    EXPECT_NE(out.find("service_notification_commands smtp-harness-record-notification ; was: "
                       "notify-service-by-email,notify-by-sms"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("host_notification_commands smtp-harness-record-notification"),
              std::string::npos);
    EXPECT_NE(out.find("# hosts\n"), std::string::npos);
}

TEST(NagiosConfig, TemplatesAreRewrittenButNotCounted)
{
    nagios_rewrite_counts counts;
    auto out = rewrite_nagios_objects("define host {\n    name linux-server\n    register 0\n}\n"
                                      "define contact {\n    name generic-contact\n"
                                      "    service_notification_commands notify-by-email\n"
                                      "    register      0 ; a template\n}\n"
                                      "define host {\n    use linux-server\n    host_name mx1\n}\n",
                                      25, counts);
    EXPECT_EQ(counts.hosts, 1);
    EXPECT_EQ(counts.contacts, 0);
    EXPECT_NE(out.find("service_notification_commands smtp-harness-record-notification"),
              std::string::npos)
        << out;
}

TEST(NagiosConfig, MainConfigurationKeepsEverythingInTheRunDirectory)
{
    nagios_run_paths p;
    p.dir = "/tmp/run";
    p.object_files = {"/tmp/run/objects-1-services.cfg"};
    p.harness_objects = "/tmp/run/smtp-harness.cfg";
    p.user = "u";
    p.group = "g";
    auto c = nagios_main_config(p, 1, 60);
    EXPECT_NE(c.find("cfg_file=/tmp/run/objects-1-services.cfg\n"), std::string::npos);
    EXPECT_NE(c.find("interval_length=1\n"), std::string::npos);
    EXPECT_NE(c.find("check_external_commands=0\n"), std::string::npos);
    EXPECT_NE(c.find("use_syslog=0\n"), std::string::npos);
    EXPECT_NE(c.find("enable_environment_macros=1\n"), std::string::npos);
    // A cached host check result (15 s by default) is scaled: at 1 s per minute every
    // scheduled host check runs.
    EXPECT_NE(c.find("cached_host_check_horizon=0\n"), std::string::npos) << c;
    EXPECT_NE(nagios_main_config(p, 60, 1).find("cached_host_check_horizon=15\n"),
              std::string::npos);
    EXPECT_NE(nagios_main_config(p, 12, 5).find("cached_service_check_horizon=3\n"),
              std::string::npos);
    // A configuration counting in 30 s units, at --time-scale 3: the horizon is a time, not a
    // count of units, so it is divided by the scale alone.
    EXPECT_NE(nagios_main_config(p, 10, 3).find("cached_host_check_horizon=5\n"),
              std::string::npos);
    std::size_t pos = 0;
    while ((pos = c.find('/', pos)) != std::string::npos) {
        EXPECT_EQ(c.compare(pos, 9, "/tmp/run/") == 0 || c.compare(pos, 8, "/tmp/run") == 0, true)
            << "a path outside the run directory at " << pos << ": " << c;
        pos = c.find('\n', pos);
    }
}

TEST(NagiosConfig, MainConfigurationDirectivesAreFound)
{
    EXPECT_FALSE(find_main_directive(objects));
    EXPECT_FALSE(find_main_directive("define host { host_name a }\n"
                                     "define command {\n  command_line /x -a=b ; c=d\n}\n"));
    auto main = find_main_directive("# nagios.cfg\n\nlog_file=/var/log/nagios4/nagios.log\n"
                                    "cfg_dir=/etc/nagios4/conf.d\n");
    ASSERT_TRUE(main);
    EXPECT_EQ(main->line, 3u);
    EXPECT_EQ(main->text, "log_file=/var/log/nagios4/nagios.log");
    auto after = find_main_directive("define host {\n  host_name a\n}\ninclude_dir=more\n");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->line, 4u);
    EXPECT_EQ(after->text, "include_dir=more");
}

TEST(NagiosConfig, TimeScaleDividesTheIntervalLength)
{
    EXPECT_EQ(nagios_interval_length(1), 60);
    EXPECT_EQ(nagios_interval_length(12), 5);
    EXPECT_EQ(nagios_interval_length(60), 1);
    EXPECT_THROW(nagios_interval_length(0), std::invalid_argument);
    EXPECT_THROW(nagios_interval_length(120), std::invalid_argument);
    try {
        nagios_interval_length(7);
        FAIL() << "7 does not divide 60";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "--time-scale 7: Nagios counts intervals in whole seconds, so the "
                               "scale must divide the configuration's interval_length of 60s "
                               "(--interval-length): 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60");
    }
    // A configuration whose interval unit is not a minute.
    EXPECT_EQ(nagios_interval_length(30, 30), 1);
    EXPECT_EQ(nagios_interval_length(1, 30), 30);
    try {
        nagios_interval_length(60, 30);
        FAIL() << "60 does not divide 30";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("interval_length of 30s (--interval-length): 1, 2, "
                                             "3, 5, 6, 10, 15 or 30"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(nagios_interval_length(1, 0), std::invalid_argument);
}

TEST(NagiosEvents, RecorderLinesAreNotifications)
{
    const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(1796177500));
    auto a = alert_from_nagios_record(
        "1796177512.250000000\tCONTACTNAME=oncall\tNOTIFICATIONTYPE=PROBLEM\tHOSTNAME=mx1\t"
        "SERVICEDESC=SMTP\tHOSTSTATE=UP\tSERVICESTATE=CRITICAL\tSERVICESTATETYPE=HARD\t"
        "SERVICEATTEMPT=3\tMAXSERVICEATTEMPTS=3\tNOTIFICATIONNUMBER=1\t"
        "SERVICEOUTPUT=CRITICAL - Socket timeout after 2 seconds",
        start);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->channel, "nagios");
    EXPECT_EQ(a->notifier, "oncall");
    EXPECT_EQ(a->type, "problem");
    EXPECT_EQ(a->target, "mx1/SMTP");
    EXPECT_EQ(a->status, "CRITICAL");
    EXPECT_EQ(a->state_type, "HARD");
    EXPECT_EQ(a->t, 12250ms);
    EXPECT_EQ(a->detail, "attempt 3/3, notification 1: CRITICAL - Socket timeout after 2 seconds");
    EXPECT_EQ(a->attempt, 3);
    EXPECT_EQ(a->notification, 1);
    auto f = alert_from_nagios_record(
        "1796177530.0\tCONTACTNAME=oncall\tNOTIFICATIONTYPE=FLAPPINGSTART\tHOSTNAME=mx1\t"
        "SERVICEDESC=SMTP\tSERVICESTATE=OK",
        start);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->type, "flapping_start");
    EXPECT_EQ(f->attempt, 0) << "no SERVICEATTEMPT given";
    auto host = alert_from_nagios_record(
        "1796177540.5\tCONTACTNAME=oncall\tNOTIFICATIONTYPE=RECOVERY\tHOSTNAME=gateway\t"
        "SERVICEDESC=\tHOSTSTATE=UP\tHOSTSTATETYPE=HARD\tHOSTATTEMPT=2\tNOTIFICATIONNUMBER=4",
        start);
    ASSERT_TRUE(host);
    EXPECT_EQ(host->target, "gateway");
    EXPECT_EQ(host->status, "UP");
    EXPECT_EQ(host->attempt, 2);
    EXPECT_EQ(host->notification, 4);
    EXPECT_FALSE(alert_from_nagios_record("garbage", start));
    EXPECT_FALSE(alert_from_nagios_record("1796177530.0\tCONTACTNAME=x", start));
}

TEST(NagiosEvents, LogLinesAreStateChangesAndFlapping)
{
    const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(1796177500));
    auto soft = alert_from_nagios_log(
        "[1796177559] SERVICE ALERT: mx1;SMTP;CRITICAL;SOFT;1;CRITICAL - Socket timeout; really",
        start);
    ASSERT_TRUE(soft);
    EXPECT_EQ(soft->channel, "nagios-log");
    EXPECT_EQ(soft->type, "state");
    EXPECT_EQ(soft->target, "mx1/SMTP");
    EXPECT_EQ(soft->status, "CRITICAL");
    EXPECT_EQ(soft->state_type, "SOFT");
    EXPECT_EQ(soft->detail, "attempt 1: CRITICAL - Socket timeout; really");
    EXPECT_EQ(soft->attempt, 1);
    EXPECT_EQ(soft->t, 59s);
    auto host =
        alert_from_nagios_log("[1796177560] HOST ALERT: mx1;DOWN;HARD;3;PING CRITICAL", start);
    ASSERT_TRUE(host);
    EXPECT_EQ(host->target, "mx1");
    EXPECT_EQ(host->status, "DOWN");
    auto flap = alert_from_nagios_log(
        "[1796177570] SERVICE FLAPPING ALERT: mx1;SMTP;STARTED; Service appears to have started "
        "flapping (24.3% change >= 20.0% threshold)",
        start);
    ASSERT_TRUE(flap);
    EXPECT_EQ(flap->type, "flapping_start");
    EXPECT_EQ(flap->target, "mx1/SMTP");
    EXPECT_FALSE(
        alert_from_nagios_log("[1796177512] INITIAL SERVICE STATE: mx1;SMTP;OK;HARD;1;", start));
    EXPECT_FALSE(alert_from_nagios_log(
        "[1796177512] SERVICE NOTIFICATION: oncall;mx1;SMTP;CRITICAL;notify;x", start));
    EXPECT_FALSE(alert_from_nagios_log("[1796177512] Nagios 4.4.6 starting...", start));
}

TEST(NagiosEvents, StatusDataIsWhereEachHostAndServiceStands)
{
    // Abridged from a status.dat Nagios 4.4.6 wrote during a run.
    const char* status = "info {\n\tcreated=1796177600\n\tversion=4.4.6\n\t}\n\n"
                         "programstatus {\n\tnagios_pid=4242\n\t}\n\n"
                         "hoststatus {\n\thost_name=mx1\n\tcurrent_state=1\n"
                         "\tstate_type=0\n\tcurrent_attempt=2\n\tmax_attempts=3\n"
                         "\tplugin_output=PING CRITICAL - Packet loss = 100%\n"
                         "\tcurrent_notification_number=0\n\tis_flapping=0\n"
                         "\tpercent_state_change=0.00\n\t}\n\n"
                         "servicestatus {\n\thost_name=mx1\n\tservice_description=SMTP\n"
                         "\tcurrent_state=2\n\tstate_type=1\n\tcurrent_attempt=3\n"
                         "\tmax_attempts=3\n\tplugin_output=CRITICAL - Socket timeout = 3s\n"
                         "\tcurrent_notification_number=2\n\tis_flapping=1\n"
                         "\tpercent_state_change=37.25\n\t}\n\n"
                         "contactstatus {\n\tcontact_name=oncall\n\t}\n";
    auto states = alerts_from_nagios_status(status, 70s);
    ASSERT_EQ(states.size(), 2u);
    const auto& host = states[0];
    EXPECT_EQ(host.channel, "nagios-status");
    EXPECT_EQ(host.type, "status");
    EXPECT_EQ(host.target, "mx1");
    EXPECT_EQ(host.status, "DOWN");
    EXPECT_EQ(host.state_type, "SOFT");
    EXPECT_EQ(host.attempt, 2);
    EXPECT_EQ(host.t, 70s);
    const auto& service = states[1];
    EXPECT_EQ(service.target, "mx1/SMTP");
    EXPECT_EQ(service.status, "CRITICAL");
    EXPECT_EQ(service.state_type, "HARD");
    EXPECT_EQ(service.notification, 2);
    EXPECT_EQ(service.detail, "attempt 3/3, flapping (37.2% state change), notification 2: "
                              "CRITICAL - Socket timeout = 3s");
    EXPECT_TRUE(alerts_from_nagios_status("", 1s).empty());
    EXPECT_TRUE(alerts_from_nagios_status("servicestatus {\n\thost_name=mx1\n", 1s).empty())
        << "a block cut short is not read";
}

TEST(NagiosExpectations, NotifiesNamesContactsAndStateTypeIsChecked)
{
    timeline tl;
    tl.steps.push_back({"outage", "banner-missing", "x", 30s});
    auto ex = load_expectations("expectations:\n"
                                "  - step: outage\n"
                                "    fires: {status: CRITICAL, state_type: HARD}\n"
                                "    within: [0s, 20s]\n"
                                "    notifies: [oncall, ops]\n",
                                "e.yaml", tl);
    ASSERT_EQ(ex.items.size(), 1u);
    EXPECT_EQ(ex.items[0].state_type, "HARD");
    EXPECT_EQ(ex.items[0].notifiers, (std::vector<std::string>{"oncall", "ops"}));
    EXPECT_THROW(load_expectations("expectations:\n  - step: outage\n"
                                   "    fires: {state_type: hardly}\n",
                                   "e.yaml", tl),
                 alerts_file_error);

    captured_alert soft;
    soft.channel = "nagios";
    soft.notifier = "oncall";
    soft.type = "problem";
    soft.target = "mx1/SMTP";
    soft.status = "CRITICAL";
    soft.state_type = "SOFT";
    soft.t = 5s;
    captured_alert hard = soft;
    hard.state_type = "HARD";
    hard.notifier = "ops";
    hard.t = 9s;
    step_times times{{0ms}, {30s}};
    auto r = evaluate(ex, tl, times, {soft, hard});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].passed);
    EXPECT_NE(r[0].failure.find("oncall: no problem notification"), std::string::npos)
        << r[0].failure;
    soft.state_type = "HARD";
    EXPECT_TRUE(evaluate(ex, tl, times, {soft, hard})[0].passed);
}

TEST(NagiosReports, JsonAndJunitStateTheTimeScaleAndRealTimeWindows)
{
    alerts_run_result r;
    r.tl.name = "scaled";
    r.tl.steps.push_back({"warmup", "healthy", "x", 6s});
    r.tl.steps.push_back({"outage", "banner-missing", "x", 20s});
    r.times = {{0ms, 6s}, {6s, 26s}};
    auto ex =
        load_expectations("expectations:\n"
                          "  - name: pages\n"
                          "    step: outage\n"
                          "    fires: {status: CRITICAL}\n"
                          "    within: [4s, 17s]\n"
                          "    resolves_within: [0s, 8s]\n"
                          "  - {name: calm, step: warmup, quiet: true, quiet_after: 2500ms}\n",
                          "e.yaml", r.tl);
    r.results = evaluate(ex, r.tl, r.times, {});
    // A watch run is not scaled: its reports say nothing about real time.
    EXPECT_EQ(format_json(r).find("real_"), std::string::npos);
    EXPECT_EQ(format_junit(r).find("<properties>"), std::string::npos);

    r.time_scale = make_time_scale(60, 1, ex);
    const auto doc = boost::json::parse(format_json(r)).as_object();
    const auto& scale = doc.at("time_scale").as_object();
    EXPECT_EQ(scale.at("factor").as_int64(), 60);
    EXPECT_EQ(scale.at("interval_length_s").as_int64(), 1);
    EXPECT_EQ(scale.at("real_duration").as_string(), "26m");
    EXPECT_DOUBLE_EQ(scale.at("real_duration_s").to_number<double>(), 1560.0);
    const auto& outage = doc.at("steps").as_array().at(1).as_object();
    EXPECT_EQ(outage.at("real_duration").as_string(), "20m");
    EXPECT_DOUBLE_EQ(outage.at("real_duration_s").to_number<double>(), 1200.0);
    const auto& results = doc.at("results").as_array();
    EXPECT_EQ(results.at(0).at("real_time").as_string(),
              "within [4m, 17m], resolves within [0ms, 8m]");
    EXPECT_EQ(results.at(1).at("real_time").as_string(), "quiet until 150s after the step");

    const auto xml = format_junit(r);
    EXPECT_NE(xml.find("<property name=\"time_scale\" value=\"60\"/>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<property name=\"interval_length_s\" value=\"1\"/>"), std::string::npos);
    EXPECT_NE(xml.find("<property name=\"real_duration\" value=\"26m\"/>"), std::string::npos);
    EXPECT_NE(xml.find("<property name=\"step.outage.real_duration\" value=\"20m\"/>"),
              std::string::npos);
    const auto pages = xml.find("name=\"pages\"");
    ASSERT_NE(pages, std::string::npos);
    EXPECT_NE(xml.find("<property name=\"real_time\" value=\"within [4m, 17m], resolves within "
                       "[0ms, 8m]\"/>",
                       pages),
              std::string::npos)
        << xml;
}

} // namespace
