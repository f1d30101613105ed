#include "smtp/error.hpp"
#include "smtp/limits.hpp"
#include "smtp/line_framer.hpp"
#include "smtp/reply.hpp"
#include "smtp/reply_parser.hpp"

#include <gtest/gtest.h>
#include <string>
#include <string_view>
#include <vector>

namespace {

using smtp::reply_parser;
using smtp::reply_status;
using smtp::wire_errc;

TEST(reply_parser, single_line)
{
    reply_parser parser;
    ASSERT_EQ(parser.feed_line("220 mx.example.org ESMTP ready"), reply_status::complete);
    auto r = parser.take();
    EXPECT_EQ(r.code, 220);
    EXPECT_EQ(r.klass(), 2);
    EXPECT_EQ(r.lines, std::vector<std::string>{"mx.example.org ESMTP ready"});
    EXPECT_EQ(r.text(), "mx.example.org ESMTP ready");
    EXPECT_FALSE(r.enhanced().has_value());
}

TEST(reply_parser, multi_line)
{
    // RFC 5321 §4.2.1: every line but the last has '-' after the code.
    reply_parser parser;
    EXPECT_EQ(parser.feed_line("250-mx.example.org"), reply_status::need_more);
    EXPECT_EQ(parser.partial().lines.size(), 1u);
    EXPECT_EQ(parser.feed_line("250-PIPELINING"), reply_status::need_more);
    EXPECT_EQ(parser.feed_line("250-SIZE 10240000"), reply_status::need_more);
    EXPECT_EQ(parser.feed_line("250 8BITMIME"), reply_status::complete);
    auto r = parser.take();
    EXPECT_EQ(r.code, 250);
    EXPECT_EQ(r.lines, (std::vector<std::string>{"mx.example.org", "PIPELINING", "SIZE 10240000",
                                                 "8BITMIME"}));
    EXPECT_EQ(r.text(), "mx.example.org PIPELINING SIZE 10240000 8BITMIME");
    EXPECT_TRUE(parser.partial().lines.empty());
}

TEST(reply_parser, code_without_text)
{
    reply_parser parser;
    ASSERT_EQ(parser.feed_line("250"), reply_status::complete);
    auto r = parser.take();
    EXPECT_EQ(r.code, 250);
    EXPECT_EQ(r.lines, std::vector<std::string>{""});
    EXPECT_EQ(r.text(), "");

    ASSERT_EQ(parser.feed_line("250 "), reply_status::complete);
    EXPECT_EQ(parser.take().lines, std::vector<std::string>{""});

    EXPECT_EQ(parser.feed_line("250-"), reply_status::need_more);
    EXPECT_EQ(parser.feed_line("250"), reply_status::complete);
    EXPECT_EQ(parser.take().lines, (std::vector<std::string>{"", ""}));
}

TEST(reply_parser, consecutive_replies_after_take)
{
    reply_parser parser;
    ASSERT_EQ(parser.feed_line("250 2.1.0 Ok"), reply_status::complete);
    EXPECT_EQ(parser.take().code, 250);
    ASSERT_EQ(parser.feed_line("354 End data with <CR><LF>.<CR><LF>"), reply_status::complete);
    EXPECT_EQ(parser.take().code, 354);
    ASSERT_EQ(parser.feed_line("421-closing"), reply_status::need_more);
    ASSERT_EQ(parser.feed_line("421 4.4.2 bye"), reply_status::complete);
    auto r = parser.take();
    EXPECT_EQ(r.code, 421);
    EXPECT_EQ(r.lines.size(), 2u);
}

TEST(reply_parser, a_line_after_complete_starts_a_new_reply)
{
    reply_parser parser;
    ASSERT_EQ(parser.feed_line("250 first"), reply_status::complete);
    ASSERT_EQ(parser.feed_line("550 second"), reply_status::complete);
    auto r = parser.take();
    EXPECT_EQ(r.code, 550);
    EXPECT_EQ(r.lines, std::vector<std::string>{"second"});
}

TEST(reply_parser, every_valid_code_range_boundary)
{
    // RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39.
    for (std::string_view line :
         {"200 a", "259 a", "300 a", "354 a", "400 a", "459 a", "500 a", "559 a"}) {
        reply_parser parser;
        EXPECT_EQ(parser.feed_line(line), reply_status::complete) << line;
    }
}

struct malformed_case {
    std::vector<std::string_view> lines;
    wire_errc expected;
};

class reply_parser_malformed : public ::testing::TestWithParam<malformed_case> {};

TEST_P(reply_parser_malformed, is_an_error)
{
    const auto& c = GetParam();
    reply_parser parser(3);
    reply_status status = reply_status::need_more;
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
        status = parser.feed_line(c.lines[i]);
        if (i + 1 < c.lines.size()) {
            ASSERT_EQ(status, reply_status::need_more) << "line " << i;
        }
    }
    EXPECT_EQ(status, reply_status::error);
    EXPECT_EQ(parser.error(), c.expected);
    EXPECT_EQ(parser.error().category().name(), std::string_view("smtp.wire"));
    EXPECT_FALSE(parser.error().message().empty());

