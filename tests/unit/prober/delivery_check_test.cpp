// Judging a delivered test message: once and intact, duplicated, or altered.

#include "prober/delivery_check.hpp"
#include "prober/error.hpp"

#include <gtest/gtest.h>

namespace {

using prober::judge_delivery;
using prober::received_message;
using prober::verify_report;
using smtp::failure_kind;

constexpr std::string_view sent = "From: <a@b>\r\nSubject: smtp-probe test\r\n message 1\r\n"
                                  "Message-ID: <1@x>\r\n\r\nline one\r\n.dot\r\nend\r\n";

verify_report report(unsigned copies, std::optional<std::string> subject, std::string body)
{
    verify_report r;
    r.delivered = true;
    r.copies = copies;
    r.message = received_message{std::move(subject), std::move(body), false};
    return r;
}

TEST(JudgeDelivery, OnceAndIntactIsNoFailure)
{
    EXPECT_FALSE(
        judge_delivery(report(1, "smtp-probe test message 1", "line one\r\n.dot\r\nend\r\n"), sent,
                       "1@x", "imap://h"));
    // A mailbox that adds or drops the final line break changed nothing a reader sees.
    EXPECT_FALSE(judge_delivery(report(1, "smtp-probe test message 1", "line one\r\n.dot\r\nend"),
                                sent, "1@x", "imap://h"));
    // Nothing fetched to compare (e.g. an older mailbox client): only the count is judged.
    verify_report counted;
    counted.delivered = true;
    counted.copies = 1;
    EXPECT_FALSE(judge_delivery(counted, sent, "1@x", "imap://h"));
}

TEST(JudgeDelivery, MoreThanOneCopyIsDuplicated)
{
    const auto f =
        judge_delivery(report(3, "smtp-probe test message 1", "line one\r\n.dot\r\nend\r\n"), sent,
                       "1@x", "imap://h");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind, failure_kind::duplicated);
    EXPECT_EQ(f->at, smtp::phase::verify);
    EXPECT_EQ(f->error, prober::probe_errc::delivered_twice);
    EXPECT_EQ(f->message, "message <1@x> arrived 3 copies in imap://h, sent once; every copy "
                          "was deleted");
}

TEST(JudgeDelivery, AChangedSubjectIsAlteredAndQuotesBoth)
{
    const auto f =
        judge_delivery(report(1, "[SPAM] smtp-probe test message 1", "line one\r\n.dot\r\nend\r\n"),
                       sent, "1@x", "pop3://h");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind, failure_kind::altered);
    EXPECT_EQ(f->error, prober::probe_errc::delivered_altered);
    EXPECT_EQ(f->message, "message <1@x> arrived changed in pop3://h: subject \"smtp-probe test "
                          "message 1\" became \"[SPAM] smtp-probe test message 1\"");
    const auto none = judge_delivery(report(1, std::nullopt, "line one\r\n.dot\r\nend\r\n"), sent,
                                     "1@x", "pop3://h");
    ASSERT_TRUE(none);
    EXPECT_NE(none->message.find("became (none)"), std::string::npos) << none->message;
}

TEST(JudgeDelivery, AChangedBodyNamesTheFirstLineThatDiffers)
{
    const auto f =
        judge_delivery(report(2, "smtp-probe test message 1", "line one\r\n.dot\r\nEND\r\n"), sent,
                       "1@x", "imap://h");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind, failure_kind::altered); // the content outranks the count
    EXPECT_EQ(f->message, "message <1@x> arrived changed in imap://h: body changed (19 octets "
                          "sent, 19 received; line 3 sent \"end\", received \"END\"); and in 2 "
                          "copies");
    const auto both = judge_delivery(report(1, "x", "rewritten\r\n"), sent, "1@x", "imap://h");
    ASSERT_TRUE(both);
    EXPECT_EQ(both->message, "message <1@x> arrived changed in imap://h: subject \"smtp-probe test "
                             "message 1\" became \"x\"; body changed (19 octets sent, 9 received; "
                             "line 1 sent \"line one\", received \"rewritten\")");
}

TEST(JudgeDelivery, ATruncatedBodyIsComparedOnlyAsFarAsItWasKept)
{
    auto r = report(1, "smtp-probe test message 1", "line one\r\n");
    r.message->body_truncated = true;
    EXPECT_FALSE(judge_delivery(r, sent, "1@x", "imap://h"));
    r.message->body = "line two\r\n";
    EXPECT_TRUE(judge_delivery(r, sent, "1@x", "imap://h"));
}

} // namespace
