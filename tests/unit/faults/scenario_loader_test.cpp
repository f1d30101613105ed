// What a valid scenario file loads into: every key a scenario file may have.
#include "faults/controller.hpp"
#include "faults/scenario_loader.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>

namespace {

using namespace std::chrono_literals;
using smtp::phase;

constexpr const char* full_scenario = R"(name: everything
summary: Uses every key.
description: |
  Two lines
  of text.
listener: blackhole
mailbox_listener: closed
probe: {send: true, auth: true, starttls: true, insecure: true, quit_after: rcpt, warning: 1s, critical: 2.5s,
        timeout: 5s, connect_timeout: 500ms, command_timeout: 2s, cert_days: "30,7",
        helo: nostarttls.probe.example}
expect: {status: [WARNING, CRITICAL], kind: slow, phase: ehlo}
rules:
  - id: first
    when:
      phase: [ehlo, helo]
      command: "EHLO|HELO"
      argument: "^bad\\."
      connections: [1, 2-5, 7-, every 3, every 4 from 2]
      probability: 0.25
      after: 100ms
      until: 2m
      times: 3
      client: [127.0.0.0/8, "::1/128"]
    do:
      delay: 1.5s
      reply:
        - 250 mock.example
        - 250 SIZE 1000
      trickle: 10B/s
      close: rst
  - when: {phase: banner}
    do: {raw: "220 no crlf", hang: true}
  - when: {phase: body}
    do: {close: fin, after_bytes: 100}
  - when: {phase: tls}
    do: {tls: {expires_in_days: 5, handshake: hang}}
  - id: r2
    when: {phase: quit}
    do: {raw: {hex: "ff 00 0d0a"}, trickle: 2kB/s}
  - do: {reply: "421 4.3.2 bye\n", close: fin}
  - when: {phase: data_end}
    do: {command: skip}
)";