    parser.reset();
    EXPECT_FALSE(parser.error());
    EXPECT_TRUE(parser.partial().lines.empty());
    EXPECT_EQ(parser.feed_line("250 ok"), reply_status::complete);
}

INSTANTIATE_TEST_SUITE_P(
    rfc5321, reply_parser_malformed,
    ::testing::Values(
        malformed_case{{""}, wire_errc::reply_too_short},
        malformed_case{{"2"}, wire_errc::reply_too_short},
        malformed_case{{"25"}, wire_errc::reply_too_short},
        malformed_case{{"250-a", "25"}, wire_errc::reply_too_short},
        malformed_case{{"abc hello"}, wire_errc::reply_bad_code},
        malformed_case{{"2x0 ok"}, wire_errc::reply_bad_code},
        malformed_case{{"25x ok"}, wire_errc::reply_bad_code},
        malformed_case{{" 250 ok"}, wire_errc::reply_bad_code},
        malformed_case{{"100 informational"}, wire_errc::reply_bad_code},
        malformed_case{{"199 informational"}, wire_errc::reply_bad_code},
        malformed_case{{"600 out of range"}, wire_errc::reply_bad_code},
        malformed_case{{"099 out of range"}, wire_errc::reply_bad_code},
        malformed_case{{"260 second digit"}, wire_errc::reply_bad_code},
        malformed_case{{"290 second digit"}, wire_errc::reply_bad_code},
        malformed_case{{"599 second digit"}, wire_errc::reply_bad_code},
        malformed_case{{"250x ok"}, wire_errc::reply_bad_separator},
        malformed_case{{"250\tok"}, wire_errc::reply_bad_separator},
        malformed_case{{"2500 ok"}, wire_errc::reply_bad_separator},
        malformed_case{{"250:ok"}, wire_errc::reply_bad_separator},
        malformed_case{{"250-a", "250_b"}, wire_errc::reply_bad_separator},
        malformed_case{{"250-a", "251 b"}, wire_errc::reply_code_mismatch},
        malformed_case{{"250-a", "250-b", "550 c"}, wire_errc::reply_code_mismatch},
        malformed_case{{"250-a", "250-b", "250-c", "250 d"}, wire_errc::reply_too_many_lines},
        malformed_case{{"250-a", "250-b", "250-c", "250-d"}, wire_errc::reply_too_many_lines}));

// Frames `wire` fed in chunks cut at `cut`, and parses every reply in it.
std::vector<smtp::reply> parse_stream(std::string_view wire, std::size_t cut)
{
    smtp::line_framer framer(smtp::limits::reply_line);
    reply_parser parser;
    std::vector<smtp::reply> out;
    for (std::string_view chunk : {wire.substr(0, cut), wire.substr(cut)}) {
        framer.feed(chunk);
        while (auto line = framer.next()) {
            EXPECT_FALSE(line->too_long);
            auto status = parser.feed_line(line->text);
            EXPECT_NE(status, reply_status::error) << parser.error().message();
            if (status == reply_status::complete) {
                out.push_back(parser.take());
            }
        }
    }
    return out;
}

