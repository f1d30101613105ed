// JSON views of the mock's records and the JSON text writer they use.
#include "mockserver/control/json_views.hpp"

#include "json/json_text.hpp"
#include "json/rfc3339.hpp"
#include <boost/json.hpp>
#include <gtest/gtest.h>

TEST(json_text, rfc3339_is_utc_with_milliseconds_or_to_the_second)
{
    struct example {
        long long ms; // since 1970
        const char* with_millis;
        const char* seconds;
    };
    const example examples[] = {
        {0, "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"},
        {1796000000123, "2026-11-30T00:53:20.123Z", "2026-11-30T00:53:20Z"},
        {1796000000999, "2026-11-30T00:53:20.999Z", "2026-11-30T00:53:20Z"},
        // Before 1970 the milliseconds still count forwards within the second.
        {-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59Z"},
        // Leap days, and the century years that are not leap years.
        {951782400000, "2000-02-29T00:00:00.000Z", "2000-02-29T00:00:00Z"},
        {4107542399999, "2100-02-28T23:59:59.999Z", "2100-02-28T23:59:59Z"},
        {4107542400000, "2100-03-01T00:00:00.000Z", "2100-03-01T00:00:00Z"},
    };
    for (const auto& e : examples) {
        const std::chrono::system_clock::time_point t{std::chrono::milliseconds(e.ms)};
        EXPECT_EQ(json_text::rfc3339(t), e.with_millis) << e.ms;
        EXPECT_EQ(json_text::rfc3339_seconds(t), e.seconds) << e.ms;
    }
}

TEST(json_text, strings_are_escaped_exactly_as_boost_json_escapes_them)
{
    std::string every_ascii;
    for (int c = 0; c < 0x80; ++c) {
        every_ascii += static_cast<char>(c);
    }
    for (const std::string& text : {every_ascii, std::string("caf\xc3\xa9 \xe2\x82\xac \"q\" \\"),
                                    std::string(), std::string("plain")}) {
        std::string out = "x";
        json_text::append_string(out, text);
        EXPECT_EQ(out, "x" + boost::json::serialize(boost::json::string(text))) << text;
    }
    std::string bad;
    json_text::append_string(bad, "a\xff");
    EXPECT_EQ(bad, "\"a\xef\xbf\xbd\""); // U+FFFD
    std::string numbers;
    json_text::append_number(numbers, 0.015);
    numbers += ' ';
    json_text::append_number(numbers, std::uint64_t{18446744073709551615u});
    EXPECT_EQ(numbers, "0.015 18446744073709551615");
}

TEST(json_text, one_octet_to_escape_is_found_at_every_place_of_a_long_text)
{
    // Text is checked eight octets at a time: put each kind of octet in each lane of a word,
    // and in the tail after the last whole word.
    for (const char c : {'\0', '\x1f', '"', '\\', '\x7f', ' ', '~', '\x80', '\xff'}) {
        for (std::size_t at = 0; at < 19; ++at) {
            std::string text(19, 'a');
            text[at] = c;
            std::string out;
            json_text::append_string(out, text);
            std::string expected = text;
            if (static_cast<unsigned char>(c) >= 0x80) {
                expected.replace(at, 1, "\xef\xbf\xbd"); // U+FFFD
            }
            EXPECT_EQ(out, boost::json::serialize(boost::json::string(expected)))
                << static_cast<int>(c) << " at " << at;
        }
    }
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

TEST(json_text, milliseconds_are_written_as_their_double_would_be)
{
    std::vector<std::int64_t> samples = {0,       1,         99,          100,        101,
                                         1000,    5'059'571, 6'000'000,   1'234'000,  999'999,
                                         -5'000,  123'456'789'012, 3'999'999'999'999'999,
                                         4'000'000'000'000'000, (std::int64_t{1} << 53) + 1};
    std::uint64_t x = 88172645463325252u; // xorshift: many more, over every magnitude
    for (int i = 0; i < 20000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        samples.push_back(static_cast<std::int64_t>(x >> (11 + i % 52)));
    }
    for (const auto ns : samples) {
        const std::chrono::nanoseconds d(ns);
        std::string got;
        std::string want;
        json_text::append_milliseconds(got, d);
        json_text::append_number(want, std::chrono::duration<double, std::milli>(d).count());
        ASSERT_EQ(got, want) << ns;
    }
}
