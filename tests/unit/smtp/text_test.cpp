// The shared text helpers: UTF-8 well-formedness (RFC 3629 §4), ASCII case, XML escaping.

#include "smtp/ascii.hpp"
#include "smtp/escape.hpp"
#include "smtp/utf8.hpp"

#include <gtest/gtest.h>

namespace smtp {
namespace {

TEST(utf8, sequence_lengths_follow_rfc3629)
{
    EXPECT_EQ(utf8_sequence_length(""), 0u);
    EXPECT_EQ(utf8_sequence_length("a"), 1u);
    EXPECT_EQ(utf8_sequence_length("\xC3\xA9"), 2u);
    EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC"), 3u);
    EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);
    EXPECT_EQ(utf8_sequence_length("\xC0\x80"), 0u);         // overlong NUL
    EXPECT_EQ(utf8_sequence_length("\xE0\x80\x80"), 0u);     // overlong
    EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80"), 0u);     // surrogate
    EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80"), 0u); // above U+10FFFF
    EXPECT_EQ(utf8_sequence_length("\xF5\x80\x80\x80"), 0u);
    EXPECT_EQ(utf8_sequence_length("\xC3"), 0u); // truncated
    EXPECT_EQ(utf8_sequence_length("\x80"), 0u); // lone continuation
}

TEST(utf8, first_invalid_offset_and_repair)
{
    EXPECT_FALSE(first_invalid_utf8("plain caf\xC3\xA9"));
    EXPECT_EQ(first_invalid_utf8("ab\xFF"
                                 "cd"),
              2u);
    EXPECT_EQ(first_invalid_utf8("caf\xC3"), 3u);
    EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
    EXPECT_EQ(to_valid_utf8("plain"), "plain");
    EXPECT_EQ(to_valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
    EXPECT_EQ(to_valid_utf8("\xC3"), "\xEF\xBF\xBD");
    EXPECT_EQ(to_valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(to_valid_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
}

TEST(ascii, case_is_changed_for_ascii_letters_only)
{
    EXPECT_EQ(to_upper("ehlo mx.Example \xC3\xA9"), "EHLO MX.EXAMPLE \xC3\xA9");
    EXPECT_EQ(to_lower("RCPT TO:<A@B>"), "rcpt to:<a@b>");
    EXPECT_TRUE(iequals("Message-ID", "message-id"));
    EXPECT_FALSE(iequals("Message-ID", "Message-IDs"));
    EXPECT_FALSE(iequals("[", "{")); // 0x5B and 0x7B differ by the case bit but are not letters
    EXPECT_TRUE(istarts_with("Bearer abc", "bearer "));
    EXPECT_FALSE(istarts_with("Bear", "bearer "));
    EXPECT_EQ(ifind("blocked using ZEN.spamhaus.org", "zen.SPAMHAUS"), 14u);
    EXPECT_EQ(ifind("abc", "x"), std::string_view::npos);
    EXPECT_EQ(ifind("abc", ""), 0u);
}

TEST(ascii, blanks_are_trimmed_at_both_ends_only)
{
    EXPECT_EQ(trim_blanks(" \t 127.0.0.1:25 \r\n"), "127.0.0.1:25");
    EXPECT_EQ(trim_blanks("a b"), "a b");
    EXPECT_EQ(trim_blanks(" \t\r\n"), "");
    EXPECT_EQ(trim_blanks(""), "");
}

TEST(xml_escape, escapes_markup_and_forbidden_controls)
{
    EXPECT_EQ(xml_escape("a<b>&\"'\t\r\n\x1b"), "a&lt;b&gt;&amp;&quot;&apos;\t\r\n\\x1B");
    EXPECT_EQ(xml_escape("\xFF"), "\xEF\xBF\xBD");
}

TEST(escape_bytes, appending_continues_what_is_there_and_escapes_between_runs)
{
    std::string out = "S:";
    append_escaped(out, "ok\\\r\n\x01" "end");
    EXPECT_EQ(out, "S:ok\\\\\\r\\n\\x01end");
    append_escaped(out, std::string(10, 'y'), 3);
    EXPECT_EQ(out, "S:ok\\\\\\r\\n\\x01endyyy...(7 more)");
    EXPECT_EQ(escape_bytes("plain"), "plain");
    EXPECT_EQ(escape_bytes("\t\x80"), "\\t\\x80");
}

} // namespace
} // namespace smtp