TEST(reply_parser, pipelined_replies_split_at_every_byte)
{
    // RFC 2920 §3.1: replies to a pipelined group arrive back to back.
    const std::string_view wire = "250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"
                                  "250 2.1.0 Ok\r\n550 5.1.1 <x@y>: no such user\r\n"
                                  "354 End data with <CR><LF>.<CR><LF>\r\n250\r\n";
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        auto replies = parse_stream(wire, cut);
        ASSERT_EQ(replies.size(), 5u) << "split at " << cut;
        EXPECT_EQ(replies[0].lines,
                  (std::vector<std::string>{"mx.example.org", "PIPELINING", "SIZE 1000"}));
        EXPECT_EQ(replies[1].enhanced(), (smtp::enhanced_code{2, 1, 0}));
        EXPECT_EQ(replies[2].code, 550);
        EXPECT_EQ(replies[2].text(), "5.1.1 <x@y>: no such user");
        EXPECT_EQ(replies[3].code, 354);
        EXPECT_EQ(replies[4].code, 250);
        EXPECT_EQ(replies[4].lines, std::vector<std::string>{""});
    }
}

TEST(reply_parser, exactly_max_lines_is_accepted)
{
    reply_parser parser(3);
    EXPECT_EQ(parser.feed_line("250-a"), reply_status::need_more);
    EXPECT_EQ(parser.feed_line("250-b"), reply_status::need_more);
    EXPECT_EQ(parser.feed_line("250 c"), reply_status::complete);
    EXPECT_EQ(parser.take().lines.size(), 3u);
}

TEST(reply_parser, default_bound_stops_an_endless_continuation)
{
    reply_parser parser;
    reply_status status = reply_status::need_more;
    int fed = 0;
    while (status == reply_status::need_more && fed < 5000) {
        status = parser.feed_line("250-again");
        ++fed;
    }
    EXPECT_EQ(status, reply_status::error);
    EXPECT_EQ(parser.error(), wire_errc::reply_too_many_lines);
    EXPECT_EQ(fed, static_cast<int>(smtp::limits::reply_lines) + 1);
}

TEST(enhanced_code, parses_valid_codes)
{
    // RFC 3463 §2: class "." subject "." detail, subject and detail 1 to 3 digits.
    struct valid {
        std::string_view text;
        smtp::enhanced_code code;
        std::size_t length;
    };
    for (const auto& v :
         {valid{"2.0.0", {2, 0, 0}, 5}, valid{"5.7.1 blocked", {5, 7, 1}, 5},
          valid{"4.4.2 timeout", {4, 4, 2}, 5}, valid{"5.123.456 x", {5, 123, 456}, 9},
          valid{"2.1.10", {2, 1, 10}, 6}, valid{"4.007.099", {4, 7, 99}, 9}}) {
        auto parsed = smtp::parse_enhanced_code(v.text);
        ASSERT_TRUE(parsed.has_value()) << v.text;
        EXPECT_EQ(parsed->first, v.code) << v.text;
        EXPECT_EQ(parsed->second, v.length) << v.text;
    }
}

TEST(enhanced_code, rejects_malformed_codes)
{
    for (std::string_view text :
         {"",       "2",      "2.0",     "2.0.",     "2..0",     ".0.0",   "3.0.0",
          "1.0.0",  "6.0.0",  "2.0.0.0", "2.1234.0", "2.0.1234", "2.a.0",  "2.0.a",
          "2.0.0x", "2.0.0-", "25.0.0",  "2,0,0",    "x2.0.0",   " 2.0.0", "Ok 2.0.0"}) {
        EXPECT_FALSE(smtp::parse_enhanced_code(text).has_value()) << text;
    }
}

TEST(enhanced_code, to_string)
{
    EXPECT_EQ((smtp::enhanced_code{5, 7, 1}.to_string()), "5.7.1");
    EXPECT_EQ((smtp::enhanced_code{2, 123, 45}.to_string()), "2.123.45");
}

TEST(reply, enhanced_code_of_the_first_line)
{
    reply_parser parser;
    ASSERT_EQ(parser.feed_line("550-5.7.1 blocked using zen.spamhaus.org"),
              reply_status::need_more);
    ASSERT_EQ(parser.feed_line("550 5.7.1 see the blocklist"), reply_status::complete);
    auto r = parser.take();
    ASSERT_TRUE(r.enhanced().has_value());
    EXPECT_EQ(*r.enhanced(), (smtp::enhanced_code{5, 7, 1}));
}

