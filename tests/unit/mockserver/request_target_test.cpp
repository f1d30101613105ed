#include "json/json_text.hpp"
#include "mockserver/control/json_views.hpp"
#include "mockserver/control/request_target.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using mock::control::parse_request_target;
using mock::control::percent_decode;

TEST(request_target, splits_path_and_query)
{
    auto t = parse_request_target("/api/v1/sessions?since=3&limit=10");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->segments, (std::vector<std::string>{"api", "v1", "sessions"}));
    EXPECT_EQ(t->query.at("since"), "3");
    EXPECT_EQ(t->query.at("limit"), "10");
}

TEST(request_target, decodes_escapes_and_ignores_empty_segments)
{
    auto t = parse_request_target("/api//v1/rules/slow%20banner/?a=x+y%21&&b");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->segments, (std::vector<std::string>{"api", "v1", "rules", "slow banner"}));
    EXPECT_EQ(t->query.at("a"), "x y!");
    EXPECT_EQ(t->query.at("b"), "");
}

TEST(request_target, rejects_broken_targets)
{
    EXPECT_FALSE(parse_request_target(""));
    EXPECT_FALSE(parse_request_target("api/v1"));
    EXPECT_FALSE(parse_request_target("http://host/api"));
    EXPECT_FALSE(parse_request_target("/a%2"));
    EXPECT_FALSE(parse_request_target("/a?x=%g0"));
    EXPECT_FALSE(percent_decode("%", false));
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_EQ(percent_decode("%41%62", false), "Ab");
}

TEST(json_views, rfc3339_is_utc_with_milliseconds)
{
    using namespace std::chrono;
    EXPECT_EQ(mock::control::rfc3339(system_clock::time_point(milliseconds(0))),
              "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(mock::control::rfc3339(system_clock::time_point(milliseconds(1796000000123))),
              "2026-11-30T00:53:20.123Z");
}

TEST(json_text, doubles_are_plain_and_strings_escaped)
{
    boost::json::object o;
    o["t"] = 0.015;
    o["u"] = 2.5;
    o["n"] = -7;
    o["big"] = std::uint64_t(18446744073709551615ull);
    o["s"] = "a\"b\n";
    o["l"] = boost::json::array{true, nullptr};
    auto text = json_text::serialize(o);
    EXPECT_EQ(
        text,
        R"({"t":0.015,"u":2.5,"n":-7,"big":18446744073709551615,"s":"a\"b\n","l":[true,null]})");
    EXPECT_EQ(boost::json::parse(text), boost::json::value(o));
}
