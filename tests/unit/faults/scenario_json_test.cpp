// JSON for the control API: what GET returns loads back unchanged through PUT/POST.
#include "faults/scenario_json.hpp"
#include "faults/scenario_loader.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace {

namespace json = boost::json;

constexpr const char* sample = R"(name: sample
summary: s
description: d
listener: closed
probe: {send: true, insecure: true, quit_after: mail, warning: 1s, critical: 2500ms, cert_days: "20,5"}
expect: {status: [OK, WARNING], kind: slow, phase: banner}
rules:
  - id: a
    when: {phase: [ehlo, helo], command: "EHLO|HELO", argument: "x+", connections: [1, 3-, every 2 from 5],
           probability: 0.3, after: 2s, until: 1m, times: 4, client: [127.0.0.0/8, "::1/128"]}
    do: {delay: 250ms, reply: ["250-a", "250 b"], trickle: 12.5, close: rst}
  - when: {phase: banner}
    do: {raw: "220 \u00e9t\u00e9\r\n", hang: true}
  - when: {phase: quit}
    do: {raw: {hex: "ff fe 00"}}
  - when: {phase: body}
    do: {close: fin, after_bytes: 12}
  - when: {phase: tls}
    do: {tls: {expires_in_days: 3, handshake: fail}}
  - when: {phase: tls}
    do: {tls: {certificate: self_signed}}
)";

TEST(scenario_json, round_trips_through_the_loader)
{
    const auto original = faults::load_scenario(sample, "sample.yaml");
    const std::string text = json::serialize(faults::to_json(original));
    const auto back = faults::scenario_from_body(text);
    EXPECT_EQ(back, original) << text;
}

TEST(scenario_json, writes_the_scenario_file_keys)
{
    const auto s = faults::load_scenario(sample, "sample.yaml");
    const json::value v = faults::to_json(s);
    EXPECT_EQ(v.at("listener"), "closed");
    EXPECT_EQ(v.at("probe").at("quit_after"), "mail");
    EXPECT_EQ(v.at("probe").at("critical"), "2500ms");
    EXPECT_EQ(v.at("probe").at("cert_days"), "20,5");
    EXPECT_EQ(v.at("expect").at("status"), (json::array{"OK", "WARNING"}));
    const auto& rule = v.at("rules").at(0);
    EXPECT_EQ(rule.at("id"), "a");
    EXPECT_EQ(rule.at("when").at("phase"), (json::array{"ehlo", "helo"}));
    EXPECT_EQ(rule.at("when").at("connections"), (json::array{1, "3-", "every 2 from 5"}));
    EXPECT_EQ(rule.at("when").at("until"), "1m");
    EXPECT_EQ(rule.at("do").at("delay"), "250ms");
    EXPECT_EQ(rule.at("do").at("close"), "rst");
    EXPECT_EQ(v.at("rules").at(1).at("when").at("phase"), "banner");
    EXPECT_EQ(v.at("rules").at(1).at("do").at("raw"), "220 \xc3\xa9t\xc3\xa9\r\n");
    // Bytes that are not UTF-8 cannot be a JSON string: they are written as hex.
    EXPECT_EQ(v.at("rules").at(2).at("do").at("raw").at("hex"), "fffe00");
    EXPECT_EQ(v.at("rules").at(4).at("do").at("tls").at("expires_in_days"), 3);
    EXPECT_FALSE(v.at("rules").at(3).at("do").as_object().contains("hang"));
}

TEST(scenario_json, rule_status_adds_the_fire_count)
{
    faults::rule_status st{faults::load_rule("id: z\ndo: {hang: true}\n", "b"), 7, {}};
    const auto v = faults::to_json(st);
    EXPECT_EQ(v.at("id"), "z");
    EXPECT_EQ(v.at("fired"), 7);
    EXPECT_EQ(v.at("do").at("hang"), true);
    const auto back = faults::rule_from_body(json::serialize(faults::to_json(st.definition)));
    EXPECT_EQ(back, st.definition);
}

TEST(scenario_json, error_body)
{
    try {
        faults::rule_from_body(R"({"when": {"phase": "ehlo"}, "do": {"close": "fn"}})");
        FAIL() << "parsed";
    } catch (const faults::scenario_error& e) {
        const auto v = faults::error_json(e);
        EXPECT_EQ(v.at("error").at("code"), "invalid_scenario");
        EXPECT_EQ(v.at("error").at("path"), "do.close");
        EXPECT_EQ(v.at("error").at("line"), 1);
        EXPECT_EQ(v.at("error").at("column"), 45);
        EXPECT_EQ(v.at("error").at("message").as_string(),
                  "request body:1:45: do.close: unknown value 'fn'; did you mean 'fin'? expected "
                  "one of: fin, rst");
    }
}

} // namespace
