// Request targets taken apart: path segments and query parameters with percent-decoding.
#include "io/http_target.hpp"

#include <gtest/gtest.h>

using io::http::parse_request_target;
using io::http::percent_decode;

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
