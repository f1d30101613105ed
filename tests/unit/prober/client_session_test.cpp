// The probe's session state machine against scripted servers: every kind at every phase it can
// occur, every split of the input, an I/O error at every step, and deadlines with injected time.
#include "prober/error.hpp"
#include "scripted_server.hpp"
#include "smtp/error.hpp"
#include "smtp/utf8.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

namespace prober::test {
namespace {

using smtp::failure_kind;
using smtp::phase;
using namespace std::chrono_literals;
using namespace std::string_literals;

probe_options full_options()
{
    auto o = test_options();
    o.starttls = true;
    o.auth = auth_credentials{"user", "pass"};
    o.send = true;
    o.rcpt_to = {"a@example.test", "b@example.test"};
    o.mail_from = "probe@example.test";
    return o;
}

void expect_failure(const run_outcome& out, failure_kind kind, phase at)
{
    ASSERT_TRUE(out.result.failure.has_value())
        << "expected " << smtp::to_string(kind) << " at " << smtp::to_string(at) << ", got OK";
    EXPECT_EQ(smtp::to_string(out.result.failure->kind), smtp::to_string(kind))
        << out.result.failure->message;
    EXPECT_EQ(smtp::to_string(out.result.failure->at), smtp::to_string(at))
        << out.result.failure->message;
}

TEST(client_session, healthy_default_is_banner_ehlo_quit)
{
    auto out = run_session(test_options(), scripted_server{});
    EXPECT_EQ(out.result.status, probe_status::ok);
    EXPECT_FALSE(out.result.failure);
    EXPECT_EQ(out.client_bytes, "EHLO probe.example.test\r\nQUIT\r\n");
    EXPECT_EQ(out.result.banner, "mx.example.test ESMTP ready");
    ASSERT_EQ(out.result.extensions.size(), 4u);
    EXPECT_EQ(out.result.extensions[2], "AUTH PLAIN LOGIN");
    for (auto p : {phase::dns, phase::connect, phase::banner, phase::ehlo, phase::quit}) {
        EXPECT_TRUE(out.result.timing(p).has_value()) << smtp::to_string(p);
    }
    EXPECT_EQ(out.result.target, "mx.example.test:25");
    EXPECT_EQ(out.result.last_code, 221);
}

TEST(client_session, healthy_full_conversation)
{
    auto out = run_session(full_options(), scripted_server{});
    ASSERT_EQ(out.result.status, probe_status::ok)
        << (out.result.failure ? out.result.failure->message : "");
    const auto& c = out.client_bytes;
    // EHLO, STARTTLS, EHLO again after TLS (RFC 3207 §4.2), AUTH PLAIN with initial response.
    EXPECT_EQ(c.find("EHLO probe.example.test\r\nSTARTTLS\r\nEHLO probe.example.test\r\n"
                     "AUTH PLAIN AHVzZXIAcGFzcw==\r\nMAIL FROM:<probe@example.test>\r\n"
                     "RCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n"),
              0u);
    EXPECT_NE(c.find("Message-ID: <smtp-probe."), std::string::npos);
    // Dot-stuffing (RFC 5321 §4.5.2): the lone dot line is sent as "..".
    EXPECT_NE(c.find("\r\n..\r\n"), std::string::npos);
    EXPECT_NE(c.find("\r\n..The next line"), std::string::npos);
    EXPECT_TRUE(c.ends_with("End of test message.\r\n.\r\nQUIT\r\n"));
    ASSERT_TRUE(out.result.delivery);
    EXPECT_EQ(out.result.delivery->queued_reply, "250 2.0.0 Ok: queued as ABC123");
    EXPECT_TRUE(out.result.delivery->message_id.starts_with("smtp-probe.1800000000000."));
    EXPECT_TRUE(out.result.delivery->message_id.ends_with("@example.test"));
    ASSERT_TRUE(out.result.tls);
    EXPECT_EQ(out.result.tls->version, "TLSv1.3");
    for (auto p : {phase::starttls, phase::tls, phase::auth, phase::mail, phase::rcpt, phase::data,
                   phase::body, phase::data_end}) {
        EXPECT_TRUE(out.result.timing(p).has_value()) << smtp::to_string(p);
    }
    // Lines after the handshake are marked as travelling inside TLS.
    bool saw_plain_ehlo = false, saw_tls_ehlo = false;
    for (const auto& e : out.result.transcript) {
        if (e.text == "EHLO probe.example.test") {
            (e.tls ? saw_tls_ehlo : saw_plain_ehlo) = true;
        }
    }
    EXPECT_TRUE(saw_plain_ehlo);
    EXPECT_TRUE(saw_tls_ehlo);
    // Credentials never reach the transcript.
    for (const auto& e : out.result.transcript) {
        EXPECT_EQ(e.text.find("AHVzZXIAcGFzcw=="), std::string::npos);
    }
}

TEST(client_session, auth_login_when_plain_not_offered)
{
    scripted_server s;
    s.answers["EHLO"] = {"250-mx\r\n250 AUTH LOGIN\r\n"};
    s.answers["AUTH_LOGIN"] = {"334 VXNlcm5hbWU6\r\n"};
    s.answers["AUTH_USER"] = {"334 UGFzc3dvcmQ6\r\n"};
    s.answers["AUTH_PASS"] = {"235 2.7.0 Ok\r\n"};
    auto o = test_options();
    o.auth = auth_credentials{"user", "secret"};
    auto out = run_session(o, s);
    EXPECT_EQ(out.result.status, probe_status::ok);
    EXPECT_NE(out.client_bytes.find("AUTH LOGIN\r\ndXNlcg==\r\nc2VjcmV0\r\nQUIT"),
              std::string::npos);
    for (const auto& e : out.result.transcript) {
        EXPECT_EQ(e.text.find("c2VjcmV0"), std::string::npos); // the password is masked
    }
}

TEST(client_session, ehlo_refused_falls_back_to_helo)
{
    for (const char* reply :
         {"500 5.5.1 Command unrecognized\r\n", "502 5.5.2 Not implemented\r\n"}) {
        scripted_server s;
        s.answers["EHLO"] = {reply};
        auto out = run_session(test_options(), s);
        EXPECT_EQ(out.result.status, probe_status::ok) << reply;
        EXPECT_EQ(out.client_bytes,
                  "EHLO probe.example.test\r\nHELO probe.example.test\r\nQUIT\r\n");
        EXPECT_TRUE(out.result.timing(phase::helo));
    }
    scripted_server s;
    s.answers["EHLO"] = {"550 5.7.1 Go away\r\n"};
    auto out = run_session(test_options(), s);
    expect_failure(out, failure_kind::perm_failure, phase::ehlo);
    EXPECT_EQ(out.client_bytes.find("HELO"), std::string::npos);
}

// --- every kind at every phase where a reply decides ---------------------------------------

struct phase_case {
    const char* key; // the scripted answer to change
    phase at;
    probe_options (*options)();
};

probe_options ehlo_fallback_options()
{
    return test_options();
}

const phase_case reply_phases[] = {
    {"BANNER", phase::banner, &test_options},      {"EHLO", phase::ehlo, &test_options},
    {"HELO", phase::helo, &ehlo_fallback_options}, {"STARTTLS", phase::starttls, &full_options},
    {"AUTH", phase::auth, &full_options},          {"MAIL", phase::mail, &full_options},
    {"RCPT", phase::rcpt, &full_options},          {"DATA", phase::data, &full_options},
    {".", phase::data_end, &full_options},         {"QUIT", phase::quit, &full_options},
};

struct fault_case {
    const char* name;
    answer fault;
    failure_kind kind;
};

const fault_case reply_faults[] = {
    {"4xx", {"451 4.3.0 Local error in processing\r\n"}, failure_kind::temp_failure},
    {"421", {"421 4.3.2 Service shutting down\r\n", then::close}, failure_kind::temp_failure},
    {"5xx", {"554 5.3.0 Transaction failed\r\n"}, failure_kind::perm_failure},
    {"blocklist",
     {"554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org\r\n"},
     failure_kind::blocklisted},
    {"wrong 2xx", {"252 2.0.0 Cannot say\r\n"}, failure_kind::unexpected_reply},
    {"garbage", {"hello there\r\n"}, failure_kind::protocol_error},
    {"broken multi-line", {"250-first\r\n251 second\r\n"}, failure_kind::protocol_error},
    {"hang", {"", then::hang}, failure_kind::timeout},
    {"partial then hang", {"250-partial\r\n", then::hang}, failure_kind::timeout},
    {"close", {"", then::close}, failure_kind::closed},
    {"partial then close", {"250-partial\r\n", then::close}, failure_kind::closed},
    {"reset", {"", then::reset}, failure_kind::reset},
};

TEST(client_session, every_reply_fault_at_every_phase)
{
    for (const auto& pc : reply_phases) {
        for (const auto& fc : reply_faults) {
            SCOPED_TRACE(std::string(pc.key) + " / " + fc.name);
            scripted_server s;
            answer fault = fc.fault;
            // The wrong-code and broken multi-line faults must not be what the phase wants.
            if (fc.kind == failure_kind::unexpected_reply && pc.at == phase::helo) {
                fault.bytes = "252 2.0.0 Cannot say\r\n";
            }
            s.answers[pc.key] = fault;
            if (pc.at == phase::helo) {
                s.answers["EHLO"] = {"502 5.5.2 Not implemented\r\n"};
            }
            auto out = run_session(pc.options(), s);
            expect_failure(out, fc.kind, pc.at);
            auto expected = pc.at == phase::quit ? probe_status::warning : probe_status::critical;
            EXPECT_EQ(out.result.status, expected);
            EXPECT_LE(out.end - out.start, pc.options().timeout);
            const auto& f = *out.result.failure;
            EXPECT_FALSE(f.message.empty());
            if (fc.kind == failure_kind::temp_failure || fc.kind == failure_kind::perm_failure ||
                fc.kind == failure_kind::blocklisted) {
                EXPECT_EQ(f.code / 100, fc.fault.bytes[0] - '0');
                ASSERT_TRUE(f.enhanced);
                EXPECT_EQ(f.enhanced->klass, f.code / 100);
                EXPECT_EQ(f.received, [&] {
                    std::string e;
                    for (char c : fc.fault.bytes) {
                        e += c == '\r' ? std::string("\\r") : c == '\n' ? "\\n" : std::string(1, c);
                    }
                    return e;
                }());
            }
            if (std::string(fc.name) == "partial then hang") {
                EXPECT_NE(f.message.find("received \"250-partial\\r\\n\""), std::string::npos)
                    << f.message;
            }
        }
    }
}

TEST(client_session, reply_421_closes_without_quit_but_550_quits_politely)
{
    scripted_server s;
    s.answers["MAIL"] = {"421 4.7.0 Too many errors\r\n", then::close};
    auto out = run_session(full_options(), s);
    expect_failure(out, failure_kind::temp_failure, phase::mail);
    EXPECT_TRUE(out.client_bytes.ends_with("MAIL FROM:<probe@example.test>\r\n"));

    scripted_server s2;
    s2.answers["RCPT"] = {"550 5.1.1 <a@example.test>: Recipient address rejected\r\n"};
    auto out2 = run_session(full_options(), s2);
    expect_failure(out2, failure_kind::perm_failure, phase::rcpt);
    EXPECT_TRUE(out2.client_bytes.ends_with("RCPT TO:<a@example.test>\r\nQUIT\r\n"));
    EXPECT_EQ(out2.result.failure->code, 550);
    EXPECT_EQ(out2.result.failure->enhanced->to_string(), "5.1.1");
}

TEST(client_session, temp_failure_status_can_be_warning)
{
    scripted_server s;
    s.answers["RCPT"] = {"450 4.2.0 Greylisted, try again later\r\n"};
    auto o = full_options();
    o.temp_failure_warning = true;
    auto out = run_session(o, s);
    expect_failure(out, failure_kind::temp_failure, phase::rcpt);
    EXPECT_EQ(out.result.status, probe_status::warning);
}

TEST(client_session, connection_level_failures)
{
    {
        scripted_server s;
        s.resolve_error = make_error_code(boost::asio::error::host_not_found);
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::dns_error, phase::dns);
        EXPECT_EQ(out.result.status, probe_status::critical);
    }
    {
        scripted_server s;
        s.connect_error = make_error_code(boost::system::errc::connection_refused);
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::refused, phase::connect);
        EXPECT_EQ(out.client_bytes, "");
    }
    {
        // Accepted, then reset before the probe saw the connect complete: no banner came.
        scripted_server s;
        s.connect_error = make_error_code(boost::system::errc::connection_reset);
        expect_failure(run_session(test_options(), s), failure_kind::reset, phase::banner);
    }
    for (auto e :
         {boost::system::errc::network_unreachable, boost::system::errc::host_unreachable}) {
        scripted_server s;
        s.connect_error = make_error_code(e);
        expect_failure(run_session(test_options(), s), failure_kind::unreachable, phase::connect);
    }
    {
        scripted_server s;
        s.connect_hangs = true;
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::timeout, phase::connect);
        EXPECT_EQ(out.result.failure->message, "no connection within 3.000s");
    }
}

