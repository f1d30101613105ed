#include "smtp/limits.hpp"
#include "smtp/line_framer.hpp"

#include <algorithm>
#include <cstddef>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using smtp::line_ending;
using smtp::line_framer;

// A framed line copied out of the framer, so that it outlives the next call.
struct line {
    std::string text;
    line_ending ending = line_ending::crlf;
    bool too_long = false;

    friend bool operator==(const line&, const line&) = default;
};

std::ostream& operator<<(std::ostream& os, const line& l)
{
    return os << '{' << ::testing::PrintToString(l.text) << ", "
              << (l.ending == line_ending::crlf ? "crlf" : "bare_lf")
              << (l.too_long ? ", too_long" : "") << '}';
}

line crlf(std::string text)
{
    return {std::move(text), line_ending::crlf, false};
}
line bare(std::string text)
{
    return {std::move(text), line_ending::bare_lf, false};
}
line too_long()
{
    return {"", line_ending::crlf, true};
}

// Takes every complete line out of the framer, checking that buffered() stays bounded.
void drain(line_framer& framer, std::vector<line>& out)
{
    while (auto l = framer.next()) {
        out.push_back({std::string(l->text), l->ending, l->too_long});
    }
    EXPECT_FALSE(framer.has_line());
}

std::vector<line> frame_whole(std::string_view input, std::size_t limit)
{
    line_framer framer(limit);
    framer.feed(input);
    std::vector<line> out;
    drain(framer, out);
    return out;
}

// Feeds `input` in the chunks given by cutting it at each offset in `cuts` (ascending).
std::vector<line> frame_split(std::string_view input, std::size_t limit,
                              const std::vector<std::size_t>& cuts)
{
    line_framer framer(limit);
    std::vector<line> out;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        framer.feed(input.substr(from, cut - from));
        drain(framer, out);
        from = cut;
    }
    framer.feed(input.substr(from));
    drain(framer, out);
    return out;
}

// Every split into two chunks and the split into single bytes give the same lines.
void expect_split_invariant(std::string_view input, std::size_t limit,
                            const std::vector<line>& expected)
{
    ASSERT_EQ(frame_whole(input, limit), expected);
    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
        ASSERT_EQ(frame_split(input, limit, {cut}), expected) << "split at " << cut;
    }
    for (std::size_t a = 1; a < input.size() && input.size() <= 64; ++a) {
        for (std::size_t b = a; b < input.size(); ++b) {
            ASSERT_EQ(frame_split(input, limit, {a, b}), expected)
                << "split at " << a << " and " << b;
        }
    }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < input.size(); ++i) {
        every.push_back(i);
    }
    ASSERT_EQ(frame_split(input, limit, every), expected) << "one byte at a time";
}

TEST(line_framer, crlf_lines)
{
    expect_split_invariant("EHLO a\r\nMAIL FROM:<>\r\n\r\nQUIT\r\n", 512,
                           {crlf("EHLO a"), crlf("MAIL FROM:<>"), crlf(""), crlf("QUIT")});
}

TEST(line_framer, bare_lf_is_reported)
{
    expect_split_invariant("a\nb\r\n\nc\n", 512, {bare("a"), crlf("b"), bare(""), bare("c")});
}

TEST(line_framer, lone_cr_inside_a_line_is_kept)
{
    expect_split_invariant("a\rb\r\n\r\r\nc\r", 512, {crlf("a\rb"), crlf("\r")});
}

TEST(line_framer, incomplete_line_is_held)
{
    line_framer framer(512);
    framer.feed("QUIT\r");
    EXPECT_FALSE(framer.has_line());
    EXPECT_FALSE(framer.next().has_value());
    EXPECT_EQ(framer.buffered(), 5u);
    framer.feed("\n");
    ASSERT_TRUE(framer.has_line());
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->text, "QUIT");
    EXPECT_EQ(framer.buffered(), 0u);
}

TEST(line_framer, nul_bytes_are_kept)
{
    using namespace std::string_literals;
    expect_split_invariant("a\0b\r\n\0\r\n"s, 512, {crlf("a\0b"s), crlf("\0"s)});
}

