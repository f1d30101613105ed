// The interactive prompt's protocol side: CRLF, dot-stuffing, when replies are due, DATA and
// STARTTLS.

#include "harness/talk_session.hpp"

#include <gtest/gtest.h>

namespace {

TEST(talk_session, sends_every_command_with_crlf_and_awaits_its_reply)
{
    harness::talk_session s;
    EXPECT_EQ(s.wire("EHLO me"), "EHLO me\r\n");
    EXPECT_TRUE(s.awaits_reply());
}

TEST(talk_session, cuts_replies_and_marks_the_last_line)
{
    harness::talk_session s;
    auto lines = s.received("220 hi\r\n250-a\r\n250");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_TRUE(lines[0].ends_reply);
    EXPECT_FALSE(lines[1].ends_reply);
    lines = s.received(" b\r\n");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].text, "250 b");
    EXPECT_TRUE(lines[0].ends_reply);
}

TEST(talk_session, after_354_to_data_lines_are_content_until_the_lone_dot)
{
    harness::talk_session s;
    s.wire("data");
    s.received("354 go ahead\r\n");
    ASSERT_TRUE(s.in_message());
    EXPECT_EQ(s.wire("Subject: x"), "Subject: x\r\n");
    EXPECT_FALSE(s.awaits_reply());
    EXPECT_EQ(s.wire(".leading dot"), "..leading dot\r\n"); // RFC 5321 §4.5.2
    EXPECT_EQ(s.wire("."), ".\r\n");
    EXPECT_TRUE(s.awaits_reply());
    EXPECT_FALSE(s.in_message());
}

TEST(talk_session, a_refused_data_or_a_354_to_another_command_starts_no_message)
{
    harness::talk_session s;
    s.wire("DATA");
    s.received("554 no valid recipients\r\n");
    EXPECT_FALSE(s.in_message());
    s.wire("NOOP");
    s.received("354 odd\r\n");
    EXPECT_FALSE(s.in_message());
}

TEST(talk_session, tls_is_due_only_after_220_to_starttls)
{
    harness::talk_session s;
    s.wire("STARTTLS");
    s.received("454 not now\r\n");
    EXPECT_FALSE(s.take_tls_due());
    s.wire("STARTTLS");
    s.received("220 go\r\n");
    EXPECT_TRUE(s.take_tls_due());
    EXPECT_FALSE(s.take_tls_due());
}

TEST(talk_session, a_garbage_line_ends_what_the_prompt_waits_for)
{
    harness::talk_session s;
    const auto lines = s.received("hello there\r\n");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].malformed);
    EXPECT_TRUE(lines[0].ends_reply);
}

} // namespace