TEST(client_session, tls_failures_and_certificate_expiry)
{
    {
        scripted_server s;
        s.tls_fails = "certificate verification failed: certificate has expired";
        auto out = run_session(full_options(), s);
        expect_failure(out, failure_kind::tls_error, phase::tls);
        EXPECT_NE(out.result.failure->message.find("certificate has expired"), std::string::npos);
    }
    {
        scripted_server s;
        s.tls_hangs = true;
        auto out = run_session(full_options(), s);
        expect_failure(out, failure_kind::timeout, phase::tls);
        EXPECT_LE(out.end - out.start, 10s);
    }
    {
        auto o = test_options();
        o.implicit_tls = true;
        o.port = 0;
        scripted_server s;
        s.tls_hangs = true;
        auto out = run_session(o, s);
        expect_failure(out, failure_kind::timeout, phase::tls);
        EXPECT_EQ(out.result.target, "mx.example.test:465");
    }
    for (auto [days, status] :
         {std::pair{20, probe_status::warning}, std::pair{5, probe_status::critical},
          std::pair{-2, probe_status::critical}, std::pair{40, probe_status::ok}}) {
        scripted_server s;
        s.cert_days_left = days;
        auto o = full_options();
        o.cert_warn_days = 30;
        o.cert_crit_days = 7;
        auto out = run_session(o, s);
        EXPECT_EQ(out.result.status, status) << days;
        if (status != probe_status::ok) {
            expect_failure(out, failure_kind::cert_expiring, phase::tls);
        }
    }
}