TEST(line_framer, eight_bit_octets_are_kept)
{
    expect_split_invariant("\xc3\xa9t\xc3\xa9\r\n\xff\r\n", 512,
                           {crlf("\xc3\xa9t\xc3\xa9"), crlf("\xff")});
}

// RFC 5321 §4.5.3.1.4 and .6: the limit counts the CRLF.
class line_limit : public ::testing::TestWithParam<std::size_t> {};

TEST_P(line_limit, exactly_at_the_limit_is_accepted)
{
    const std::size_t limit = GetParam();
    std::string at(limit - 2, 'x');
    expect_split_invariant(at + "\r\nnext\r\n", limit, {crlf(at), crlf("next")});
}

TEST_P(line_limit, one_under_the_limit_is_accepted)
{
    const std::size_t limit = GetParam();
    std::string under(limit - 3, 'x');
    expect_split_invariant(under + "\r\nnext\r\n", limit, {crlf(under), crlf("next")});
}

TEST_P(line_limit, one_over_the_limit_is_too_long)
{
    const std::size_t limit = GetParam();
    std::string over(limit - 1, 'x');
    expect_split_invariant(over + "\r\nnext\r\n", limit, {too_long(), crlf("next")});
}

TEST_P(line_limit, bare_lf_line_obeys_the_same_text_limit)
{
    const std::size_t limit = GetParam();
    std::string at(limit - 2, 'x');
    std::string over(limit - 1, 'x');
    expect_split_invariant(at + "\n" + over + "\nok\n", limit, {bare(at), too_long(), bare("ok")});
}

TEST_P(line_limit, cr_at_the_limit_becomes_text_when_no_lf_follows)
{
    // limit - 2 octets, a CR, then more text: the CR is part of the line, which is now over.
    const std::size_t limit = GetParam();
    std::string text(limit - 2, 'x');
    expect_split_invariant(text + "\ry\r\nok\r\n", limit, {too_long(), crlf("ok")});
}

INSTANTIATE_TEST_SUITE_P(rfc5321, line_limit,
                         ::testing::Values(smtp::limits::command_line, smtp::limits::text_line));

TEST(line_framer, tiny_limit_allows_only_empty_lines)
{
    expect_split_invariant("\r\na\r\n\r\n", 2, {crlf(""), too_long(), crlf("")});
}

TEST(line_framer, mixed_input_at_a_small_limit_is_split_invariant)
{
    // Limit 8: text of up to 6 octets. Lines at, under and over it, with CRLF, bare LF, a CR
    // inside, a CR that lands on the limit, and an empty line, all in one stream.
    expect_split_invariant("123456\r\n12345\n1234567\r\na\rb\r\n\r\n12345\r\r\n"
                           "123456\rx\r\nlast\r\n",
                           8,
                           {crlf("123456"), bare("12345"), too_long(), crlf("a\rb"), crlf(""),
                            crlf("12345\r"), too_long(), crlf("last")});
}

// The framer's contract stated plainly on a whole input: cut at each LF, drop a CR before it,
// and call a line too long when its text exceeds limit - 2 octets.
std::vector<line> reference_frame(std::string_view input, std::size_t limit)
{
    std::vector<line> out;
    for (auto lf = input.find('\n'); lf != std::string_view::npos; lf = input.find('\n')) {
        std::string_view text = input.substr(0, lf);
        bool crlf = !text.empty() && text.back() == '\r';
        if (crlf) {
            text.remove_suffix(1);
        }
        if (text.size() + 2 > limit) {
            out.push_back(too_long());
        } else {
            out.push_back({std::string(text), crlf ? line_ending::crlf : line_ending::bare_lf});
        }
        input.remove_prefix(lf + 1);
    }
    return out;
}

