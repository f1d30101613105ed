// The alert e-mail submission session, driven by a scripted server: no sockets.
#include "watch/mail_session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace watch;
using ::testing::HasSubstr;

email_settings settings()
{
    email_settings s;
    s.from = "watch@example.net";
    s.to = {"ops@example.net", "oncall@example.net"};
    s.helo = "probe.example.net";
    return s;
}

// Plays the server: each reply answers the client's next write. `split` feeds every reply
// one octet at a time.
struct script_result {
    std::vector<std::string> written;
    bool ok = false;
    std::string error;
    int tls_handshakes = 0;
};

script_result play(mail_session& s, const std::vector<std::string>& replies, bool split)
{
    script_result out;
    auto action = s.start();
    std::size_t next = 0;
    for (int guard = 0; guard < 100 && action != mail_action_kind::done; ++guard) {
        if (action == mail_action_kind::write) {
            out.written.push_back(s.bytes());
            action = s.on_written();
        } else if (action == mail_action_kind::start_tls) {
            ++out.tls_handshakes;
            action = s.on_tls_done();
        } else if (next < replies.size()) {
            const auto& r = replies[next++];
            if (split) {
                for (char c : r) {
                    action = s.on_bytes(std::string_view(&c, 1));
                    if (action != mail_action_kind::read) {
                        break;
                    }
                }
            } else {
                action = s.on_bytes(r);
            }
        } else {
            break;
        }
    }
    out.ok = s.ok();
    out.error = s.error();
    return out;
}

const std::vector<std::string> healthy{
    "220 mx ESMTP\r\n",     "250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
    "250 2.1.0 Ok\r\n",     "250 2.1.5 Ok\r\n",
    "250 2.1.5 Ok\r\n",     "354 go ahead\r\n",
    "250 2.0.0 queued\r\n", "221 2.0.0 bye\r\n",
};

TEST(MailSession, SubmitsToEveryRecipient)
{
    for (bool split : {false, true}) {
        mail_session s(settings(), "Subject: x\r\n\r\n.hidden dot\r\nbody\r\n");
        auto r = play(s, healthy, split);
        EXPECT_TRUE(r.ok) << r.error;
        ASSERT_EQ(r.written.size(), 7u);
        EXPECT_EQ(r.written[0], "EHLO probe.example.net\r\n");
        EXPECT_EQ(r.written[1], "MAIL FROM:<watch@example.net>\r\n");
        EXPECT_EQ(r.written[2], "RCPT TO:<ops@example.net>\r\n");
        EXPECT_EQ(r.written[3], "RCPT TO:<oncall@example.net>\r\n");
        EXPECT_EQ(r.written[4], "DATA\r\n");
        // RFC 5321 §4.5.2: a leading dot is doubled; the message ends with CRLF.CRLF.
        EXPECT_THAT(r.written[5], HasSubstr("\r\n..hidden dot\r\n"));
        EXPECT_THAT(r.written[5], ::testing::EndsWith("body\r\n.\r\n"));
        EXPECT_EQ(r.written[6], "QUIT\r\n");
    }
}

TEST(MailSession, StartTlsThenAuth)
{
    auto cfg = settings();
    cfg.starttls = true;
    cfg.auth = prober::auth_credentials{"user", "secret"};
    cfg.to = {"ops@example.net"};
    mail_session s(cfg, "Subject: x\r\n\r\nhi\r\n");
    auto r = play(s,
                  {"220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 2.0.0 ready\r\n",
                   "250-mx\r\n250 AUTH PLAIN\r\n", "235 2.7.0 ok\r\n", "250 ok\r\n", "250 ok\r\n",
                   "354 go\r\n", "250 queued\r\n", "221 bye\r\n"},
                  false);
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.tls_handshakes, 1);
    ASSERT_GE(r.written.size(), 4u);
    EXPECT_EQ(r.written[1], "STARTTLS\r\n");
    EXPECT_EQ(r.written[2], "EHLO probe.example.net\r\n"); // RFC 3207 §4.2: greet again
    EXPECT_EQ(r.written[3], "AUTH PLAIN AHVzZXIAc2VjcmV0\r\n");
}

TEST(MailSession, StartTlsMissingFails)
{
    auto cfg = settings();
    cfg.starttls = true;
    mail_session s(cfg, "x\r\n");
    auto r = play(s, {"220 mx\r\n", "250-mx\r\n250 8BITMIME\r\n"}, false);
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.error, HasSubstr("STARTTLS required but not advertised"));
}

TEST(MailSession, RejectionAtEveryStepIsReported)
{
    // Replace each healthy reply before the end of data by a rejection: the session stops
    // there with an error naming the command and the reply.
    for (std::size_t fail_at = 0; fail_at < 7; ++fail_at) {
        auto replies = healthy;
        replies[fail_at] = "554 5.7.1 no thanks\r\n";
        mail_session s(settings(), "Subject: x\r\n\r\nhi\r\n");
        auto r = play(s, replies, false);
        EXPECT_FALSE(r.ok) << fail_at;
        EXPECT_THAT(r.error, HasSubstr("554 5.7.1 no thanks")) << fail_at;
        EXPECT_EQ(r.written.size(), fail_at) << fail_at;
    }
}

TEST(MailSession, MalformedReplyFails)
{
    mail_session s(settings(), "x\r\n");
    auto r = play(s, {"hello there\r\n"}, false);
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.error, HasSubstr("malformed reply"));
}

TEST(MailSession, AuthPasswordIsNotInTheError)
{
    auto cfg = settings();
    cfg.auth = prober::auth_credentials{"user", "secret"};
    mail_session s(cfg, "x\r\n");
    auto r = play(s, {"220 mx\r\n", "250 mx\r\n", "535 5.7.8 bad credentials\r\n"}, false);
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.error, HasSubstr("AUTH PLAIN ***"));
    EXPECT_THAT(r.error, ::testing::Not(HasSubstr("AHVzZXIAc2VjcmV0")));
}

} // namespace