TEST(client_session, capability_missing)
{
    scripted_server s;
    s.answers["EHLO"] = {"250-mx\r\n250 PIPELINING\r\n"};
    auto out = run_session(full_options(), s);
    expect_failure(out, failure_kind::capability_missing, phase::starttls);
    EXPECT_TRUE(out.client_bytes.ends_with("EHLO probe.example.test\r\nQUIT\r\n"));

    auto o = test_options();
    o.auth = auth_credentials{"u", "p"};
    auto out2 = run_session(o, s);
    expect_failure(out2, failure_kind::capability_missing, phase::auth);

    scripted_server s3;
    s3.answers["EHLO"] = {"250-mx\r\n250 AUTH CRAM-MD5\r\n"};
    auto out3 = run_session(o, s3);
    expect_failure(out3, failure_kind::capability_missing, phase::auth);
    EXPECT_NE(out3.result.failure->message.find("CRAM-MD5"), std::string::npos);

    // HELO fallback leaves no extensions, so STARTTLS cannot be required.
    scripted_server s4;
    s4.answers["EHLO"] = {"502 5.5.2 Not implemented\r\n"};
    expect_failure(run_session(full_options(), s4), failure_kind::capability_missing,
                   phase::starttls);
}

TEST(client_session, banner_checks)
{
    {
        auto o = test_options();
        o.expect_banner = "Postfix";
        auto out = run_session(o, scripted_server{});
        expect_failure(out, failure_kind::unexpected_reply, phase::banner);
        EXPECT_EQ(out.result.failure->error, make_error_code(probe_errc::banner_mismatch));
    }
    {
        // A multi-line banner is read to its final line (RFC 5321 §4.2.1).
        scripted_server s;
        s.answers["BANNER"] = {"220-mx.example.test first\r\n220-second\r\n220 third\r\n"};
        auto o = test_options();
        o.expect_banner = "second";
        auto out = run_session(o, s);
        EXPECT_EQ(out.result.status, probe_status::ok);
        EXPECT_EQ(out.result.banner, "mx.example.test first second third");
    }
    {
        scripted_server s;
        s.answers["BANNER"] = {"220-never finished\r\n", then::hang};
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::timeout, phase::banner);
        EXPECT_EQ(out.result.failure->received, "220-never finished\\r\\n");
    }
    {
        scripted_server s;
        s.answers["BANNER"] = {"", then::hang};
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::timeout, phase::banner);
        EXPECT_EQ(out.result.failure->message, "no reply within 4.000s, received nothing");
    }
    {
        scripted_server s;
        s.answers["BANNER"] = {"220 no crlf\n"};
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::protocol_error, phase::banner);
        EXPECT_EQ(out.result.failure->error, make_error_code(probe_errc::bare_line_feed));
    }
    {
        scripted_server s;
        s.answers["BANNER"] = {"220 " + std::string(600, 'x') + "\r\n"};
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::protocol_error, phase::banner);
        auto o = test_options();
        o.max_reply_line = 2048;
        EXPECT_EQ(run_session(o, s).result.status, probe_status::ok);
    }
}