TEST(reply, enhanced_code_class_must_match_the_reply_code)
{
    // RFC 3463 §2, RFC 2034 §4: the class digit equals the first digit of the reply code.
    smtp::reply r{250, {"5.0.0 mismatch"}};
    EXPECT_FALSE(r.enhanced().has_value());
    r = {450, {"4.2.0 busy"}};
    EXPECT_TRUE(r.enhanced().has_value());
    r = {550, {"4.2.0 busy"}};
    EXPECT_FALSE(r.enhanced().has_value());
    r = {354, {"3.0.0 go ahead"}};
    EXPECT_FALSE(r.enhanced().has_value());
}

TEST(reply, malformed_enhanced_code_is_none)
{
    smtp::reply r{250, {"2.0 Ok"}};
    EXPECT_FALSE(r.enhanced().has_value());
    r = {250, {"2.0.0Ok"}};
    EXPECT_FALSE(r.enhanced().has_value());
    r = {250, {}};
    EXPECT_FALSE(r.enhanced().has_value());
    r = {250, {""}};
    EXPECT_FALSE(r.enhanced().has_value());
}

TEST(reply, make_reply_one_line)
{
    EXPECT_EQ(smtp::make_reply(250, "2.1.0", "Ok"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(smtp::make_reply(250, "", "Ok"), "250 Ok\r\n");
    EXPECT_EQ(smtp::make_reply(250, "2.0.0", ""), "250 2.0.0\r\n");
    // RFC 5321 §4.2: Reply-code [ SP textstring ] CRLF, so no SP without text.
    EXPECT_EQ(smtp::make_reply(250, "", ""), "250\r\n");
}

TEST(reply, make_reply_multi_line)
{
    EXPECT_EQ(smtp::make_reply(250, std::vector<std::string>{"a", "b", "c"}),
              "250-a\r\n250-b\r\n250 c\r\n");
    EXPECT_EQ(smtp::make_reply(221, std::vector<std::string>{"bye"}), "221 bye\r\n");
    EXPECT_EQ(smtp::make_reply(250, std::vector<std::string>{}), "250\r\n");
    EXPECT_EQ(smtp::make_reply(250, std::vector<std::string>{"a", ""}), "250-a\r\n250\r\n");
}

// Parses a wire form, line by line, into one reply.
smtp::reply parse_wire(std::string_view wire)
{
    reply_parser parser;
    reply_status status = reply_status::need_more;
    while (!wire.empty()) {
        auto end = wire.find("\r\n");
        EXPECT_NE(end, std::string_view::npos);
        EXPECT_EQ(status, reply_status::need_more);
        status = parser.feed_line(wire.substr(0, end));
        wire.remove_prefix(end + 2);
    }
    EXPECT_EQ(status, reply_status::complete);
    return parser.take();
}

TEST(reply, to_wire_round_trips)
{
    for (const smtp::reply& r :
         {smtp::reply{220, {"mx ESMTP"}}, smtp::reply{250, {"mx", "PIPELINING", "8BITMIME"}},
          smtp::reply{550, {"5.7.1 no"}}, smtp::reply{250, {""}}, smtp::reply{250, {"", "x", ""}},
          smtp::reply{354, {"go ahead"}}}) {
        std::string wire = r.to_wire();
        auto back = parse_wire(wire);
        EXPECT_EQ(back.code, r.code) << wire;
        EXPECT_EQ(back.lines, r.lines) << wire;
        EXPECT_EQ(back.to_wire(), wire);
    }
}

TEST(reply, make_reply_round_trips)
{
    auto r = parse_wire(smtp::make_reply(451, "4.3.0", "try later"));
    EXPECT_EQ(r.code, 451);
    EXPECT_EQ(r.lines, std::vector<std::string>{"4.3.0 try later"});
    ASSERT_TRUE(r.enhanced().has_value());
    EXPECT_EQ(r.enhanced()->to_string(), "4.3.0");

    for (std::string_view wire :
         {"250 Ok\r\n", "250\r\n", "250-a\r\n250 b\r\n", "250-\r\n250 end\r\n"}) {
        EXPECT_EQ(parse_wire(wire).to_wire(), wire);
    }
}

} // namespace