TEST(line_framer, random_inputs_and_splits_match_the_reference)
{
    // Seeded, so that a failure is reproducible; bounded in count.
    std::mt19937 rng(20261127);
    const std::string_view alphabet("ab\r\n\0", 5);
    for (int round = 0; round < 3000; ++round) {
        const std::size_t limit = 2 + rng() % 10;
        std::string input(rng() % 80, ' ');
        for (auto& c : input) {
            c = alphabet[rng() % alphabet.size()];
        }
        std::vector<std::size_t> cuts;
        for (std::size_t i = 1; i < input.size(); ++i) {
            if (rng() % 4 == 0) {
                cuts.push_back(i);
            }
        }
        auto expected = reference_frame(input, limit);
        ASSERT_EQ(frame_split(input, limit, cuts), expected)
            << "round " << round << " limit " << limit << " input "
            << ::testing::PrintToString(input);

        line_framer framer(limit);
        std::size_t from = 0;
        for (std::size_t cut : cuts) {
            framer.feed(input.substr(from, cut - from));
            from = cut;
            ASSERT_LE(framer.buffered(), input.size());
            // Bounded: what is held beyond complete lines is at most the limit.
            std::vector<line> ignored;
            drain(framer, ignored);
            ASSERT_LE(framer.buffered(), limit - 1) << "round " << round;
        }
    }
}

TEST(line_framer, lines_after_an_over_long_one_are_intact)
{
    std::string input = std::string(600, 'a') + "\r\nMAIL FROM:<>\r\n" + std::string(513, 'b') +
                        "\nRCPT TO:<x@y>\r\n";
    std::vector<line> expected{too_long(), crlf("MAIL FROM:<>"), too_long(), crlf("RCPT TO:<x@y>")};
    EXPECT_EQ(frame_whole(input, 512), expected);
    for (std::size_t cut = 0; cut <= input.size(); cut += 7) {
        ASSERT_EQ(frame_split(input, 512, {cut}), expected) << "split at " << cut;
    }
}

TEST(line_framer, ten_megabytes_without_crlf_stay_bounded_and_are_reported_once)
{
    constexpr std::size_t limit = smtp::limits::command_line;
    line_framer framer(limit);
    const std::string chunk(4096, 'z');
    std::size_t fed = 0;
    std::size_t max_buffered = 0;
    while (fed < 10 * 1024 * 1024) {
        framer.feed(chunk);
        fed += chunk.size();
        max_buffered = std::max(max_buffered, framer.buffered());
        ASSERT_FALSE(framer.has_line());
        ASSERT_FALSE(framer.next().has_value());
    }
    EXPECT_LE(max_buffered, limit);
    framer.feed("\r\nQUIT\r\n");
    auto first = framer.next();
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->too_long);
    EXPECT_TRUE(first->text.empty());
    auto second = framer.next();
    ASSERT_TRUE(second.has_value());
    EXPECT_FALSE(second->too_long);
    EXPECT_EQ(second->text, "QUIT");
    EXPECT_FALSE(framer.next().has_value());
    EXPECT_EQ(framer.buffered(), 0u);
}

TEST(line_framer, ten_megabytes_in_one_feed_stay_bounded)
{
    line_framer framer(smtp::limits::text_line);
    framer.feed(std::string(10 * 1024 * 1024, 'z'));
    EXPECT_LE(framer.buffered(), smtp::limits::text_line);
    EXPECT_FALSE(framer.has_line());
    framer.feed("\nend\r\n");
    std::vector<line> out;
    drain(framer, out);
    EXPECT_EQ(out, (std::vector<line>{too_long(), crlf("end")}));
}

TEST(line_framer, byte_at_a_time_over_long_line_stays_bounded)
{
    line_framer framer(16);
    for (int i = 0; i < 5000; ++i) {
        framer.feed("y");
        ASSERT_LE(framer.buffered(), 16u);
    }
    framer.feed("\r");
    ASSERT_LE(framer.buffered(), 16u);
    framer.feed("\n");
    std::vector<line> out;
    drain(framer, out);
    EXPECT_EQ(out, std::vector<line>{too_long()});
}