TEST(client_session, quit_after)
{
    auto o = test_options();
    o.quit_after = phase::connect;
    auto out = run_session(o, scripted_server{});
    EXPECT_EQ(out.result.status, probe_status::ok);
    EXPECT_EQ(out.client_bytes, "");
    o.quit_after = phase::banner;
    EXPECT_EQ(run_session(o, scripted_server{}).client_bytes, "QUIT\r\n");
    o.quit_after = phase::mail;
    EXPECT_EQ(run_session(o, scripted_server{}).client_bytes,
              "EHLO probe.example.test\r\nMAIL FROM:<smtp-probe@probe.example.test>\r\nQUIT\r\n");
    o.quit_after = phase::rcpt;
    EXPECT_TRUE(run_session(o, scripted_server{})
                    .client_bytes.ends_with("RCPT TO:<postmaster@mx.example.test>\r\nQUIT\r\n"));
    auto f = full_options();
    f.quit_after = phase::starttls;
    EXPECT_TRUE(run_session(f, scripted_server{})
                    .client_bytes.ends_with("STARTTLS\r\nEHLO probe.example.test\r\nQUIT\r\n"));
    f.quit_after = phase::auth;
    EXPECT_TRUE(run_session(f, scripted_server{}).client_bytes.ends_with("==\r\nQUIT\r\n"));
}

// --- input split at every byte ----------------------------------------------------------------

TEST(client_session, every_split_of_every_reply_gives_the_same_conversation)
{
    auto reference = run_session(full_options(), scripted_server{});
    ASSERT_EQ(reference.result.status, probe_status::ok);
    scripted_server s;
    s.answers["BANNER"] = {"220-mx.example.test\r\n220 ESMTP ready\r\n"};
    for (std::size_t split = 1; split < 120; ++split) {
        delivery_plan plan;
        plan.split_at = split;
        auto out = run_session(full_options(), s, plan);
        EXPECT_EQ(out.result.status, probe_status::ok) << "split at " << split;
        EXPECT_EQ(out.client_bytes.size(), reference.client_bytes.size()) << split;
    }
    delivery_plan bytewise;
    bytewise.chunk = 1;
    auto out = run_session(full_options(), s, bytewise);
    EXPECT_EQ(out.result.status, probe_status::ok);
    EXPECT_EQ(out.result.banner, "mx.example.test ESMTP ready");

    // Failures too are found the same way however the bytes arrive.
    scripted_server bad;
    bad.answers["MAIL"] = {
        "550-5.7.1 Client host rejected:\r\n550 5.7.1 listed at bl.spamcop.net\r\n"};
    for (std::size_t split = 1; split < 70; ++split) {
        delivery_plan plan;
        plan.split_at = split;
        auto r = run_session(full_options(), bad, plan);
        expect_failure(r, failure_kind::blocklisted, phase::mail);
    }
}

