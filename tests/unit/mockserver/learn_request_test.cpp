// The bodies of the console's Learn endpoints: defaults, limits, and errors that name the field
// at fault.

#include "mockserver/control/learn_request.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace {

using namespace mock::control;

api_request post(std::string body)
{
    api_request r;
    r.method = "POST";
    r.target = "/api/v1/learn/probe";
    r.body = std::move(body);
    return r;
}

// The error's status, code and path, as "400 invalid_value connections".
std::string error_of(const api_response& r)
{
    const auto e = boost::json::parse(r.body).at("error");
    return std::to_string(r.status) + " " + std::string(e.at("code").as_string()) + " " +
           std::string(e.at("path").as_string());
}

template <typename T> std::string error_of(const std::variant<T, api_response>& parsed)
{
    return std::holds_alternative<api_response>(parsed) ? error_of(std::get<api_response>(parsed))
                                                        : "parsed";
}

TEST(learn_probe_request, an_empty_body_asks_for_one_connection)
{
    auto parsed = parse_learn_probe(post(""));
    ASSERT_TRUE(std::holds_alternative<learn_probe_request>(parsed));
    EXPECT_EQ(std::get<learn_probe_request>(parsed).connections, 1);
    EXPECT_EQ(std::get<learn_probe_request>(parsed).connections,
              std::get<learn_probe_request>(parse_learn_probe(post("{}"))).connections);
    EXPECT_EQ(
        std::get<learn_probe_request>(parse_learn_probe(post(R"({"connections": 4})"))).connections,
        4);
}

TEST(learn_probe_request, errors_name_the_field)
{
    EXPECT_EQ(error_of(parse_learn_probe(post(R"({"connections": 0})"))),
              "400 invalid_value connections");
    EXPECT_EQ(error_of(parse_learn_probe(post(R"({"connections": 11})"))),
              "400 invalid_value connections");
    EXPECT_EQ(error_of(parse_learn_probe(post(R"({"connections": "2"})"))),
              "400 wrong_type connections");
    EXPECT_EQ(error_of(parse_learn_probe(post(R"({"conections": 2})"))),
              "400 unknown_field conections");
    EXPECT_EQ(error_of(parse_learn_probe(post("[1]"))), "400 wrong_type ");
    EXPECT_EQ(error_of(parse_learn_probe(post("{"))), "400 malformed_json ");
}

TEST(learn_talk_request, takes_the_lines_and_the_reply_timeout)
{
    auto parsed = parse_learn_talk(post(R"({"lines": ["EHLO me", "", "QUIT"]})"));
    ASSERT_TRUE(std::holds_alternative<learn_talk_request>(parsed)) << error_of(parsed);
    const auto& r = std::get<learn_talk_request>(parsed);
    EXPECT_EQ(r.lines, (std::vector<std::string>{"EHLO me", "", "QUIT"}));
    EXPECT_EQ(r.reply_timeout, std::chrono::milliseconds(3000));
    auto quick = parse_learn_talk(post(R"({"lines": ["NOOP"], "reply_timeout_ms": 250})"));
    EXPECT_EQ(std::get<learn_talk_request>(quick).reply_timeout, std::chrono::milliseconds(250));
}

TEST(learn_talk_request, errors_name_the_field)
{
    EXPECT_EQ(error_of(parse_learn_talk(post("{}"))), "400 missing_field lines");
    EXPECT_EQ(error_of(parse_learn_talk(post(R"({"lines": []})"))), "400 invalid_value lines");
    EXPECT_EQ(error_of(parse_learn_talk(post(R"({"lines": "QUIT"})"))), "400 wrong_type lines");
    EXPECT_EQ(error_of(parse_learn_talk(post(R"({"lines": ["EHLO a", 7]})"))),
              "400 wrong_type lines[1]");
    // A CR or LF inside a line would smuggle a second command past the prompt's framing.
    EXPECT_EQ(error_of(parse_learn_talk(post(R"({"lines": ["NOOP\r\nQUIT"]})"))),
              "400 invalid_value lines[0]");
    EXPECT_EQ(error_of(parse_learn_talk(post(R"({"lines": ["QUIT"], "reply_timeout_ms": 50})"))),
              "400 invalid_value reply_timeout_ms");
    std::string many = R"({"lines": [)";
    for (std::size_t i = 0; i <= max_talk_lines; ++i) {
        many += i ? R"(,"NOOP")" : R"("NOOP")";
    }
    EXPECT_EQ(error_of(parse_learn_talk(post(many + "]}"))), "400 invalid_value lines");
}

} // namespace
