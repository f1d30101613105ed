// Finding one Message-ID (RFC 5322 §3.6.4) in header lines; keeping the Subject and the body.

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

TEST(MessageIdScanner, KeepsTheFirstSubjectUnfoldedAndTheBody)
{
    message_id_scanner s("a@b");
    for (auto line : {"Subject:  smtp-probe", "\ttest ", "Message-ID: <a@b>", "subject: second", "",
                      "body one", "", "Subject: in the body"}) {
        s.feed_line(line);
    }
    s.finish();
    EXPECT_TRUE(s.matched());
    EXPECT_EQ(s.subject(), "smtp-probe\ttest");
    EXPECT_EQ(s.body(), "body one\r\n\r\nSubject: in the body\r\n");
    EXPECT_FALSE(s.body_truncated());
    s.reset();
    s.feed_line("Message-ID: <a@b>");
    s.finish();
    EXPECT_FALSE(s.subject().has_value()); // none, which differs from an empty Subject
    EXPECT_EQ(s.body(), "");
}

TEST(MessageIdScanner, BoundsTheBodyItKeeps)
{
    message_id_scanner s("a@b");
    s.feed_line("");
    const std::string line(1000, 'x');
    for (std::size_t i = 0; i < message_id_scanner::max_body_octets / 1000 + 2; ++i) {
        s.feed_line(line);
    }
    EXPECT_TRUE(s.body_truncated());
    EXPECT_LE(s.body().size(), message_id_scanner::max_body_octets);
    EXPECT_EQ(s.body().size() % 1002, 0u); // whole lines only

    message_id_scanner skipped("a@b");
    skipped.skip_line(); // a header line left out changes nothing
    skipped.feed_line("");
    skipped.feed_line("kept");
    EXPECT_FALSE(skipped.body_truncated());
    skipped.skip_line();
    skipped.feed_line("after");
    EXPECT_TRUE(skipped.body_truncated());
    EXPECT_EQ(skipped.body(), "kept\r\n");
}

} // namespace