// --- an I/O error at every step ----------------------------------------------------------------

TEST(client_session, an_error_at_every_step_is_reported_at_that_step)
{
    auto o = full_options();
    o.verify = verify_spec{
        "pop3", "u", "p", "127.0.0.1", 110, "pop3://u@127.0.0.1:110", "pop3://u:p@127.0.0.1:110",
        "", ""};
    auto reference = run_session(o, scripted_server{});
    ASSERT_EQ(reference.result.status, probe_status::ok);
    ASSERT_GT(reference.actions.size(), 20u);
    for (std::size_t i = 0; i < reference.actions.size(); ++i) {
        SCOPED_TRACE("error at action " + std::to_string(i));
        auto kind = reference.actions[i];
        if (kind == action_kind::close || kind == action_kind::verify) {
            continue;
        }
        delivery_plan plan;
        plan.error_at = i;
        auto out = run_session(o, scripted_server{}, plan);
        ASSERT_TRUE(out.result.failure);
        const auto& f = *out.result.failure;
        // A reset of a connect means the server accepted and aborted: no banner came.
        EXPECT_EQ(f.at, kind == action_kind::connect ? phase::banner : reference.phase_at[i]);
        failure_kind expected = kind == action_kind::resolve     ? failure_kind::dns_error
                                : kind == action_kind::connect   ? failure_kind::reset
                                : kind == action_kind::start_tls ? failure_kind::tls_error
                                                                 : failure_kind::reset;
        EXPECT_EQ(smtp::to_string(f.kind), smtp::to_string(expected));
        EXPECT_EQ(out.result.status,
                  f.at == phase::quit ? probe_status::warning : probe_status::critical);
        // After an I/O error the probe closes at once: nothing more is written.
        EXPECT_EQ(out.actions.back(), action_kind::close);
    }
}

// --- deadlines with injected time --------------------------------------------------------------

TEST(client_session, trickled_endless_reply_stops_at_the_command_deadline)
{
    scripted_server s;
    std::string endless;
    for (int i = 0; i < 5000; ++i) {
        endless += "250-still going\r\n";
    }
    s.answers["EHLO"] = {endless, then::hang};
    delivery_plan plan;
    plan.chunk = 1;   // one byte per read
    plan.step = 10ms; // 100 bytes per second
    auto out = run_session(test_options(), s, plan);
    expect_failure(out, failure_kind::timeout, phase::ehlo);
    EXPECT_LE(out.end - out.start, 10s);
    EXPECT_NE(out.result.failure->message.find("no complete reply within 4.0"), std::string::npos)
        << out.result.failure->message;

    // Delivered at once, the same reply is cut by the line bound instead.
    auto fast = run_session(test_options(), s);
    expect_failure(fast, failure_kind::protocol_error, phase::ehlo);
    EXPECT_EQ(fast.result.failure->error, make_error_code(smtp::wire_errc::reply_too_many_lines));
}

TEST(client_session, the_total_deadline_bounds_the_whole_session)
{
    // A slow banner eats most of the budget; EHLO gets only what is left of -t.
    auto o = test_options();
    o.timeout = 5s;
    o.command_timeout = 4s;
    scripted_server s;
    s.answers["BANNER"] = {"220 slow but alive\r\n"};
    s.answers["EHLO"] = {"", then::hang};
    delivery_plan plan;
    plan.chunk = 1;
    plan.step = 150ms; // 20 bytes of banner take about 3 s
    auto out = run_session(o, s, plan);
    expect_failure(out, failure_kind::timeout, phase::ehlo);
    EXPECT_LE(out.end - out.start, 5s);
    EXPECT_NE(out.result.failure->message.find("total deadline 5.000s reached"), std::string::npos)
        << out.result.failure->message;
    EXPECT_EQ(out.result.failure->error, make_error_code(probe_errc::total_deadline));

    // Whatever the phase that hangs, the session never outlives -t.
    for (const auto& pc : reply_phases) {
        scripted_server h;
        h.answers[pc.key] = {"", then::hang};
        if (pc.at == phase::helo) {
            h.answers["EHLO"] = {"502 5.5.2 Not implemented\r\n"};
        }
        auto opts = pc.options();
        opts.timeout = 3s;
        auto r = run_session(opts, h);
        EXPECT_LE(r.end - r.start, 3s) << pc.key;
        expect_failure(r, failure_kind::timeout, pc.at);
    }
}

TEST(client_session, slow_and_its_thresholds)
{
    delivery_plan plan;
    plan.step = 100ms; // about 1 s for the default conversation
    auto o = test_options();
    o.warning = 500ms;
    o.critical = 5s;
    auto out = run_session(o, scripted_server{}, plan);
    expect_failure(out, failure_kind::slow,
                   out.result.failure ? out.result.failure->at : phase::dns);
    EXPECT_EQ(out.result.status, probe_status::warning);
    o.critical = 650ms;
    EXPECT_EQ(run_session(o, scripted_server{}, plan).result.status, probe_status::critical);
    o.warning = 20s;
    o.critical = 30s;
    EXPECT_EQ(run_session(o, scripted_server{}, plan).result.status, probe_status::ok);
}

