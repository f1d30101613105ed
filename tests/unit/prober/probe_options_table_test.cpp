// The probe options table and its builder: values, defaults, derived defaults, layering and the
// rules that join options, with messages that name where the option was written.
#include "prober/probe_options_table.hpp"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>

namespace prober {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

option_origin flag(std::string name)
{
    option_origin o;
    o.name = std::move(name);
    return o;
}

option_origin file_key(std::string name, std::size_t line)
{
    option_origin o;
    o.form = option_origin::style::file;
    o.file = "w.yaml";
    o.line = line;
    o.column = 5;
    o.name = std::move(name);
    return o;
}

// The problem text of setting `key` to `values`, or "" when it is accepted.
std::string problem(std::string_view key, std::vector<std::string> values)
{
    probe_options_builder b;
    try {
        b.set(key, values, flag("--x"));
        b.build(flag(""));
    } catch (const option_error& e) {
        return e.problem();
    }
    return "";
}

TEST(probe_options_table, names_are_unique_and_spelled_like_their_flags)
{
    std::set<std::string_view> names;
    for (const auto& o : probe_option_table()) {
        EXPECT_TRUE(names.insert(o.name).second) << o.name;
        EXPECT_NE(o.apply, nullptr) << o.name;
        EXPECT_FALSE(o.help.empty()) << o.name;
        EXPECT_TRUE(o.flags.empty() != o.shorthands.empty()) << o.name;
        if (!o.flags.empty()) {
            std::string long_flag = "--" + std::string(o.name);
            std::replace(long_flag.begin(), long_flag.end(), '_', '-');
            EXPECT_EQ(flag_spelling(o), long_flag) << o.name;
        }
        EXPECT_EQ(o.type == option_type::flag, o.value_name.empty()) << o.name;
    }
    EXPECT_EQ(find_probe_option("connect-timeout"), find_probe_option("connect_timeout"));
    EXPECT_EQ(find_probe_option("host"), nullptr); // a target's, not a probe option
}

TEST(probe_options_table, every_option_is_applied)
{
    probe_options_builder b;
    const std::vector<std::pair<std::string, std::vector<std::string>>> given{
        {"port", {"2525"}},
        {"timeout", {"5s"}},
        {"connect_timeout", {"1"}},
        {"command_timeout", {"2.5"}},
        {"helo", {"probe.example"}},
        {"starttls", {"true"}},
        {"tls", {"no"}},
        {"insecure", {"yes"}},
        {"ca_file", {"/ca.pem"}},
        {"sni", {"mx.example"}},
        {"cert_days", {"30", "7"}},
        {"auth", {"u:p:w"}},
        {"mail_from", {"a@example"}},
        {"rcpt_to", {"b@example", "c@example"}},
        {"send", {"on"}},
        {"quit_after", {"rcpt"}},
        {"expect_banner", {"^mx"}},
        {"warning", {"1500ms"}},
        {"critical", {"2m"}},
        {"temp_failure_status", {"warning"}},
        {"verify", {"imap://u:p@127.0.0.1:1143"}},
        {"verify_timeout", {"1h"}},
        {"max_delivery_time", {"30s", "2m"}},
        {"family", {"ipv6"}},
        {"source_address", {"::1"}},
        {"mx", {"true"}},
        {"dns_server", {"[::1]:5353"}},
        {"dnsbl", {"zen.example.", "b.example,zen.example,c.example"}},
        {"max_reply_line", {"1000"}},
    };
    ASSERT_EQ(given.size(), probe_option_table().size());
    for (const auto& [key, values] : given) {
        ASSERT_TRUE(b.set(key, values, flag(key))) << key;
        EXPECT_TRUE(b.given(key)) << key;
    }
    const auto o = b.build(flag(""));
    EXPECT_EQ(o.port, 2525);
    EXPECT_EQ(o.timeout, 5s);
    EXPECT_EQ(o.connect_timeout, 1s);
    EXPECT_EQ(o.command_timeout, 2500ms);
    EXPECT_EQ(o.helo_name, "probe.example");
    EXPECT_TRUE(o.starttls);
    EXPECT_FALSE(o.implicit_tls);
    EXPECT_TRUE(o.insecure);
    EXPECT_EQ(o.ca_file, "/ca.pem");
    EXPECT_EQ(o.delivery_warning, 30s);
    EXPECT_EQ(o.delivery_critical, 2min);
    EXPECT_EQ(o.verify->ca_file, "/ca.pem");
    EXPECT_EQ(o.tls_server_name, "mx.example");
    EXPECT_EQ(o.cert_warn_days, 30);
    EXPECT_EQ(o.cert_crit_days, 7);
    EXPECT_EQ(o.auth, (auth_credentials{"u", "p:w"}));
    EXPECT_EQ(o.mail_from, "a@example");
    EXPECT_EQ(o.rcpt_to, (std::vector<std::string>{"b@example", "c@example"}));
    EXPECT_TRUE(o.send);
    EXPECT_EQ(o.quit_after, smtp::phase::rcpt);
    EXPECT_EQ(o.expect_banner, "^mx");
    EXPECT_EQ(o.warning, 1500ms);
    EXPECT_EQ(o.critical, 120s);
    EXPECT_TRUE(o.temp_failure_warning);
    ASSERT_TRUE(o.verify);
    EXPECT_EQ(o.verify->port, 1143);
    EXPECT_EQ(o.verify_timeout, 3600s);
    EXPECT_EQ(o.family, address_family::v6);
    EXPECT_EQ(o.source_address, "::1");
    EXPECT_TRUE(o.mx);
    EXPECT_EQ(o.dns_server, "[::1]:5353");
    EXPECT_EQ(o.verify->dns_server, "[::1]:5353"); // the mailbox host is looked up there too
    // Zones without the final dot, once each, in order.
    EXPECT_EQ(o.dnsbl, (std::vector<std::string>{"zen.example", "b.example", "c.example"}));
    EXPECT_EQ(o.max_reply_line, 1000u);
}

TEST(probe_options_table, documented_defaults_are_the_real_ones)
{
    const auto untouched = probe_options_builder{}.build(flag(""));
    EXPECT_EQ(untouched, probe_options{}); // the struct's defaults are the table's
    int literal = 0;
    for (const auto& o : probe_option_table()) {
        if (o.default_text.empty() || o.default_text.find(' ') != std::string_view::npos) {
            continue; // unset by default, or derived ("the timeout", "this host's name")
        }
        ++literal;
        probe_options_builder b;
        b.set(o.name, {std::string(o.default_text)}, flag(std::string(o.name)));
        EXPECT_EQ(b.build(flag("")), untouched) << o.name << " " << o.default_text;
    }
    EXPECT_EQ(literal, 5); // timeout, temp_failure_status, verify_timeout, family, max_reply_line
}

TEST(probe_options_table, timeouts_default_to_the_total_whatever_the_order)
{
    probe_options_builder b;
    b.set("connect_timeout", {"2s"}, flag("--connect-timeout"));
    b.set("timeout", {"5s"}, flag("-t"));
    auto o = b.build(flag(""));
    EXPECT_EQ(o.timeout, 5s);
    EXPECT_EQ(o.connect_timeout, 2s);
    EXPECT_EQ(o.command_timeout, 5s);

    // A layer (a target over its file's defaults) keeps what the defaults set.
    probe_options_builder defaults;
    defaults.set("command_timeout", {"1s"}, file_key("defaults.command_timeout", 2));
    auto target = defaults;
    target.set("timeout", {"8s"}, file_key("targets[0].timeout", 6));
    o = target.build(file_key("targets[0]", 5));
    EXPECT_EQ(o.command_timeout, 1s);
    EXPECT_EQ(o.connect_timeout, 8s);
}

TEST(probe_options_table, verify_implies_send_even_when_send_is_off)
{
    probe_options_builder b;
    b.set("send", {"false"}, flag("--send"));
    b.set("verify", {"pop3://u:p@h"}, flag("--verify"));
    EXPECT_TRUE(b.build(flag("")).send);
}

TEST(probe_options_table, bad_values_are_named)
{
    EXPECT_EQ(problem("port", {"0"}), "expected a whole number from 1 to 65535, got \"0\"");
    EXPECT_EQ(problem("timeout", {"0"}), "must be more than 0");
    EXPECT_THAT(problem("timeout", {"soon"}), HasSubstr("expected a duration"));
    EXPECT_EQ(problem("starttls", {"maybe"}), "expected true or false, got \"maybe\"");
    EXPECT_EQ(problem("cert_days", {"7,30"}),
              "expected WARN[,CRIT] days with CRIT <= WARN, got \"7,30\"");
    EXPECT_EQ(problem("cert_days", {"x"}), "expected WARN[,CRIT] days, got \"x\"");
    EXPECT_EQ(problem("cert_days", {"1", "2", "3"}), "expected a single value");
    EXPECT_EQ(problem("auth", {"secret"}), "expected USER:PASS"); // never echoed
    EXPECT_EQ(problem("verify", {"ftp://u:secret@h"}),
              "expected pop3|pop3s|imap|imaps://USER:PASS@HOST[:PORT]");
    EXPECT_THAT(problem("quit_after", {"body"}),
                HasSubstr("expected one of connect, banner, ehlo, helo, starttls, tls, auth, "
                          "mail, rcpt, data_end, got \"body\""));
    EXPECT_THAT(problem("expect_banner", {"(["}), HasSubstr("invalid regular expression"));
    EXPECT_EQ(problem("family", {"v5"}), "expected any, v4 or v6, got \"v5\"");
    EXPECT_EQ(problem("temp_failure_status", {"ok"}), "expected critical or warning, got \"ok\"");
    EXPECT_EQ(problem("max_reply_line", {"10"}),
              "expected a whole number from 64 to 65536, got \"10\"");
    EXPECT_EQ(problem("helo", {"a", "b"}), "expected a single value");
    EXPECT_EQ(problem("rcpt_to", {}), "expected a value");
    EXPECT_EQ(problem("helo", {"ok"}), "");
    probe_options_builder b;
    EXPECT_FALSE(b.set("intervall", {"1"}, flag("--intervall")));
}

TEST(probe_options_table, rules_that_join_options_point_at_the_one_set_last)
{
    probe_options_builder b;
    b.set("tls", {"true"}, file_key("defaults.tls", 3));
    b.set("starttls", {"true"}, file_key("targets[0].starttls", 9));
    try {
        b.build(file_key("targets[0]", 8));
        FAIL() << "no error";
    } catch (const option_error& e) {
        EXPECT_STREQ(e.what(),
                     "w.yaml:9:5: targets[0].starttls: starttls and tls exclude each other");
    }

    probe_options_builder c;
    c.set("critical", {"2"}, flag("-c"));
    c.set("warning", {"3"}, flag("--warning"));
    try {
        c.build(flag(""));
        FAIL() << "no error";
    } catch (const option_error& e) {
        EXPECT_STREQ(e.what(), "--warning: --warning must not exceed --critical");
    }
}

TEST(probe_options_table, quit_after_names_what_it_needs)
{
    const auto needs = [](std::vector<std::pair<std::string, std::string>> given) {
        probe_options_builder b;
        for (const auto& [k, v] : given) {
            b.set(k, {v}, file_key("t." + k, 1));
        }
        try {
            b.build(file_key("t", 1));
        } catch (const option_error& e) {
            return e.problem();
        }
        return std::string();
    };
    EXPECT_EQ(needs({{"quit_after", "starttls"}}), "\"starttls\" needs starttls");
    EXPECT_EQ(needs({{"quit_after", "tls"}}), "\"tls\" needs starttls or tls");
    EXPECT_EQ(needs({{"quit_after", "auth"}}), "\"auth\" needs auth");
    EXPECT_EQ(needs({{"quit_after", "tls"}, {"tls", "true"}}), "");
    EXPECT_EQ(needs({{"quit_after", "auth"}, {"auth", "u:p"}}), "");
    EXPECT_EQ(needs({{"quit_after", "mail"}}), "");
}

TEST(probe_options_table, durations)
{
    EXPECT_EQ(parse_duration("10"), 10s);
    EXPECT_EQ(parse_duration("2.5"), 2500ms);
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("3s"), 3s);
    EXPECT_EQ(parse_duration("2m"), 120s);
    EXPECT_EQ(parse_duration("4h"), 4h);
    EXPECT_FALSE(parse_duration("fast"));
    EXPECT_FALSE(parse_duration("-1"));
    EXPECT_FALSE(parse_duration(""));
    EXPECT_FALSE(parse_duration("h"));
    EXPECT_EQ(parse_duration("1d"), 24h) << "Prometheus's units, as every document reads them";
    EXPECT_EQ(parse_duration("1m30s"), 90s);
    EXPECT_FALSE(parse_duration("30s1m"));
}

} // namespace
} // namespace prober
