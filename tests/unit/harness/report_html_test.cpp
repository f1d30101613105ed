#include "harness/report.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace harness {
namespace {

using namespace std::chrono_literals;

std::size_t count(const std::string& text, std::string_view what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

// A fault caught on 2 of 3 checks: its rules, its monitor's output and two recorded sessions,
// one of them with a fired rule, a pause and hostile bytes.
scenario_result flapping()
{
    scenario_result r;
    r.scenario = "flapping";
    r.summary = "Every other connection gets 421.";
    r.expected.statuses = {monitor_status::critical};
    r.expected.kind = smtp::failure_kind::temp_failure;
    r.expected.phase = smtp::phase::banner;
    r.expected.verdicts = {verdict::caught};
    r.observed.status = monitor_status::critical;
    r.observed.kind = smtp::failure_kind::temp_failure;
    r.observed.phase = smtp::phase::banner;
    r.observed.summary = "SMTP CRITICAL - temp_failure at banner";
    r.observed.output = "SMTP CRITICAL - temp_failure at banner: server replied \"421 ...\"\n";
    r.outcome = verdict::caught;
    r.as_expected = true;
    r.checks = {{verdict::caught, true, true},
                {verdict::passed, false, false},
                {verdict::caught, true, true}};
    r.fired_checks = 2;
    r.caught_checks = 2;
    r.fault_rules = {R"({"id":"r1","when":{"phase":"banner"},"do":{"reply":["421 4.3.2 x"]}})"};
    r.transcripts = {
        {1,
         "127.0.0.1:40000",
         "fault_closed",
         {{0.1, "event", "connection from 127.0.0.1:40000"},
          {0.3, "event", "fault rule r1 fired at banner (reply)"},
          {2000.5, "S", "421 4.3.2 localhost Service not available"},
          {2001.0, "C", "<script>alert(1)</script>\x01"}}},
        {2,
         "127.0.0.1:40002",
         "quit",
         {{0.2, "S", "220 localhost ESMTP"},
          {0.3, "C", "EHLO x"},
          {0.4, "S", "250-localhost"},
          {0.5, "S", "250 SMTPUTF8"}}},
    };
    return r;
}

scenario_result missed()
{
    scenario_result r;
    r.scenario = "mail-451";
    r.expected.statuses = {monitor_status::critical};
    r.expected.verdicts = {verdict::caught};
    r.observed.status = monitor_status::ok;
    r.observed.summary = "SMTP OK";
    r.outcome = verdict::missed;
    r.fault_never_fired = true;
    r.fault_rules = {R"({"id":"r1"})"};
    r.unfired_rules = {"r1"};
    return r;
}

run_info info()
{
    run_info i;
    i.monitor = "cmd:check <x>";
    i.duration = 4100ms;
    i.seed = 7;
    return i;
}

TEST(report_html, is_one_page_with_no_external_assets)
{
    const auto page = format_html({flapping(), missed()}, info());
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html")) << page.substr(0, 40);
    EXPECT_TRUE(page.ends_with("</html>\n"));
    for (const char* external : {"http:", "https:", "src=", "<link", "<script", "@import"}) {
        EXPECT_EQ(page.find(external), std::string::npos) << external;
    }
    for (const char* tag : {"table", "tr", "details", "section", "pre", "summary"}) {
        EXPECT_EQ(count(page, fmt::format("<{}>", tag)) + count(page, fmt::format("<{} ", tag)),
                  count(page, fmt::format("</{}>", tag)))
            << tag;
    }
    EXPECT_NE(page.find("<code>cmd:check &lt;x&gt;</code>"), std::string::npos);
    EXPECT_NE(page.find("fault seed 7"), std::string::npos);
    EXPECT_NE(page.find("<strong>1 unexpected verdicts</strong>"), std::string::npos);
}

TEST(report_html, shows_each_scenarios_verdict_checks_monitor_fault_and_transcript)
{
    const auto page = format_html({flapping(), missed()}, info());
    // The matrix links each scenario to its section.
    EXPECT_NE(page.find("<a href=\"#s-flapping\">flapping</a>"), std::string::npos);
    EXPECT_NE(page.find("<section id=\"s-flapping\">"), std::string::npos);
    // The verdict with its check counts, and each check.
    EXPECT_NE(page.find("caught 2/3 (fault fired on 2)"), std::string::npos);
    EXPECT_NE(page.find("3 checks; the fault fired on 2, the monitor caught it on 2"),
              std::string::npos);
    EXPECT_NE(page.find("check 2</th><td class=\"v-passed\">passed: fault did not fire, monitor "
                        "said OK"),
              std::string::npos);
    // What the monitor said, in full.
    EXPECT_NE(page.find("<pre>SMTP CRITICAL - temp_failure at banner: server replied "
                        "&quot;421 ...&quot;\n</pre>"),
              std::string::npos);
    // The fault: its listener and rules.
    EXPECT_NE(page.find("Listener: open."), std::string::npos);
    EXPECT_NE(page.find("&quot;id&quot;:&quot;r1&quot;,&quot;when&quot;"), std::string::npos);
    // The transcripts, on demand: each session, how it ended, the fired rule highlighted, the
    // pause, and what the 421 means.
    EXPECT_NE(page.find("<summary>session 1 from 127.0.0.1:40000, ended: fault_closed</summary>"),
              std::string::npos);
    EXPECT_NE(page.find("<summary>session 2 from 127.0.0.1:40002, ended: quit</summary>"),
              std::string::npos);
    EXPECT_NE(page.find("<tr class=\"dir-event fault\"><td class=\"t\">0.3 ms</td><td "
                        "class=\"t\">+0.2</td><td></td><td>mock</td><td class=\"text\">fault "
                        "rule r1 fired at banner (reply)</td>"),
              std::string::npos);
    // The phase where it changes: the banner first, then each command's.
    EXPECT_NE(page.find("<td class=\"t\">+0.1</td><td>banner</td><td>mock</td><td class=\"text\">"
                        "connection from 127.0.0.1:40000</td>"),
              std::string::npos);
    EXPECT_NE(page.find("<td>ehlo</td><td>C</td><td class=\"text\">EHLO x</td>"),
              std::string::npos);
    // A reply's meaning is on its last line, not on each continuation line.
    EXPECT_NE(page.find("<td class=\"text\">250-localhost</td><td class=\"meaning\"></td>"),
              std::string::npos);
    EXPECT_NE(page.find("<td class=\"text\">250 SMTPUTF8</td><td class=\"meaning\">2xx success"),
              std::string::npos);
    EXPECT_NE(page.find("… 2000 ms pass with nothing said"), std::string::npos);
    EXPECT_NE(page.find("<td class=\"text\">421 4.3.2 localhost Service not available</td>"
                        "<td class=\"meaning\">4xx transient failure (try again later), about "
                        "the connection; 4.3.2: persistent transient failure, mail system "
                        "status</td>"),
              std::string::npos);
}

TEST(report_html, escapes_hostile_transcript_bytes)
{
    const auto page = format_html({flapping()}, info());
    EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;\\x01"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find('\x01'), std::string::npos);
}

TEST(report_html, opens_an_unexpected_verdict_and_says_the_fault_never_fired)
{
    const auto page = format_html({flapping(), missed()}, info());
    EXPECT_NE(page.find("<tr class=\"unexpected\"><td><a href=\"#s-mail-451\">"),
              std::string::npos);
    const auto section = page.substr(page.find("<section id=\"s-mail-451\">"));
    EXPECT_TRUE(section.starts_with("<section id=\"s-mail-451\">\n<details open>")) << section;
    EXPECT_NE(section.find("the monitor never met the fault"), std::string::npos);
    EXPECT_NE(section.find("No session: the monitor never reached the server"), std::string::npos);
    // A listener fault has no rules and is no healthy server.
    auto refused = missed();
    refused.scenario = "connect-refused";
    refused.listener = "closed";
    refused.fault_rules.clear();
    refused.fault_never_fired = false;
    const auto closed = format_html({refused}, info());
    EXPECT_NE(closed.find("Listener: closed. No fault rules: the listener's state is the "
                          "fault."),
              std::string::npos);
    EXPECT_EQ(closed.find("a healthy server"), std::string::npos);
    // An expected verdict starts closed.
    EXPECT_NE(page.find("<section id=\"s-flapping\">\n<details><summary>"), std::string::npos);
}

} // namespace
} // namespace harness