TEST(client_session, round_trip)
{
    auto o = full_options();
    o.verify = verify_spec{
        "imap", "u", "p", "127.0.0.1", 143, "imap://u@127.0.0.1:143", "imap://u:p@127.0.0.1:143",
        "", ""};
    auto out = run_session(o, scripted_server{});
    ASSERT_EQ(out.result.status, probe_status::ok);
    // 1.5 s of polling plus the 2 ms from the reply to the dot until polling began (QUIT).
    EXPECT_EQ(out.result.delivery->latency, 1502ms);
    EXPECT_TRUE(out.result.timing(phase::verify));

    scripted_server lost;
    lost.delivered = false;
    auto out2 = run_session(o, lost);
    expect_failure(out2, failure_kind::not_delivered, phase::verify);
    EXPECT_EQ(out2.result.status, probe_status::critical);

    // No verify after a failed send.
    scripted_server rejected;
    rejected.answers["."] = {"552 5.3.4 Message too big\r\n"};
    auto out3 = run_session(o, rejected);
    expect_failure(out3, failure_kind::perm_failure, phase::data_end);
    for (auto a : out3.actions) {
        EXPECT_NE(a, action_kind::verify);
    }
}

TEST(client_session, max_delivery_time_judges_the_latency_at_verify)
{
    auto o = full_options();
    o.verify = verify_spec{
        "imap", "u", "p", "127.0.0.1", 143, "imap://u@127.0.0.1:143", "imap://u:p@127.0.0.1:143",
        "", ""};
    o.delivery_warning = 1502ms; // the scripted latency: not over
    EXPECT_EQ(run_session(o, scripted_server{}).result.status, probe_status::ok);
    o.delivery_warning = 1s;
    auto late = run_session(o, scripted_server{});
    expect_failure(late, failure_kind::slow, phase::verify);
    EXPECT_EQ(late.result.status, probe_status::warning);
    EXPECT_NE(late.result.failure->message.find("delivered in 1.502s, over the warning delivery "
                                                "time 1.000s"),
              std::string::npos)
        << late.result.failure->message;
    o.delivery_critical = 1500ms;
    EXPECT_EQ(run_session(o, scripted_server{}).result.status, probe_status::critical);
    scripted_server lost;
    lost.delivered = false; // not delivered stays not_delivered, whatever the thresholds
    expect_failure(run_session(o, lost), failure_kind::not_delivered, phase::verify);
}

TEST(client_session, without_a_verifier_the_round_trip_fails_with_the_reason)
{
    auto o = full_options();
    o.verify = verify_spec{
        "imap", "u", "p", "127.0.0.1", 143, "imap://u@127.0.0.1:143", "imap://u:p@127.0.0.1:143",
        "", ""};
    scripted_server s;
    s.no_verifier = true;
    auto out = run_session(o, s);
    expect_failure(out, failure_kind::not_delivered, phase::verify);
    EXPECT_NE(out.result.failure->message.find("no verifier"), std::string::npos)
        << out.result.failure->message;
}

// --- cancellation (shutdown) is an input like any other -----------------------------------------

TEST(client_session, cancellation_at_any_step_ends_at_once_unjudged)
{
    auto o = full_options();
    o.verify = verify_spec{
        "pop3", "u", "p", "127.0.0.1", 110, "pop3://u@127.0.0.1:110", "pop3://u:p@127.0.0.1:110",
        "", ""};
    auto reference = run_session(o, scripted_server{});
    ASSERT_EQ(reference.result.status, probe_status::ok);
    for (std::size_t i = 0; i < reference.actions.size(); ++i) {
        SCOPED_TRACE("cancelled at action " + std::to_string(i));
        if (reference.actions[i] == action_kind::close) {
            continue;
        }
        delivery_plan plan;
        plan.cancel_at = i;
        auto out = run_session(o, scripted_server{}, plan);
        EXPECT_EQ(out.result.status, probe_status::unknown);
        EXPECT_EQ(out.result.internal_error, "cancelled before the probe finished");
        // Nothing more is awaited: at most the connection is closed.
        ASSERT_LE(out.actions.size(), i + 2);
        if (out.actions.size() == i + 2) {
            EXPECT_EQ(out.actions.back(), action_kind::close);
        }
    }
}

// --- the alert e-mail of watch: the session sends a given message --------------------------------

