// The scenario catalog: every file loads with the C++ loader, every scenario the catalog must have
// is there, each one teaches and says what the probe should report, and each survives a trip
// through the control API's JSON.
#include "faults/controller.hpp"
#include "faults/scenario_json.hpp"
#include "faults/scenario_loader.hpp"

#include "json/json_text.hpp"
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

namespace {

using namespace std::chrono_literals;
using smtp::phase;

const std::vector<faults::scenario>& catalog()
{
    static const auto loaded = faults::load_catalog(SMTPH_FAULT_CATALOG_DIR);
    return loaded;
}

bool has_null(const boost::json::value& v)
{
    if (v.is_null()) {
        return true;
    }
    if (const auto* o = v.if_object()) {
        return std::any_of(o->begin(), o->end(),
                           [](const auto& kv) { return has_null(kv.value()); });
    }
    if (const auto* a = v.if_array()) {
        return std::any_of(a->begin(), a->end(), [](const auto& item) { return has_null(item); });
    }
    return false;
}

const faults::scenario* find(std::string_view name)
{
    for (const auto& s : catalog()) {
        if (s.name == name) {
            return &s;
        }
    }
    return nullptr;
}

// The catalog holds one file per scenario, at least these.
const char* const required[] = {
    "healthy",
    "healthy-multiline-banner",
    "connect-refused",
    "connect-blackhole",
    "connect-reset",
    "connect-close",
    "banner-missing",
    "banner-slow",
    "banner-trickle",
    "banner-421",
    "banner-554",
    "banner-garbage",
    "banner-partial-multiline",
    "banner-no-crlf",
    "ehlo-hang",
    "ehlo-421",
    "ehlo-451",
    "ehlo-550",
    "ehlo-drop",
    "ehlo-reset",
    "ehlo-slow",
    "ehlo-malformed",
    "ehlo-502-helo-fallback",
    "starttls-not-advertised",
    "starttls-454",
    "starttls-handshake-failure",
    "starttls-cert-expired",
    "starttls-cert-expiring",
    "starttls-cert-wrong-host",
    "starttls-cert-self-signed",
    "auth-535",
    "auth-454",
    "mail-451",
    "mail-451-first-attempts",
    "mail-452-disk-full",
    "mail-550-blocklisted",
    "mail-530-auth-required",
    "rcpt-550-unknown-user",
    "rcpt-450-greylisted",
    "rcpt-554-relay-denied",
    "data-554",
    "data-hang",
    "data-drop-mid-body",
    "data-end-hang",
    "data-end-stored-hang",
    "data-end-stored-drop",
    "data-end-552",
    "data-end-451",
    "quit-hang",
    "quit-drop",
    "flapping",
    "first-attempt-fails",
    "intermittent",
    "too-many-connections",
    "banner-421-rate-limited",
    "everything-slow",
    "address-encoded",
    "ehlo-switches",
    "delivery-never",
    "delivery-late",
    "delivery-junk",
    "delivery-twice",
    "delivery-changed",
    "mailbox-pop3-login-rejected",
    "mailbox-imap-login-rejected",
    "mailbox-pop3-hang-login",
    "mailbox-imap-hang-login",
    "mailbox-imap-hang-select",
    "mailbox-pop3-hang-retr",
    "mailbox-imap-hang-fetch",
    "mailbox-refused",
    "mailbox-reset",
};

TEST(catalog, loads_and_has_every_scenario_of_the_design)
{
    ASSERT_FALSE(catalog().empty());
    for (const char* name : required) {
        EXPECT_NE(find(name), nullptr) << "missing faults/catalog/" << name << ".yaml";
    }
}

TEST(catalog, every_scenario_teaches_and_states_its_expectation)
{
    for (const auto& s : catalog()) {
        SCOPED_TRACE(s.name);
        EXPECT_GE(s.summary.size(), 20u);
        EXPECT_LE(s.summary.size(), 120u);
        EXPECT_EQ(s.summary.find('\n'), std::string::npos);
        EXPECT_GE(s.description.size(), 300u) << "the description should teach";
        EXPECT_NE(s.description.find("RFC"), std::string::npos) << "cite what the RFC says";
        ASSERT_TRUE(s.expect);
        ASSERT_FALSE(s.expect->status.empty());
        const bool may_fail = std::any_of(s.expect->status.begin(), s.expect->status.end(),
                                          [](const std::string& st) { return st != "OK"; });
        const bool may_pass = std::find(s.expect->status.begin(), s.expect->status.end(), "OK") !=
                              s.expect->status.end();
        if (may_fail) {
            EXPECT_TRUE(s.expect->kind) << "a failing expectation names the kind";
        }
        if (!may_fail) {
            EXPECT_FALSE(s.expect->kind);
        }
        if (!may_pass) {
            EXPECT_TRUE(!s.rules.empty() || s.listener != faults::listener_state::open ||
                        s.mailbox_listener != faults::listener_state::open)
                << "a fault needs rules or a listener state";
        }
    }
}

TEST(catalog, failures_at_quit_are_warnings)
{
    // Failures at quit are WARNING.
    for (const auto& s : catalog()) {
        if (s.expect && s.expect->phase == phase::quit) {
            EXPECT_EQ(s.expect->status, std::vector<std::string>{"WARNING"}) << s.name;
        }
    }
}

TEST(catalog, greeting_faults_target_ehlo_and_helo)
{
    // check_smtp greets with HELO, swaks and our probe with EHLO.
    for (const auto& s : catalog()) {
        if (s.name.rfind("ehlo-", 0) != 0 || s.name == "ehlo-502-helo-fallback") {
            continue;
        }
        for (const auto& r : s.rules) {
            const auto& p = r.when.phases;
            EXPECT_TRUE(std::find(p.begin(), p.end(), phase::ehlo) != p.end() &&
                        std::find(p.begin(), p.end(), phase::helo) != p.end())
                << s.name << " rule " << r.id;
        }
    }
}

TEST(catalog, scenarios_stay_fast)
{
    // Every scenario must run in a few seconds: no single delay over 3 s, hangs bounded by the
    // probe timeouts the scenario sets, trickled replies short.
    for (const auto& s : catalog()) {
        SCOPED_TRACE(s.name);
        std::chrono::milliseconds delays{0};
        for (const auto& r : s.rules) {
            // What the rule makes the server do.
            const faults::action a = faults::compose(r.effects);
            EXPECT_LE(a.delay, 3s);
            delays += a.delay;
            if (a.delivery) {
                EXPECT_LE(a.delivery->after, 3s);
                EXPECT_FALSE(s.probe.verify.empty()) << "a delivery fault needs a round trip";
            }
            if (a.trickle) {
                const auto bytes = a.send ? a.send->size() : 512; // a normal reply: at most 512
                EXPECT_LE(static_cast<double>(bytes) / a.trickle->bytes_per_second, 4.0);
            }
            const bool hangs =
                a.end == faults::ending::hang ||
                (a.tls && a.tls->handshake == faults::tls_fault::handshake_mode::hang);
            // A hang of the mailbox service (phase verify only) is bounded by verify_timeout.
            const bool mailbox_only = r.when.phases == std::vector{smtp::phase::verify};
            if (hangs && !mailbox_only) {
                EXPECT_TRUE(s.probe.command_timeout && *s.probe.command_timeout <= 3s)
                    << "a hang needs a short probe command_timeout";
            }
        }
        EXPECT_LE(delays, 6s);
        if (!s.probe.verify.empty()) {
            EXPECT_TRUE(s.probe.verify_timeout && *s.probe.verify_timeout <= 6s)
                << "a round trip needs a short probe verify_timeout";
        }
        if (s.listener == faults::listener_state::blackhole) {
            EXPECT_TRUE(s.probe.connect_timeout && *s.probe.connect_timeout <= 3s);
        }
    }
}

TEST(catalog, every_scenario_round_trips_through_json_and_runs_in_a_controller)
{
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (const auto& s : catalog()) {
        SCOPED_TRACE(s.name);
        // As GET /api/v1/scenario writes it, and PUT reads it back.
        const auto text = json_text::serialize(faults::to_json(s));
        EXPECT_EQ(faults::scenario_from_body(text), s) << text;
        EXPECT_FALSE(has_null(faults::to_json(s))) << text;
        faults::controller c(s, 1, t0);
        EXPECT_EQ(c.listener(), s.listener);
        EXPECT_EQ(c.mailbox_listener(), s.mailbox_listener);
        EXPECT_EQ(c.rules().size(), s.rules.size());
    }
}

TEST(catalog, faults_fire_where_the_expectation_says)
{
    // Walk the conversation the built-in probe has on the first connection and
    // check that the first rule to fire fires at the expected phase, or, for timing faults
    // (slow), that some rule fires there. Connection-level faults surface one phase later
    // (a reset right after accept is seen while awaiting the banner).
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (const auto& s : catalog()) {
        if (!s.expect || !s.expect->phase || s.listener != faults::listener_state::open ||
            s.mailbox_listener != faults::listener_state::open ||
            std::find(s.expect->status.begin(), s.expect->status.end(), "OK") !=
                s.expect->status.end()) {
            continue; // nothing to fire, or a seeded fault that may spare the first connection
        }
        SCOPED_TRACE(s.name);
        faults::controller c(s, 1, t0);
        auto session = c.open_session(1, "127.0.0.1", t0);
        // The name the probe greets with (a probe hint may choose it).
        const std::string name = s.probe.helo.empty() ? "probe" : s.probe.helo;
        std::vector<faults::decision_point> walk = {
            {phase::connect, "", ""}, {phase::banner, "", ""}, {phase::ehlo, "EHLO", name}};
        if (s.probe.starttls) {
            walk.push_back({phase::starttls, "STARTTLS", ""});
            walk.push_back({phase::tls, "", ""});
            walk.push_back({phase::ehlo, "EHLO", name});
        }
        if (s.probe.auth) {
            walk.push_back({phase::auth, "AUTH", "PLAIN AHVzZXIAcGFzcw=="});
        }
        if (s.probe.send) {
            walk.push_back({phase::mail, "MAIL", "FROM:<probe@example.net>"});
            walk.push_back({phase::rcpt, "RCPT", "TO:<user@example.com>"});
            walk.push_back({phase::data, "DATA", ""});
            walk.push_back({phase::body, "", ""});
            walk.push_back({phase::data_end, "", ""});
        }
        walk.push_back({phase::quit, "QUIT", ""});
        std::optional<phase> first;
        if (s.probe.mx) {
            // Before the session, the MX lookup of the mock's mail domain at its DNS server.
            if (const auto a = c.decide_query({phase::dns, "MX", "mock.test"}, "127.0.0.1", t0);
                a.fired) {
                first = a.fired->at;
            }
        }
        for (const auto& at : walk) {
            const auto a = session->decide(at, t0);
            if (a.fired && !first) {
                first = a.fired->at;
            }
        }
        if (!first && !s.probe.verify.empty()) {
            // Then the round trip's mailbox session, as the probe's POP3 or IMAP client goes.
            auto mailbox = c.open_mailbox_session("127.0.0.1", t0);
            const std::vector<faults::decision_point> pop3 = {
                {phase::verify, "", ""},         {phase::verify, "USER", "user"},
                {phase::verify, "PASS", "pass"}, {phase::verify, "UIDL", ""},
                {phase::verify, "TOP", "1 0"},   {phase::verify, "RETR", "1"}};
            const std::vector<faults::decision_point> imap = {
                {phase::verify, "", ""},
                {phase::verify, "LOGIN", "user pass"},
                {phase::verify, "SELECT", "INBOX"},
                {phase::verify, "UID SEARCH", "HEADER Message-ID <x@y>"},
                {phase::verify, "UID FETCH", "1 (UID BODY.PEEK[])"}};
            for (const auto& at : s.probe.verify == "pop3" ? pop3 : imap) {
                if (const auto a = mailbox->decide(at, t0); a.fired && !first) {
                    first = a.fired->at;
                }
            }
        }
        if (s.probe.dnsbl && !first) {
            // After the session, the blocklist lookup of the mock's address at its DNS server.
            const auto a =
                c.decide_query({phase::dns, "A", "1.0.0.127.dnsbl.mock.test"}, "127.0.0.1", t0);
            if (a.fired) {
                first = a.fired->at;
            }
        }
        ASSERT_TRUE(first) << "no rule fired on the probe's path";
        auto expected = *s.expect->phase;
        if (*first == phase::connect && expected == phase::banner) {
            expected = phase::connect;
        }
        if (*first == phase::data_end && expected == phase::verify) {
            continue; // a delivery fault is decided at the dot and seen by the round trip
        }
        if (s.expect->kind == smtp::failure_kind::slow) {
            continue; // delays add up over several phases
        }
        if (s.expect->kind == smtp::failure_kind::capability_missing && *first == phase::ehlo) {
            continue; // the EHLO reply leaves the extension out; the probe fails at the next step
        }
        EXPECT_EQ(smtp::to_string(*first), smtp::to_string(expected));
    }
}

// docs/faults.md, with every run of whitespace made one space.
std::string fault_docs()
{
    std::ifstream in(std::filesystem::path(SMTPH_FAULT_CATALOG_DIR) / ".." / ".." / "docs" /
                     "faults.md");
    std::ostringstream text;
    text << in.rdbuf();
    std::string out;
    for (char c : text.str()) {
        const bool space = c == ' ' || c == '\n';
        if (!space || (!out.empty() && out.back() != ' ')) {
            out += space ? ' ' : c;
        }
    }
    return out;
}

TEST(catalog, docs_describe_every_effect)
{
    const auto docs = fault_docs();
    ASSERT_FALSE(docs.empty());
    for (auto key : faults::effect_keys()) {
        EXPECT_NE(docs.find("| `" + std::string(key) + "` |"), std::string::npos)
            << "docs/faults.md has no row for do." << key << " (tools/faults_doc.py)";
    }
}

TEST(catalog, docs_show_the_loaders_own_words)
{
    const auto docs = fault_docs();
    try {
        faults::load_scenario("name: re\nrules:\n  - when: {argument: \"(a)\\\\1\"}\n"
                              "    do: {hang: true}\n",
                              "re.yaml");
        FAIL() << "a backreference loaded";
    } catch (const faults::scenario_error& e) {
        const auto shown = e.key_path + ": " + e.message;
        EXPECT_NE(docs.find(shown), std::string::npos) << shown;
    }
}

} // namespace