TEST(line_framer, discard_buffered_drops_everything)
{
    line_framer framer(512);
    framer.feed("STARTTLS\r\nEHLO injected\r\nMAIL");
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->text, "STARTTLS");
    // RFC 3207 §4.2: anything sent after STARTTLS in plaintext is dropped.
    EXPECT_EQ(framer.discard_buffered(), std::string_view("EHLO injected\r\nMAIL").size());
    EXPECT_EQ(framer.buffered(), 0u);
    EXPECT_FALSE(framer.has_line());
    EXPECT_FALSE(framer.next().has_value());
    framer.feed("EHLO secure\r\n");
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->text, "EHLO secure");
}

TEST(line_framer, discard_buffered_ends_an_over_long_line)
{
    line_framer framer(8);
    framer.feed("0123456789");
    EXPECT_EQ(framer.discard_buffered(), 0u);
    framer.feed("ok\r\n");
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_FALSE(l->too_long);
    EXPECT_EQ(l->text, "ok");
}

TEST(line_framer, discard_buffered_forgets_pending_too_long_marks)
{
    line_framer framer(8);
    framer.feed("0123456789\r\nabc\r\n");
    framer.discard_buffered();
    framer.feed("def\r\n");
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_FALSE(l->too_long);
    EXPECT_EQ(l->text, "def");
}

TEST(line_framer, set_limit_switches_between_command_and_text_limits)
{
    line_framer framer(smtp::limits::command_line);
    EXPECT_EQ(framer.limit(), 512u);
    std::string body(900, 'b');
    framer.feed("DATA\r\n");
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->text, "DATA");

    framer.set_limit(smtp::limits::text_line);
    EXPECT_EQ(framer.limit(), 1000u);
    framer.feed(body + "\r\n" + std::string(999, 'c') + "\r\n.\r\n");
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_FALSE(l->too_long);
    EXPECT_EQ(l->text, body);
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->too_long);
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->text, ".");

    framer.set_limit(smtp::limits::command_line);
    framer.feed(body + "\r\nQUIT\r\n");
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->too_long);
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->text, "QUIT");
}

TEST(line_framer, set_limit_applies_to_a_pending_partial_line)
{
    line_framer framer(1000);
    framer.feed(std::string(600, 'p'));
    framer.set_limit(512);
    framer.feed("\r\n");
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->too_long);
}

TEST(line_framer, lowered_limit_applies_to_lines_already_buffered)
{
    // RFC 2920 §3.1: commands may follow the final dot in the same packet; once the server
    // is back to commands, they get the command limit even though they arrived with the body.
    line_framer framer(smtp::limits::text_line);
    const std::string body(700, 'b');
    const std::string long_command = "NOOP " + std::string(600, 'n');
    framer.feed(body + "\r\n.\r\n" + long_command + "\r\nQUIT\r\n");
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_FALSE(l->too_long);
    EXPECT_EQ(l->text, body);
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->text, ".");

    framer.set_limit(smtp::limits::command_line);
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->too_long);
    EXPECT_TRUE(l->text.empty());
    l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_FALSE(l->too_long);
    EXPECT_EQ(l->text, "QUIT");
}

TEST(line_framer, raised_limit_does_not_revive_a_discarded_line)
{
    line_framer framer(smtp::limits::command_line);
    framer.feed(std::string(700, 'x') + "\r\n");
    framer.set_limit(smtp::limits::text_line);
    auto l = framer.next();
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->too_long);
    EXPECT_TRUE(l->text.empty());
}

TEST(line_framer, text_stays_valid_until_the_next_call)
{
    line_framer framer(512);
    framer.feed("one\r\ntwo\r\n");
    auto a = framer.next();
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->text, "one");
    auto b = framer.next();
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->text, "two");
}

TEST(line_framer, many_pipelined_lines_in_one_feed)
{
    std::string input;
    std::vector<line> expected;
    for (int i = 0; i < 200; ++i) {
        std::string cmd = "RCPT TO:<u" + std::to_string(i) + "@example.org>";
        input += cmd + "\r\n";
        expected.push_back(crlf(cmd));
    }
    EXPECT_EQ(frame_whole(input, 512), expected);
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < input.size(); ++i) {
        every.push_back(i);
    }
    EXPECT_EQ(frame_split(input, 512, every), expected);
}

} // namespace