TEST(scenario_loader, reads_every_key)
{
    const auto s = faults::load_scenario(full_scenario, "full.yaml");
    EXPECT_EQ(s.name, "everything");
    EXPECT_EQ(s.summary, "Uses every key.");
    EXPECT_EQ(s.description, "Two lines\nof text.\n");
    EXPECT_EQ(s.listener, faults::listener_state::blackhole);
    EXPECT_EQ(s.mailbox_listener, faults::listener_state::closed);

    EXPECT_TRUE(s.probe.send);
    EXPECT_TRUE(s.probe.auth);
    EXPECT_TRUE(s.probe.starttls);
    EXPECT_FALSE(s.probe.tls);
    EXPECT_TRUE(s.probe.insecure);
    EXPECT_EQ(s.probe.quit_after, phase::rcpt);
    EXPECT_EQ(s.probe.warning, 1000ms);
    EXPECT_EQ(s.probe.critical, 2500ms);
    EXPECT_EQ(s.probe.timeout, 5000ms);
    EXPECT_EQ(s.probe.connect_timeout, 500ms);
    EXPECT_EQ(s.probe.command_timeout, 2000ms);
    EXPECT_EQ(s.probe.cert_days_warning, 30);
    EXPECT_EQ(s.probe.cert_days_critical, 7);
    EXPECT_EQ(s.probe.helo, "nostarttls.probe.example");

    ASSERT_TRUE(s.expect);
    EXPECT_EQ(s.expect->status, (std::vector<std::string>{"WARNING", "CRITICAL"}));
    EXPECT_EQ(s.expect->kind, smtp::failure_kind::slow);
    EXPECT_EQ(s.expect->phase, phase::ehlo);

    ASSERT_EQ(s.rules.size(), 7u);
    const auto& r = s.rules[0];
    EXPECT_EQ(r.id, "first");
    EXPECT_EQ(r.when.phases, (std::vector<phase>{phase::ehlo, phase::helo}));
    EXPECT_EQ(r.when.command->text(), "EHLO|HELO");
    EXPECT_EQ(r.when.argument->text(), "^bad\\.");
    ASSERT_EQ(r.when.connections.size(), 5u);
    EXPECT_EQ(r.when.connections[2].to_string(), "7-");
    EXPECT_EQ(r.when.connections[4].to_string(), "every 4 from 2");
    EXPECT_DOUBLE_EQ(r.when.probability, 0.25);
    EXPECT_EQ(r.when.after, 100ms);
    EXPECT_EQ(r.when.until, 120'000ms);
    EXPECT_EQ(r.when.times, 3u);
    ASSERT_EQ(r.when.client.size(), 2u);
    EXPECT_EQ(r.when.client[1].to_string(), "::1/128");

    // What each rule makes the server do.
    const auto a = faults::compose(r.effects);
    EXPECT_EQ(a.delay, 1500ms);
    EXPECT_EQ(a.send, "250-mock.example\r\n250 SIZE 1000\r\n");
    ASSERT_TRUE(a.trickle);
    EXPECT_DOUBLE_EQ(a.trickle->bytes_per_second, 10.0);
    EXPECT_EQ(a.end, faults::ending::close_rst);
    EXPECT_EQ(a.command, faults::command_disposition::by_reply);

    const auto raw = faults::compose(s.rules[1].effects);
    EXPECT_EQ(raw.send, "220 no crlf");
    EXPECT_EQ(raw.end, faults::ending::hang);
    const auto body = faults::compose(s.rules[2].effects);
    EXPECT_EQ(body.after_bytes, 100u);
    EXPECT_EQ(body.end, faults::ending::close_fin);
    const auto tls = faults::compose(s.rules[3].effects);
    ASSERT_TRUE(tls.tls);
    EXPECT_EQ(tls.tls->certificate, faults::tls_fault::certificate_kind::expires_in_days);
    EXPECT_EQ(tls.tls->days, 5);
    EXPECT_EQ(tls.tls->handshake, faults::tls_fault::handshake_mode::hang);
    const auto hex = faults::compose(s.rules[4].effects);
    EXPECT_EQ(hex.send, std::string("\xff\x00\r\n", 4));
    EXPECT_DOUBLE_EQ(hex.trickle->bytes_per_second, 2000.0);
    // A block string reply: one line per line, trailing newline ignored; no phase: every phase.
    EXPECT_EQ(faults::compose(s.rules[5].effects).send, "421 4.3.2 bye\r\n");
    EXPECT_EQ(faults::compose(s.rules[6].effects).command, faults::command_disposition::skip);
    EXPECT_TRUE(s.rules[5].when.phases.empty());
}

TEST(scenario_loader, generates_unique_ids_around_given_ones)
{
    const auto s = faults::load_scenario(full_scenario, "full.yaml");
    // Given: first, r2. Generated in order, skipping r2: r1, r3, r4, r5.
    std::vector<std::string> ids;
    for (const auto& r : s.rules) {
        ids.push_back(r.id);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"first", "r1", "r3", "r4", "r2", "r5", "r6"}));
}

TEST(scenario_loader, defaults)
{
    const auto s = faults::load_scenario("name: plain\nrules:\n  - do: {hang: true}\n", "x");
    EXPECT_EQ(s.listener, faults::listener_state::open);
    EXPECT_EQ(s.probe, faults::probe_hints{});
    EXPECT_FALSE(s.expect);
    ASSERT_EQ(s.rules.size(), 1u);
    EXPECT_DOUBLE_EQ(s.rules[0].when.probability, 1.0);
    EXPECT_TRUE(s.rules[0].when.connections.empty());
    EXPECT_TRUE(s.rules[0].when.client.empty());
    EXPECT_FALSE(s.rules[0].when.times);
}

TEST(scenario_loader, yaml_escapes_make_raw_bytes)
{
    const auto s = faults::load_scenario("name: esc\nrules:\n  - when: {phase: banner}\n    do: "
                                         "{raw: \"220-a\\r\\n220 b\\n\\t\\x01\"}\n",
                                         "x");
    EXPECT_EQ(faults::compose(s.rules[0].effects).send, "220-a\r\n220 b\n\t\x01");
}