TEST(client_session, sends_a_given_message_to_every_recipient)
{
    auto o = test_options();
    o.send = true;
    o.mail_from = "watch@example.net";
    o.rcpt_to = {"ops@example.net", "oncall@example.net"};
    delivery_plan plan;
    plan.message = "Subject: x\r\nMessage-ID: <alert.1@example.net>\r\n\r\n.hidden dot\r\nbody\r\n";
    plan.message_id = "alert.1@example.net";
    for (std::size_t chunk : {std::size_t{0}, std::size_t{1}}) {
        plan.chunk = chunk;
        auto out = run_session(o, scripted_server{}, plan);
        ASSERT_EQ(out.result.status, probe_status::ok) << out.result.failure->message;
        ASSERT_TRUE(out.result.delivery);
        EXPECT_TRUE(out.result.delivery->accepted);
        EXPECT_EQ(out.result.delivery->message_id, "alert.1@example.net");
        // RFC 5321 §4.5.2: a leading dot is doubled; the message ends with CRLF.CRLF.
        EXPECT_EQ(out.client_bytes,
                  "EHLO probe.example.test\r\nMAIL FROM:<watch@example.net>\r\n"
                  "RCPT TO:<ops@example.net>\r\nRCPT TO:<oncall@example.net>\r\nDATA\r\n"
                  "Subject: x\r\nMessage-ID: <alert.1@example.net>\r\n\r\n..hidden dot\r\n"
                  "body\r\n.\r\nQUIT\r\n");
        // The size stored by a server (the message as given: 68 octets) and what was sent.
        const auto note =
            std::find_if(out.result.transcript.begin(), out.result.transcript.end(),
                         [](const auto& e) { return e.text.starts_with("<message of "); });
        ASSERT_NE(note, out.result.transcript.end());
        EXPECT_EQ(plan.message->size(), 68u);
        EXPECT_EQ(note->text, "<message of 68 octets (72 sent: dot-stuffed, with the final \".\" "
                              "line), Message-ID <alert.1@example.net>>");
    }
}

TEST(client_session, a_message_accepted_stays_accepted_when_quit_fails)
{
    auto o = test_options();
    o.send = true;
    for (then after_quit : {then::close, then::reset, then::hang}) {
        scripted_server s;
        s.answers["QUIT"] = {"", after_quit};
        auto out = run_session(o, s);
        ASSERT_TRUE(out.result.delivery);
        EXPECT_TRUE(out.result.delivery->accepted);
        ASSERT_TRUE(out.result.failure);
        EXPECT_EQ(out.result.failure->at, phase::quit);
        EXPECT_EQ(out.result.status, probe_status::warning);
    }
    scripted_server rejected;
    rejected.answers["."] = {"554 5.7.1 no thanks\r\n"};
    auto out = run_session(o, rejected);
    EXPECT_FALSE(out.result.delivery->accepted);
}

TEST(client_session, credentials_never_reach_the_failure)
{
    auto o = test_options();
    o.auth = auth_credentials{"user", "secret"};
    scripted_server s;
    s.answers["AUTH"] = {"535 5.7.8 bad credentials\r\n"};
    auto out = run_session(o, s);
    expect_failure(out, failure_kind::perm_failure, phase::auth);
    EXPECT_EQ(out.result.failure->code, 535);
    const auto plain = std::string("AHVzZXIAc2VjcmV0"); // base64 of \0user\0secret
    EXPECT_EQ(out.result.failure->message.find(plain), std::string::npos);
    EXPECT_EQ(out.result.failure->received.find(plain), std::string::npos);
    for (const auto& e : out.result.transcript) {
        EXPECT_EQ(e.text.find(plain), std::string::npos) << e.text;
        EXPECT_EQ(e.text.find("secret"), std::string::npos) << e.text;
    }
}

// --- server bytes that are not text
// ---------------------------------------------------------------

TEST(client_session, a_banner_that_is_not_text_is_a_protocol_error)
{
    const std::pair<std::string, std::string> cases[] = {
        {"220 mx\x00 ESMTP\r\n"s, "NUL at octet 3"},
        {"220 mx\r ESMTP\r\n", "bare CR at octet 3"},
        {"220 mx \xff\xfe ready\r\n", "invalid UTF-8 \\xff at octet 4"},
        {"220 mx \x1b[2J\x1b]0;pwned\x07\r\n", "control character \\x1b at octet 4"},
        {"220-mx first\r\n220 second \x7f\r\n", "control character \\x7f at octet 8"},
    };
    for (const auto& [banner, what] : cases) {
        SCOPED_TRACE(banner);
        scripted_server s;
        s.answers["BANNER"] = {banner};
        auto out = run_session(test_options(), s);
        expect_failure(out, failure_kind::protocol_error, phase::banner);
        EXPECT_EQ(out.result.failure->error, make_error_code(probe_errc::reply_not_text));
        EXPECT_NE(out.result.failure->message.find(what), std::string::npos)
            << out.result.failure->message;
        EXPECT_EQ(out.result.status, probe_status::critical);
        // Whatever came is kept, escaped: printable ASCII only (the message itself may cite
        // "RFC 5321 §4.2").
        for (char c : out.result.banner + out.result.failure->received) {
            EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
        }
        EXPECT_TRUE(smtp::is_valid_utf8(out.result.failure->message));
        for (char c : out.result.failure->message) {
            EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) << int(c);
        }
    }
    // Well-formed UTF-8 and tabs are text (servers that support SMTPUTF8 send UTF-8).
    scripted_server utf8;
    utf8.answers["BANNER"] = {"220 mx.example.test\tGrüße ESMTP\r\n"};
    auto out = run_session(test_options(), utf8);
    EXPECT_EQ(out.result.status, probe_status::ok);
    EXPECT_EQ(out.result.banner, "mx.example.test\\tGr\\xc3\\xbc\\xc3\\x9fe ESMTP");
}

