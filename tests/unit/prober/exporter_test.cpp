// The exporter without sockets: the modules file through the probe options table, the /probe
// plan (target, module, debug, the scrape-timeout deadline), the bad-request answers, the
// per-result exposition without a target label, and the exporter's own metrics.
#include "prober/exporter_modules.hpp"
#include "prober/exporter_router.hpp"
#include "prober/report.hpp"

#include <gtest/gtest.h>

namespace prober {
namespace {

using namespace std::chrono_literals;

const char* const modules_yaml = R"(modules:
  smtp_banner:
    timeout: 5s
  smtp_starttls:
    starttls: true
    cert-days: [30, 7]
    helo: probe.example.test
  smtp_send:
    send: true
    rcpt_to: [a@example.test]
    timeout: 4s
    verify: pop3://u:p@127.0.0.1:1110
    verify_timeout: 6s
)";

exporter_modules modules()
{
    return load_exporter_modules(modules_yaml, "modules.yaml");
}

std::string load_error(const std::string& text)
{
    try {
        load_exporter_modules(text, "modules.yaml");
    } catch (const modules_error& e) {
        return e.what();
    }
    return "(no error)";
}

io::http::request get(const std::string& target, std::optional<std::string> scrape = {})
{
    io::http::request r;
    r.method = "GET";
    r.target = target;
    if (scrape) {
        r.headers.push_back({"X-Prometheus-Scrape-Timeout-Seconds", *scrape});
    }
    return r;
}

std::variant<probe_plan, io::http::response> plan(const io::http::request& r,
                                                  std::chrono::milliseconds offset = 500ms)
{
    const auto target = io::http::parse_request_target(r.target);
    EXPECT_TRUE(target.has_value());
    return plan_probe(r, *target, modules(), offset);
}

TEST(exporter_modules, hold_the_options_of_the_probe_options_table)
{
    const auto m = modules();
    ASSERT_EQ(m.modules.size(), 3u);
    EXPECT_EQ(m.names(), "smtp_banner, smtp_starttls, smtp_send");
    EXPECT_EQ(m.find("smtp_banner")->options.timeout, 5000ms);
    EXPECT_EQ(m.find("smtp_banner")->options.connect_timeout, 5000ms) << "derived from timeout";
    const auto& tls = m.find("smtp_starttls")->options;
    EXPECT_TRUE(tls.starttls);
    EXPECT_EQ(tls.cert_warn_days, 30);
    EXPECT_EQ(tls.cert_crit_days, 7);
    EXPECT_EQ(tls.helo_name, "probe.example.test");
    EXPECT_TRUE(m.find("smtp_send")->options.verify.has_value());
    EXPECT_EQ(m.find("nothing"), nullptr);
}

TEST(exporter_modules, mistakes_are_named_with_file_line_and_key)
{
    EXPECT_EQ(load_error("modules:\n  a:\n    startls: true\n").rfind("modules.yaml:3:5: ", 0), 0u)
        << load_error("modules:\n  a:\n    startls: true\n");
    EXPECT_NE(load_error("modules:\n  a:\n    startls: true\n").find("did you mean 'starttls'"),
              std::string::npos);
    EXPECT_NE(load_error("modules:\n  a:\n    timeout: soon\n").find("modules.a.timeout"),
              std::string::npos);
    EXPECT_NE(load_error("modules:\n  a:\n    starttls: true\n    tls: true\n").find("exclude"),
              std::string::npos)
        << load_error("modules:\n  a:\n    starttls: true\n    tls: true\n");
    EXPECT_NE(load_error("").find("needs a 'modules' map"), std::string::npos);
    EXPECT_NE(load_error("module:\n  a: {}\n").find("unknown key 'module'"), std::string::npos);
    EXPECT_NE(load_error("modules: {}\n").find("at least one module"), std::string::npos);
}

TEST(exporter_plan, takes_the_target_and_the_modules_options)
{
    auto p = plan(get("/probe?target=mx.example.test:2525&module=smtp_starttls"));
    ASSERT_TRUE(std::holds_alternative<probe_plan>(p));
    const auto& pp = std::get<probe_plan>(p);
    EXPECT_EQ(pp.module, "smtp_starttls");
    EXPECT_EQ(pp.options.host, "mx.example.test");
    EXPECT_EQ(pp.options.port, 2525);
    EXPECT_TRUE(pp.options.starttls);
    EXPECT_FALSE(pp.debug);
    EXPECT_EQ(pp.budget, 10'000ms) << "the default timeout, no scrape header";

    auto v6 =
        std::get<probe_plan>(plan(get("/probe?target=%5B::1%5D:25&module=smtp_banner&debug=true")));
    EXPECT_EQ(v6.options.host, "::1");
    EXPECT_TRUE(v6.debug);
}

TEST(exporter_plan, the_deadline_is_the_smaller_of_module_and_scrape_timeout_minus_offset)
{
    auto short_scrape = std::get<probe_plan>(plan(get("/probe?target=h&module=smtp_banner", "2")));
    EXPECT_EQ(short_scrape.budget, 1500ms);
    EXPECT_EQ(short_scrape.options.timeout, 1500ms);
    EXPECT_EQ(short_scrape.options.command_timeout, 1500ms);
    auto long_scrape =
        std::get<probe_plan>(plan(get("/probe?target=h&module=smtp_banner", "30.5")));
    EXPECT_EQ(long_scrape.budget, 5000ms) << "the module's timeout is smaller";
    EXPECT_EQ(long_scrape.options.timeout, 5000ms);

    // With a round trip, the session and the mailbox share what is left, as the module does.
    auto send = std::get<probe_plan>(plan(get("/probe?target=h&module=smtp_send", "5.5")));
    EXPECT_EQ(send.budget, 5000ms);
    EXPECT_EQ(send.options.timeout, 2000ms);
    EXPECT_EQ(send.options.verify_timeout, 3000ms);
    auto roomy = std::get<probe_plan>(plan(get("/probe?target=h&module=smtp_send", "60")));
    EXPECT_EQ(roomy.budget, 10'000ms);
    EXPECT_EQ(roomy.options.timeout, 4000ms);
    EXPECT_EQ(roomy.options.verify_timeout, 6000ms);
}

// The error body of a refused request, with its status.
std::string refusal(const std::variant<probe_plan, io::http::response>& p, int& status)
{
    if (!std::holds_alternative<io::http::response>(p)) {
        return "(a plan)";
    }
    status = std::get<io::http::response>(p).status;
    return std::get<io::http::response>(p).body;
}

TEST(exporter_plan, bad_requests_get_a_400_naming_what_is_wrong)
{
    int status = 0;
    auto body = refusal(plan(get("/probe?target=h&module=smtp_tls")), status);
    EXPECT_EQ(status, 400);
    EXPECT_NE(body.find("unknown module 'smtp_tls'; known modules: smtp_banner, smtp_starttls, "
                        "smtp_send"),
              std::string::npos)
        << body;
    body = refusal(plan(get("/probe?target=h")), status);
    EXPECT_EQ(status, 400);
    EXPECT_NE(body.find("the module parameter is missing"), std::string::npos) << body;
    body = refusal(plan(get("/probe?module=smtp_banner")), status);
    EXPECT_NE(body.find("the target parameter is missing"), std::string::npos) << body;
    body = refusal(plan(get("/probe?module=smtp_banner&target=h:99999")), status);
    EXPECT_NE(body.find("the target 'h:99999' is not HOST"), std::string::npos) << body;
    body = refusal(plan(get("/probe?module=smtp_banner&target=h&debug=yes")), status);
    EXPECT_NE(body.find("debug must be true or false"), std::string::npos) << body;
    body = refusal(plan(get("/probe?module=smtp_banner&target=h", "soon")), status);
    EXPECT_EQ(status, 400);
    EXPECT_NE(body.find("X-Prometheus-Scrape-Timeout-Seconds 'soon' is not a positive number"),
              std::string::npos)
        << body;
    body = refusal(plan(get("/probe?module=smtp_banner&target=h", "0.4")), status);
    EXPECT_NE(body.find("leaves no time for a probe after the offset of 0.500s"), std::string::npos)
        << body;
}

probe_result rcpt_550()
{
    probe_result r;
    r.target = "127.0.0.1:2525";
    r.status = probe_status::critical;
    r.peer = "127.0.0.1:2525";
    r.timings = {{smtp::phase::connect, 100us},
                 {smtp::phase::banner, 200us},
                 {smtp::phase::ehlo, 300us},
                 {smtp::phase::mail, 300us},
                 {smtp::phase::rcpt, 400us}};
    r.total = 1300us;
    probe_failure f;
    f.kind = smtp::failure_kind::perm_failure;
    f.at = smtp::phase::rcpt;
    f.code = 550;
    f.enhanced = smtp::enhanced_code{5, 1, 1};
    f.message = "550 5.1.1 no such user";
    r.failure = f;
    r.last_code = 550;
    return r;
}

TEST(exporter_answer, has_no_target_label_and_durations_only_for_phases_that_ran)
{
    probe_plan p;
    p.module = "smtp_send";
    const auto body = probe_answer(rcpt_550(), p).body;
    EXPECT_NE(body.find("\nprobe_success 0\n"), std::string::npos) << body;
    EXPECT_NE(body.find("\nprobe_ip_protocol 4\n"), std::string::npos) << body;
    EXPECT_NE(body.find("\nprobe_smtp_failure{kind=\"perm_failure\",phase=\"rcpt\"} 1\n"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("\nprobe_smtp_status_code 550\n"), std::string::npos) << body;
    EXPECT_NE(body.find("\nprobe_smtp_enhanced_status_code_info{code=\"5.1.1\"} 1\n"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("probe_smtp_phase_duration_seconds{phase=\"rcpt\"} 0.0004\n"),
              std::string::npos)
        << body;
    EXPECT_EQ(body.find("phase=\"data\""), std::string::npos) << "data never ran";
    EXPECT_EQ(body.find("target="), std::string::npos);
    EXPECT_EQ(probe_answer(rcpt_550(), p).content_type, "text/plain; version=0.0.4; charset=utf-8");
    // smtp-probe --format prometheus keeps its target label.
    EXPECT_NE(format_prometheus({rcpt_550()}).find("probe_success{target=\"127.0.0.1:2525\"} 0"),
              std::string::npos);
}

TEST(exporter_answer, debug_gives_the_transcript_then_the_metrics)
{
    probe_plan p;
    p.module = "smtp_send";
    p.debug = true;
    p.budget = 1500ms;
    auto r = rcpt_550();
    r.transcript = {{0us, transcript_dir::server, "220 mock ESMTP", false}};
    const auto body = probe_answer(r, p).body;
    EXPECT_EQ(body.rfind("Probe of 127.0.0.1:2525 with module smtp_send (deadline 1.500s):\n", 0),
              0u)
        << body;
    EXPECT_NE(body.find("220 mock ESMTP"), std::string::npos) << body;
    EXPECT_NE(body.find("Metrics that would have been returned:\n# HELP probe_success"),
              std::string::npos)
        << body;
}

TEST(exporter_metrics, count_probes_by_module_and_result)
{
    exporter_stats s;
    s.probes[{"smtp_banner", "success"}] = 3;
    s.probes[{"smtp_banner", "failure"}] = 1;
    s.bad_requests = 2;
    s.max_concurrent = 16;
    s.modules = 3;
    const auto text = format_exporter_metrics(s);
    EXPECT_NE(
        text.find("smtp_exporter_probes_total{module=\"smtp_banner\",result=\"failure\"} 1\n"),
        std::string::npos)
        << text;
    EXPECT_NE(
        text.find("smtp_exporter_probes_total{module=\"smtp_banner\",result=\"success\"} 3\n"),
        std::string::npos);
    EXPECT_NE(text.find("smtp_exporter_bad_requests_total 2\n"), std::string::npos);
    EXPECT_NE(text.find("smtp_exporter_max_concurrent_probes 16\n"), std::string::npos);
    EXPECT_NE(text.find("smtp_exporter_config_last_reload_successful 1\n"), std::string::npos);
}

} // namespace
} // namespace prober
