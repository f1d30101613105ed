// Reporters: JSON keys of schema smtp-harness/probe-result/v1, the Nagios line, Prometheus names.
#include "prober/report.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <regex>

namespace prober {
namespace {

using namespace std::chrono_literals;

probe_result ok_result()
{
    probe_result r;
    r.target = "mx.example.test:25";
    r.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    r.status = probe_status::ok;
    r.timings = {{smtp::phase::dns, 100us},
                 {smtp::phase::connect, 900us},
                 {smtp::phase::banner, 2000us},
                 {smtp::phase::ehlo, 500us},
                 {smtp::phase::quit, 400us}};
    r.total = 3900us;
    r.banner = "mx.example.test ESMTP";
    r.extensions = {"PIPELINING", "STARTTLS"};
    r.last_code = 221;
    r.warning = 1000ms;
    r.critical = 2000ms;
    r.transcript = {{0us, transcript_dir::event, "resolving mx.example.test", false},
                    {3000us, transcript_dir::server, "220 mx.example.test ESMTP", false},
                    {3100us, transcript_dir::client, "EHLO probe", false}};
    return r;
}

probe_result timeout_result()
{
    auto r = ok_result();
    r.status = probe_status::critical;
    r.timings = {{smtp::phase::dns, 100us},
                 {smtp::phase::connect, 900us},
                 {smtp::phase::banner, 3'000'000us}};
    r.total = 3'001'000us;
    r.banner.clear();
    r.extensions.clear();
    r.last_code = 0;
    probe_failure f;
    f.kind = smtp::failure_kind::timeout;
    f.at = smtp::phase::banner;
    f.message = "no reply within 3.000s, received nothing";
    r.failure = f;
    return r;
}

TEST(report_json, has_every_field_of_design_section_5)
{
    auto r = ok_result();
    r.tls = tls_info{"TLSv1.3", "TLS_AES_256_GCM_SHA384",
                     certificate_info{"CN=mx.example.test", "CN=CA", 1'900'000'000, 1157}};
    r.delivery = delivery_info{"smtp-probe.1.2@example.test", "250 ok", 1500ms};
    auto v = boost::json::parse(format_json(r)).as_object();
    EXPECT_EQ(v.at("schema").as_string(), "smtp-harness/probe-result/v1");
    for (const char* key : {"target", "started_at", "status", "ok", "failure", "timings_ms",
                            "server", "tls", "delivery", "transcript"}) {
        EXPECT_TRUE(v.contains(key)) << key;
    }
    EXPECT_EQ(v.at("started_at").as_string(), "2027-01-15T08:00:00.000Z");
    EXPECT_EQ(v.at("status").as_string(), "OK");
    EXPECT_TRUE(v.at("ok").as_bool());
    EXPECT_TRUE(v.at("failure").is_null());
    auto timings = v.at("timings_ms").as_object();
    EXPECT_DOUBLE_EQ(timings.at("banner").to_number<double>(), 2.0);
    EXPECT_DOUBLE_EQ(timings.at("total").to_number<double>(), 3.9);
    EXPECT_EQ(v.at("server").at("banner").as_string(), "mx.example.test ESMTP");
    EXPECT_EQ(v.at("server").at("extensions").as_array().size(), 2u);
    auto cert = v.at("tls").at("certificate").as_object();
    EXPECT_EQ(cert.at("subject").as_string(), "CN=mx.example.test");
    EXPECT_EQ(cert.at("not_after").as_string(), "2030-03-17T17:46:40Z");
    EXPECT_EQ(cert.at("days_left").as_int64(), 1157);
    EXPECT_EQ(v.at("tls").at("version").as_string(), "TLSv1.3");
    EXPECT_EQ(v.at("tls").at("cipher").as_string(), "TLS_AES_256_GCM_SHA384");
    EXPECT_EQ(v.at("delivery").at("message_id").as_string(), "smtp-probe.1.2@example.test");
    EXPECT_EQ(v.at("delivery").at("latency_ms").as_int64(), 1500);
    auto t = v.at("transcript").as_array();
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[1].at("dir").as_string(), "S");
    EXPECT_EQ(t[2].at("dir").as_string(), "C");
    EXPECT_EQ(t[0].at("dir").as_string(), "event");
    EXPECT_DOUBLE_EQ(t[1].at("t_ms").to_number<double>(), 3.0);
}

TEST(report_json, failure_fields)
{
    auto r = timeout_result();
    r.failure->kind = smtp::failure_kind::perm_failure;
    r.failure->at = smtp::phase::mail;
    r.failure->code = 550;
    r.failure->enhanced = smtp::enhanced_code{5, 7, 1};
    r.failure->received = "550 5.7.1 no\\r\\n";
    auto v = boost::json::parse(format_json(r)).as_object();
    auto f = v.at("failure").as_object();
    EXPECT_EQ(f.at("kind").as_string(), "perm_failure");
    EXPECT_EQ(f.at("phase").as_string(), "mail");
    EXPECT_EQ(f.at("code").as_int64(), 550);
    EXPECT_EQ(f.at("enhanced_code").as_string(), "5.7.1");
    EXPECT_EQ(f.at("received").as_string(), "550 5.7.1 no\\r\\n");
    EXPECT_FALSE(v.at("ok").as_bool());
    EXPECT_TRUE(v.at("tls").is_null());
    EXPECT_TRUE(v.at("delivery").is_null());
    auto t = timeout_result();
    auto tv = boost::json::parse(format_json(t)).as_object();
    EXPECT_TRUE(tv.at("failure").at("code").is_null());
    EXPECT_TRUE(tv.at("failure").at("enhanced_code").is_null());
}

TEST(report_nagios, status_line_and_perfdata)
{
    EXPECT_EQ(format_nagios(timeout_result()),
              "SMTP CRITICAL - timeout at banner: no reply within 3.000s, received nothing | "
              "time=3.001s;1.000;2.000;0 dns=0.000s;;;0 connect=0.000s;;;0 banner=3.000s;;;0\n");
    auto ok = format_nagios(ok_result());
    EXPECT_TRUE(ok.starts_with("SMTP OK - 0.003s response time, banner \"mx.example.test ESMTP\" | "
                               "time=0.003s;1.000;2.000;0 "))
        << ok;
    // Perfdata labels and values follow the plugin guidelines: label=value[UOM];w;c;min
    auto perf = ok.substr(ok.find(" | ") + 3);
    std::regex item(R"([a-z_]+=[0-9.]+s?(;[0-9.]*){0,4})");
    std::size_t start = 0;
    while (start < perf.size() - 1) {
        auto end = perf.find_first_of(" \n", start);
        EXPECT_TRUE(std::regex_match(perf.substr(start, end - start), item))
            << perf.substr(start, end - start);
        start = end + 1;
    }
    auto pipe = ok_result();
    pipe.status = probe_status::warning;
    pipe.failure =
        probe_failure{smtp::failure_kind::timeout, smtp::phase::quit, 0, {}, "a | b", "", {}};
    auto line = format_nagios(pipe);
    EXPECT_EQ(std::count(line.begin(), line.end(), '|'), 1) << line; // only the perfdata bar
    EXPECT_TRUE(line.starts_with("SMTP WARNING - timeout at quit: a / b |"));
    probe_result unknown;
    unknown.status = probe_status::unknown;
    unknown.internal_error = "bad option";
    EXPECT_EQ(format_nagios(unknown), "SMTP UNKNOWN - bad option\n");
}

TEST(report_prometheus, blackbox_names_and_smtp_metrics)
{
    auto a = ok_result();
    a.tls = tls_info{"TLSv1.3", "X", certificate_info{"CN=a", "CN=b", 1'900'000'000, 10}};
    auto b = timeout_result();
    b.target = "[::1]:2525";
    auto text = format_prometheus({a, b});
    for (const char* line :
         {"probe_success{target=\"mx.example.test:25\"} 1\n",
          "probe_success{target=\"[::1]:2525\"} 0\n",
          "probe_duration_seconds{target=\"mx.example.test:25\"} 0.0039\n",
          "probe_ssl_earliest_cert_expiry{target=\"mx.example.test:25\"} 1900000000\n",
          "probe_smtp_phase_duration_seconds{target=\"[::1]:2525\",phase=\"banner\"} 3\n",
          "probe_smtp_status_code{target=\"mx.example.test:25\"} 221\n",
          "probe_smtp_failure{target=\"[::1]:2525\",kind=\"timeout\",phase=\"banner\"} 1\n",
          "probe_dns_lookup_time_seconds{target=\"mx.example.test:25\"} 0.0001\n",
          "probe_tls_version_info{target=\"mx.example.test:25\",version=\"TLSv1.3\"} 1\n",
          "# TYPE probe_success gauge\n", "# TYPE probe_smtp_failure gauge\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
    }
    // One HELP/TYPE per metric name however many targets.
    std::size_t count = 0;
    for (std::size_t p = 0; (p = text.find("# TYPE probe_success ", p)) != std::string::npos; ++p) {
        ++count;
    }
    EXPECT_EQ(count, 1u);
    // Every sample line is NAME{labels} VALUE.
    std::regex sample(R"(^[a-z_]+\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\} [0-9.e+-]+$)");
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        auto l = text.substr(start, end - start);
        if (!l.starts_with("#")) {
            EXPECT_TRUE(std::regex_match(l, sample)) << l;
        }
        start = end + 1;
    }
}

TEST(report_prometheus, status_code_is_the_failing_reply_not_quit)
{
    // A 554 failed the probe; the courtesy QUIT that followed got 221.
    auto r = ok_result();
    r.status = probe_status::critical;
    r.last_code = 221;
    probe_failure f;
    f.kind = smtp::failure_kind::perm_failure;
    f.at = smtp::phase::mail;
    f.code = 554;
    f.message = "server replied \"554 5.7.1 no\"";
    r.failure = f;
    auto text = format_prometheus({r});
    EXPECT_NE(text.find("probe_smtp_status_code{target=\"mx.example.test:25\"} 554\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("probe_smtp_last_status_code{target=\"mx.example.test:25\"} 221\n"),
              std::string::npos)
        << text;
    // Without a failing reply (a timeout, or success) it is the last reply.
    auto t = timeout_result();
    t.last_code = 220;
    EXPECT_NE(format_prometheus({t}).find("probe_smtp_status_code{target=\"mx.example.test:25\"} "
                                          "220\n"),
              std::string::npos);
}

TEST(report_json, is_valid_utf8_whatever_the_result_holds)
{
    // The session escapes what servers send; anything else that is not UTF-8 (a host name from
    // the command line) still makes valid JSON, as U+FFFD.
    auto r = timeout_result();
    r.target = "mx\xff.example.test:25";
    r.failure->message = "cannot resolve \"mx\xff\"";
    auto text = format_json(r);
    boost::system::error_code ec;
    auto parsed = boost::json::parse(text, ec);
    ASSERT_FALSE(ec) << text;
    EXPECT_EQ(parsed.at("target").as_string(), "mx\xef\xbf\xbd.example.test:25");
}

TEST(report_text, shows_failure_and_transcript)
{
    auto r = timeout_result();
    auto plain = format_text(r, false);
    EXPECT_TRUE(plain.starts_with("mx.example.test:25: CRITICAL - timeout at banner: no reply "
                                  "within 3.000s, received nothing\n"));
    EXPECT_EQ(plain.find("transcript"), std::string::npos);
    auto verbose = format_text(r, true);
    EXPECT_NE(verbose.find("    0.003s <-  220 mx.example.test ESMTP\n"), std::string::npos)
        << verbose;
    EXPECT_NE(verbose.find("    0.003s  -> EHLO probe\n"), std::string::npos);
    r.transcript.push_back({4000us, transcript_dir::server, "250 inside TLS", true});
    EXPECT_NE(format_text(r, true).find("    0.004s <~  250 inside TLS\n"), std::string::npos);
}

TEST(report, worst_status_and_formats)
{
    EXPECT_EQ(worst_status({ok_result(), timeout_result()}), probe_status::critical);
    EXPECT_EQ(worst_status({ok_result()}), probe_status::ok);
    auto lines = format_results({ok_result(), timeout_result()}, report_format::json, false);
    EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
    EXPECT_EQ(parse_report_format("prometheus"), report_format::prometheus);
    EXPECT_FALSE(parse_report_format("xml"));
}

} // namespace
} // namespace prober