TEST(client_session, server_text_in_the_result_is_escaped)
{
    scripted_server s;
    s.answers["EHLO"] = {"250-mx\r\n250-X-\x1b[31mRED\r\n250 SIZE 1000\x00\r\n"s};
    s.answers["."] = {"250 2.0.0 queued \xff\r\n"};
    auto o = test_options();
    o.send = true;
    auto out = run_session(o, s);
    ASSERT_EQ(out.result.status, probe_status::ok);
    ASSERT_EQ(out.result.extensions.size(), 2u);
    EXPECT_EQ(out.result.extensions[0], "X-\\x1b[31mRED");
    EXPECT_EQ(out.result.extensions[1], "SIZE 1000\\x00");
    EXPECT_EQ(out.result.delivery->queued_reply, "250 2.0.0 queued \\xff");
}

TEST(client_session, invalid_banner_regex_is_unknown)
{
    auto o = test_options();
    o.expect_banner = "([";
    auto out = run_session(o, scripted_server{});
    EXPECT_EQ(out.result.status, probe_status::unknown);
    EXPECT_TRUE(out.actions.empty());
}

// --mx: the route found before the session (prober/mx_route) takes the session to the MX host's
// address, counts in phase dns, and a route that failed is the failure, at dns, with no
// connection.
mx_outcome found_route()
{
    mx_outcome route;
    route.domain = "example.test";
    route.exchanges = {{10, "mx1.example.test"}};
    route.host = "mx1.example.test";
    route.preference = 10;
    route.address = "192.0.2.25";
    route.addresses = {"192.0.2.25"};
    route.notes = {{1500ms, "MX example.test: MX 10 mx1.example.test"},
                   {2500ms, "mx1.example.test: 192.0.2.25"}};
    route.elapsed = 2500ms;
    return route;
}

bool transcript_has(const probe_result& r, const std::string& text)
{
    return std::any_of(r.transcript.begin(), r.transcript.end(),
                       [&](const transcript_entry& e) { return e.text == text; });
}

TEST(client_session, mx_route_found_probes_the_mx_host_for_the_domain)
{
    auto o = test_options();
    o.host = "example.test";
    o.mx = true;
    o.starttls = true;
    o.send = true;
    delivery_plan plan;
    plan.route = found_route();
    auto out = run_session(o, scripted_server{}, plan);
    ASSERT_EQ(out.result.status, probe_status::ok) << out.result.failure->message;
    EXPECT_EQ(out.result.target, "example.test:25");
    ASSERT_TRUE(out.result.mx.has_value());
    EXPECT_EQ(out.result.mx->host, "mx1.example.test");
    // The mail is for the domain; the certificate must name the MX host (RFC 7672 §3.2.2).
    EXPECT_NE(out.client_bytes.find("RCPT TO:<postmaster@example.test>"), std::string::npos);
    EXPECT_TRUE(transcript_has(out.result, "resolving 192.0.2.25"));
    EXPECT_TRUE(transcript_has(out.result, "MX example.test: MX 10 mx1.example.test"));
    EXPECT_TRUE(std::any_of(out.result.transcript.begin(), out.result.transcript.end(),
                            [](const transcript_entry& e) {
                                return e.text.find("with mx1.example.test") != std::string::npos;
                            }));
    // The lookups before the session are its first 2.5 s: phase dns and the total include them.
    EXPECT_GE(*out.result.timing(phase::dns), 2500ms);
    EXPECT_GE(out.result.total, 2500ms);
    EXPECT_EQ(out.result.transcript.front().t, 1500ms);
}

TEST(client_session, mx_route_failed_is_the_failure_at_dns_with_no_connection)
{
    auto o = test_options();
    o.host = "gone.test";
    o.mx = true;
    delivery_plan plan;
    plan.route.emplace();
    plan.route->domain = "gone.test";
    plan.route->failure = failure_kind::dns_error;
    plan.route->message = "mail domain gone.test does not exist (NXDOMAIN)";
    plan.route->received = "NXDOMAIN";
    plan.route->notes = {{300ms, "MX gone.test: NXDOMAIN"}};
    plan.route->elapsed = 300ms;
    auto out = run_session(o, scripted_server{}, plan);
    expect_failure(out, failure_kind::dns_error, phase::dns);
    EXPECT_EQ(out.result.status, probe_status::critical);
    EXPECT_EQ(out.result.failure->message, "mail domain gone.test does not exist (NXDOMAIN)");
    EXPECT_EQ(out.result.failure->received, "NXDOMAIN");
    EXPECT_EQ(out.result.target, "gone.test:25");
    EXPECT_TRUE(out.result.peer.empty());
    EXPECT_EQ(std::count(out.actions.begin(), out.actions.end(), action_kind::connect), 0);
    EXPECT_EQ(std::count(out.actions.begin(), out.actions.end(), action_kind::resolve), 0);
    EXPECT_EQ(out.client_bytes, "");

    plan.route->failure = failure_kind::timeout;
    plan.route->message = "no answer to the MX lookup of gone.test";
    expect_failure(run_session(o, scripted_server{}, plan), failure_kind::timeout, phase::dns);
}

} // namespace
} // namespace prober::test