TEST(scenario_loader, json_is_accepted)
{
    const auto s = faults::load_scenario(R"({"name": "from-json", "listener": "closed",
        "expect": {"status": "CRITICAL", "kind": "refused", "phase": "connect"},
        "rules": [{"id": "x", "when": {"phase": ["mail"], "probability": 0.5, "times": 2},
                   "do": {"reply": ["451 4.3.0 try later"], "delay": "1s", "hang": false}}]})",
                                         "body.json");
    EXPECT_EQ(s.name, "from-json");
    EXPECT_EQ(s.listener, faults::listener_state::closed);
    EXPECT_EQ(s.expect->status, std::vector<std::string>{"CRITICAL"});
    EXPECT_EQ(s.rules[0].when.phases, std::vector<phase>{phase::mail});
    EXPECT_EQ(s.rules[0].when.times, 2u);
    const auto a = faults::compose(s.rules[0].effects);
    EXPECT_EQ(a.delay, 1000ms);
    EXPECT_EQ(a.end, faults::ending::proceed) << "hang: false asks for nothing";
    EXPECT_FALSE(s.rules[0].effects.has("hang"));
}

TEST(scenario_loader, load_rule_leaves_id_empty_when_not_given)
{
    const auto r = faults::load_rule("when: {phase: rcpt, argument: \"@blocked\\\\.example$\"}\n"
                                     "do: {reply: \"550 5.1.1 no such user\"}\n",
                                     "body");
    EXPECT_TRUE(r.id.empty());
    EXPECT_EQ(r.when.argument->text(), "@blocked\\.example$");
}

// Sanitizers slow everything down several times; a time bound allows for them.
#if defined(__SANITIZE_ADDRESS__)
constexpr int slowdown = 10;
#else
constexpr int slowdown = 1;
#endif

std::chrono::nanoseconds thread_cpu_time()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

TEST(scenario_loader, thousands_of_rules_without_ids_load_in_linear_time)
{
    // Ids were found by a quadratic search per rule: 4,000 rules took 13 s.
    std::string text = "name: many\nrules:\n";
    for (int i = 0; i < 4000; ++i) {
        text += i % 7 == 3 ? "  - {id: r" + std::to_string(i * 2) + ", do: {delay: 1ms}}\n"
                           : std::string("  - {when: {phase: banner}, do: {delay: 1ms}}\n");
    }
    // The bound is on this thread's CPU time, not the wall clock: a loaded machine stretches the
    // second, not the first.
    const auto start = thread_cpu_time();
    const auto s = faults::load_scenario(text, "many.yaml");
    faults::controller c(s, 1, std::chrono::steady_clock::now());
    const auto took = thread_cpu_time() - start;
    ASSERT_EQ(s.rules.size(), 4000u);
    std::set<std::string> ids;
    for (const auto& r : s.rules) {
        ids.insert(r.id);
    }
    EXPECT_EQ(ids.size(), 4000u) << "every id is unique";
    EXPECT_EQ(s.rules[0].id, "r1");
    EXPECT_EQ(s.rules[3].id, "r6");
    EXPECT_EQ(s.rules[4].id, "r4") << "generated ids skip the ones given";
    EXPECT_LT(took, 1s * slowdown)
        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

TEST(scenario_loader, catalog_requires_names_to_match_files)
{
    const auto dir = std::filesystem::temp_directory_path() /
                     ("faults_catalog_test_" +
                      std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "b.yaml") << "name: b\nrules: []\n";
    std::ofstream(dir / "a.yml") << "name: a\nrules: []\n";
    std::ofstream(dir / "notes.txt") << "ignored";
    auto catalog = faults::load_catalog(dir);
    ASSERT_EQ(catalog.size(), 2u);
    EXPECT_EQ(catalog[0].name, "a");
    EXPECT_EQ(catalog[1].name, "b");

    std::ofstream(dir / "c.yaml") << "name: see\nrules: []\n";
    try {
        faults::load_catalog(dir);
        ADD_FAILURE() << "loaded";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.file, (dir / "c.yaml").string());
        EXPECT_EQ(e.key_path, "name");
    }
    std::filesystem::remove_all(dir);
}

} // namespace
