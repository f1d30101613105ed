#include "smtp/error.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

TEST(phase_names, contract_order_and_spelling)
{
    // The phases, in order.
    const std::vector<std::string_view> expected{
        "dns",  "connect", "tls",  "banner",   "ehlo", "helo", "starttls", "auth", "mail",
        "rcpt", "data",    "body", "data_end", "rset", "noop", "vrfy",     "quit", "verify"};
    ASSERT_EQ(smtp::all_phases.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(smtp::to_string(smtp::all_phases[i]), expected[i]);
    }
}

TEST(phase_names, round_trip)
{
    std::set<std::string_view> seen;
    for (auto p : smtp::all_phases) {
        auto name = smtp::to_string(p);
        EXPECT_TRUE(seen.insert(name).second) << name;
        auto back = smtp::parse_phase(name);
        ASSERT_TRUE(back.has_value()) << name;
        EXPECT_EQ(*back, p);
    }
}

TEST(phase_names, unknown_names)
{
    for (std::string_view bad :
         {"", "DNS", "Data", "data-end", "dataend", "data_end ", " quit", "unknown", "greeting"}) {
        EXPECT_FALSE(smtp::parse_phase(bad).has_value()) << bad;
    }
}

TEST(failure_kind_names, contract_spelling)
{
    // The closed set of failure kinds.
    const std::vector<std::string_view> expected{
        "dns_error",        "refused",        "unreachable",   "timeout",
        "closed",           "reset",          "temp_failure",  "perm_failure",
        "unexpected_reply", "protocol_error", "tls_error",     "capability_missing",
        "blocklisted",      "slow",           "cert_expiring", "not_delivered",
        "duplicated",       "altered"};
    ASSERT_EQ(smtp::all_failure_kinds.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(smtp::to_string(smtp::all_failure_kinds[i]), expected[i]);
    }
}

TEST(failure_kind_names, round_trip)
{
    std::set<std::string_view> seen;
    for (auto k : smtp::all_failure_kinds) {
        auto name = smtp::to_string(k);
        EXPECT_TRUE(seen.insert(name).second) << name;
        auto back = smtp::parse_failure_kind(name);
        ASSERT_TRUE(back.has_value()) << name;
        EXPECT_EQ(*back, k);
    }
}

TEST(failure_kind_names, unknown_names)
{
    for (std::string_view bad :
         {"", "TIMEOUT", "time_out", "temp-failure", "blacklisted", "unknown", "ok", "timeout\n"}) {
        EXPECT_FALSE(smtp::parse_failure_kind(bad).has_value()) << bad;
    }
}

TEST(wire_errors, category_and_messages)
{
    EXPECT_EQ(std::string_view(smtp::wire_category().name()), "smtp.wire");
    std::set<std::string> messages;
    for (int e = static_cast<int>(smtp::wire_errc::line_too_long);
         e <= static_cast<int>(smtp::wire_errc::enhanced_code_syntax); ++e) {
        boost::system::error_code ec = static_cast<smtp::wire_errc>(e);
        EXPECT_TRUE(ec.failed());
        EXPECT_EQ(&ec.category(), &smtp::wire_category());
        EXPECT_TRUE(messages.insert(ec.message()).second) << ec.message();
        EXPECT_NE(ec.message(), "unknown smtp.wire error");
    }
    EXPECT_EQ(smtp::wire_category().message(0), "unknown smtp.wire error");
}

} // namespace
