// Finding one Message-ID (RFC 5322 §3.6.4) in header lines.

#include "verify/message_id_scanner.hpp"

#include <gtest/gtest.h>

namespace {

using verify::message_id_scanner;
using verify::normalize_message_id;

bool scan(std::string_view wanted, std::initializer_list<std::string_view> lines)
{
    message_id_scanner s(wanted);
    for (auto line : lines) {
        s.feed_line(line);
    }
    s.finish();
    return s.matched();
}

TEST(NormalizeMessageId, AddsBracketsAndDropsSpace)
{
    EXPECT_EQ(normalize_message_id("a@b"), "<a@b>");
    EXPECT_EQ(normalize_message_id(" <a@b> "), "<a@b>");
    EXPECT_EQ(normalize_message_id("<a@b>"), "<a@b>");
}

TEST(MessageIdScanner, MatchesExactlyTheWantedId)
{
    EXPECT_TRUE(scan("a@b", {"From: x", "Message-ID: <a@b>", ""}));
    EXPECT_TRUE(scan("<a@b>", {"message-id:<a@b>"}));
    EXPECT_TRUE(scan("a@b", {"MESSAGE-ID : <a@b> (comment)"}));
    EXPECT_TRUE(scan("a@b", {"Message-ID:", " <a@b>", "Subject: s"})); // folded
    EXPECT_TRUE(scan("a@b", {"Message-ID: <a", "\t@b>", ""}));         // folded inside
    EXPECT_FALSE(scan("a@b", {"Message-ID: <xa@b>"}));
    EXPECT_FALSE(scan("a@b", {"Message-ID: <a@bc>"}));
    EXPECT_FALSE(scan("a@b", {"Message-ID: <A@b>"}));
    EXPECT_FALSE(scan("a@b", {"In-Reply-To: <a@b>", "References: <a@b>"}));
    EXPECT_FALSE(scan("a@b", {"X-Message-ID: <a@b>"}));
    EXPECT_FALSE(scan("a@b", {"Subject: x", " Message-ID: <a@b>"}));    // a continuation
    EXPECT_FALSE(scan("a@b", {"Subject: x", "", "Message-ID: <a@b>"})); // in the body
    EXPECT_TRUE(scan("a@b", {"Message-ID: a@b"}));                      // no brackets
}

TEST(MessageIdScanner, ResetStartsOver)
{
    message_id_scanner s("a@b");
    s.feed_line("Message-ID: <a@b>");
    s.finish();
    EXPECT_TRUE(s.matched());
    s.reset();
    s.feed_line("Message-ID: <c@d>");
    s.finish();
    EXPECT_FALSE(s.matched());
}

} // namespace
