// pop3_client against scripted servers (RFC 1939): found, not found, fallbacks, byte-stuffing,
// -ERR at every command, every input split at every byte, an I/O error at every step.

#include "scripted_server.hpp"
#include "verify/pop3_client.hpp"

#include <gtest/gtest.h>

namespace {

using namespace verify_test;
using verify::mailbox_query;
using verify::pop3_client;
using verify::verify_errc;

constexpr const char* wanted = "<probe-1@example.test>";

mailbox_query query(std::vector<std::string> skip = {})
{
    return {"probe", "pa ss", wanted, std::chrono::seconds(5), std::move(skip)};
}

dialogue login()
{
    return {S("+OK POP3 ready\r\n"), C("USER probe\r\n"), S("+OK\r\n"), C("PASS pa ss\r\n"),
            S("+OK Logged in.\r\n")};
}

dialogue operator+(dialogue a, const dialogue& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Message 2 is ours; message 3 is not and is read first (newest first).
dialogue found_dialogue()
{
    return login() + dialogue{
                         C("UIDL\r\n"),
                         S("+OK\r\n1 uid-a\r\n2 uid-b\r\n3 uid-c\r\n.\r\n"),
                         C("TOP 3 0\r\n"),
                         S("+OK\r\nFrom: a@b\r\nMessage-ID: <other@example.test>\r\n\r\n.\r\n"),
                         C("TOP 2 0\r\n"),
                         S("+OK\r\nFrom: a@b\r\nMessage-Id:\r\n <probe-1@example.test>\r\n"
                           "Subject: x\r\n\r\n.\r\n"),
                         // The match is read whole, then deleted; the older messages are
                         // still read, for more copies.
                         C("RETR 2\r\n"),
                         S("+OK\r\nFrom: a@b\r\nMessage-Id:\r\n <probe-1@example.test>\r\n"
                           "Subject: x\r\n\r\nline one\r\n..dot\r\n.\r\n"),
                         C("DELE 2\r\n"),
                         S("+OK Marked to be deleted.\r\n"),
                         C("TOP 1 0\r\n"),
                         S("+OK\r\nMessage-ID: <another@example.test>\r\n\r\n.\r\n"),
                         C("QUIT\r\n"),
                         S("+OK Logging out, messages deleted.\r\n"),
                     };
}

dialogue not_found_dialogue()
{
    return login() +
           dialogue{
               C("UIDL\r\n"),    S("+OK\r\n1 uid-a\r\n2 uid-b\r\n.\r\n"),
               C("TOP 2 0\r\n"), S("+OK\r\nMessage-ID: <probe-1@example.test.other>\r\n\r\n.\r\n"),
               C("TOP 1 0\r\n"), S("+OK\r\nX-Note: <probe-1@example.test>\r\n\r\n.\r\n"),
               C("QUIT\r\n"),    S("+OK Bye\r\n"),
           };
}

TEST(Pop3Client, FindsDeletesAndCommitsWithQuit)
{
    pop3_client client(query());
    const auto out = run_dialogue(client, found_dialogue());
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    EXPECT_FALSE(out.result.error);
    EXPECT_NE(out.result.detail.find("uid-b"), std::string::npos) << out.result.detail;
    EXPECT_EQ(out.result.scanned_uids, (std::vector<std::string>{"uid-c", "uid-a"}));
    EXPECT_TRUE(client.found());
    EXPECT_EQ(out.result.copies, 1u);
    ASSERT_TRUE(out.result.message);
    EXPECT_EQ(out.result.message->subject, "x");
    EXPECT_EQ(out.result.message->body, "line one\r\n.dot\r\n"); // unstuffed
    EXPECT_FALSE(out.result.message->body_truncated);
}

TEST(Pop3Client, CountsAndDeletesEveryCopyKeepingTheFirst)
{
    pop3_client client(query());
    const auto out = run_dialogue(
        client,
        login() +
            dialogue{C("UIDL\r\n"), S("+OK\r\n1 uid-a\r\n2 uid-b\r\n3 uid-c\r\n.\r\n"),
                     C("TOP 3 0\r\n"), S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                     C("RETR 3\r\n"),
                     S("+OK\r\nSubject: [changed] x\r\n"
                       "Message-ID: <probe-1@example.test>\r\n\r\nnew\r\n.\r\n"),
                     C("DELE 3\r\n"), S("+OK\r\n"), C("TOP 2 0\r\n"),
                     S("+OK\r\nMessage-ID: <other@example.test>\r\n\r\n.\r\n"), C("TOP 1 0\r\n"),
                     S("+OK\r\nSubject: x\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                     // Another copy: deleted without reading it whole.
                     C("DELE 1\r\n"), S("+OK\r\n"), C("QUIT\r\n"), S("+OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    EXPECT_EQ(out.result.copies, 2u);
    EXPECT_NE(out.result.detail.find("2 copies"), std::string::npos) << out.result.detail;
    EXPECT_NE(out.result.detail.find("uid-c"), std::string::npos) << out.result.detail;
    ASSERT_TRUE(out.result.message);
    EXPECT_EQ(out.result.message->subject, "[changed] x");
    EXPECT_EQ(out.result.message->body, "new\r\n");
    EXPECT_EQ(out.result.scanned_uids, std::vector<std::string>{"uid-b"});
}

TEST(Pop3Client, ReportsNotFoundAfterReadingEveryHeader)
{
    pop3_client client(query());
    const auto out = run_dialogue(client, not_found_dialogue());
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
    EXPECT_FALSE(out.result.error);
    EXPECT_EQ(out.result.scanned_uids, (std::vector<std::string>{"uid-b", "uid-a"}));
    EXPECT_FALSE(client.found());
}

TEST(Pop3Client, EmptyMailboxIsNotFound)
{
    pop3_client client(query());
    const auto out =
        run_dialogue(client, login() + dialogue{C("UIDL\r\n"), S("+OK 0 messages\r\n.\r\n"),
                                                C("QUIT\r\n"), S("+OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
}

TEST(Pop3Client, SkipsUidsAlreadyRead)
{
    pop3_client client(query({"uid-b", "uid-c"}));
    const auto out = run_dialogue(
        client,
        login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 uid-a\r\n2 uid-b\r\n3 uid-c\r\n.\r\n"),
                           C("TOP 1 0\r\n"), S("+OK\r\nSubject: x\r\n\r\n.\r\n"), C("QUIT\r\n"),
                           S("+OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
    EXPECT_EQ(out.result.scanned_uids, std::vector<std::string>{"uid-a"});
}

TEST(Pop3Client, FallsBackToListWithoutUidlAndRetrWithoutTop)
{
    pop3_client client(query());
    const auto out = run_dialogue(
        client,
        login() + dialogue{C("UIDL\r\n"), S("-ERR unknown command\r\n"), C("LIST\r\n"),
                           S("+OK 2 messages\r\n1 120\r\n2 340\r\n.\r\n"), C("TOP 2 0\r\n"),
                           S("-ERR TOP not supported\r\n"), C("RETR 2\r\n"),
                           S("+OK\r\nSubject: no\r\n\r\nbody\r\n.\r\n"),
                           // Once TOP failed, RETR is used at once.
                           C("RETR 1\r\n"),
                           S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\nbody\r\n.\r\n"),
                           C("DELE 1\r\n"), S("+OK\r\n"), C("QUIT\r\n"), S("+OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    EXPECT_TRUE(out.result.scanned_uids.empty()); // LIST has no unique ids to remember
}

TEST(Pop3Client, ByteStuffedLinesDoNotEndTheResponse)
{
    // RFC 1939 §3: lines that begin with "." arrive stuffed ("..", "..x"); only "." alone ends
    // the response. The real Message-ID follows such lines: a client that took ".." for the
    // end would send its next command too early and leave the script.
    pop3_client client(query());
    const auto out = run_dialogue(
        client, login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 u1\r\n.\r\n"), C("TOP 1 0\r\n"),
                                   S("+OK\r\n..Message-ID: <probe-1@example.test>\r\n"
                                     "X-A: 1\r\n..\r\n"
                                     "Message-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                   C("RETR 1\r\n"),
                                   S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                   C("DELE 1\r\n"), S("+OK\r\n"), C("QUIT\r\n"), S("+OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
}

TEST(Pop3Client, StuffedMessageIdLineDoesNotMatch)
{
    // "..Message-ID:" is the header ".Message-ID", not Message-ID.
    pop3_client client(query());
    const auto out = run_dialogue(
        client, login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 u1\r\n.\r\n"), C("TOP 1 0\r\n"),
                                   S("+OK\r\n..Message-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                   C("QUIT\r\n"), S("+OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
}

TEST(Pop3Client, AcceptsBareLineFeeds)
{
    pop3_client client(query());
    const auto out =
        run_dialogue(client, {S("+OK hi\n"), C("USER probe\r\n"), S("+OK\n"), C("PASS pa ss\r\n"),
                              S("+OK\n"), C("UIDL\r\n"), S("+OK\n1 a\n.\n"), C("TOP 1 0\r\n"),
                              S("+OK\nMessage-ID: <probe-1@example.test>\n\n.\n"), C("RETR 1\r\n"),
                              S("+OK\nMessage-ID: <probe-1@example.test>\n\nb\n.\n"),
                              C("DELE 1\r\n"), S("+OK\n"), C("QUIT\r\n"), S("+OK\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
}

TEST(Pop3Client, SkipsOverlongMessageLinesButNotOverlongStatusLines)
{
    const std::string long_line(pop3_client::max_line_octets + 10, 'x');
    pop3_client client(query());
    const auto out = run_dialogue(
        client, login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 u1\r\n.\r\n"), C("TOP 1 0\r\n"),
                                   S("+OK\r\nX-Long: " + long_line +
                                     "\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                   C("RETR 1\r\n"),
                                   S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\na\r\n" +
                                     long_line + "\r\nb\r\n.\r\n"),
                                   C("DELE 1\r\n"), S("+OK\r\n"), C("QUIT\r\n"), S("+OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    ASSERT_TRUE(out.result.message);
    EXPECT_EQ(out.result.message->body, "a\r\n"); // kept up to the line left out
    EXPECT_TRUE(out.result.message->body_truncated);

    pop3_client greeting_client(query());
    const auto bad = run_dialogue(greeting_client, {S("+OK " + long_line + "\r\n")});
    EXPECT_EQ(bad.result.status, check_status::failed);
    EXPECT_EQ(bad.result.error, verify_errc::response_too_long);
}

struct err_case {
    const char* name;
    dialogue script;
    verify_errc error;
    check_status status;
    const char* detail_has;
};

class Pop3ClientErr : public ::testing::TestWithParam<err_case> {};

TEST_P(Pop3ClientErr, EndsWithTheServerText)
{
    const auto& c = GetParam();
    pop3_client client(query());
    const auto out = run_dialogue(client, c.script);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, c.status);
    EXPECT_EQ(out.result.error, c.error) << out.result.error.message();
    EXPECT_NE(out.result.detail.find(c.detail_has), std::string::npos) << out.result.detail;
}

INSTANTIATE_TEST_SUITE_P(
    Paths, Pop3ClientErr,
    ::testing::Values(
        err_case{"greeting_err",
                 {S("-ERR go away\r\n")},
                 verify_errc::server_rejected,
                 check_status::failed,
                 "-ERR go away"},
        err_case{"greeting_garbage",
                 {S("220 smtp.example ESMTP\r\n")},
                 verify_errc::protocol_error,
                 check_status::failed,
                 "220 smtp.example"},
        err_case{"user_err",
                 {S("+OK\r\n"), C("USER probe\r\n"), S("-ERR no such user\r\n")},
                 verify_errc::auth_failed,
                 check_status::failed,
                 "no such user"},
        err_case{"pass_err",
                 {S("+OK\r\n"), C("USER probe\r\n"), S("+OK\r\n"), C("PASS pa ss\r\n"),
                  S("-ERR [AUTH] Authentication failed.\r\n")},
                 verify_errc::auth_failed,
                 check_status::failed,
                 "[AUTH] Authentication failed"},
        err_case{"pass_in_use",
                 {S("+OK\r\n"), C("USER probe\r\n"), S("+OK\r\n"), C("PASS pa ss\r\n"),
                  S("-ERR [IN-USE] Mailbox locked\r\n")},
                 verify_errc::server_busy,
                 check_status::failed,
                 "Mailbox locked"},
        err_case{"sys_temp",
                 {S("+OK\r\n"), C("USER probe\r\n"), S("+OK\r\n"), C("PASS pa ss\r\n"),
                  S("-ERR [SYS/TEMP] try later\r\n")},
                 verify_errc::server_busy,
                 check_status::failed,
                 "try later"},
        err_case{"list_err",
                 login() +
                     dialogue{C("UIDL\r\n"), S("-ERR no\r\n"), C("LIST\r\n"), S("-ERR broken\r\n")},
                 verify_errc::server_rejected, check_status::failed, "broken"},
        err_case{"uidl_malformed", login() + dialogue{C("UIDL\r\n"), S("+OK\r\nx uid\r\n.\r\n")},
                 verify_errc::protocol_error, check_status::failed, "x uid"},
        err_case{"retr_err",
                 login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 a\r\n.\r\n"), C("TOP 1 0\r\n"),
                                    S("-ERR no TOP\r\n"), C("RETR 1\r\n"),
                                    S("-ERR no such message\r\n")},
                 verify_errc::server_rejected, check_status::failed, "no such message"},
        err_case{"dele_err",
                 login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 a\r\n.\r\n"), C("TOP 1 0\r\n"),
                                    S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                    C("RETR 1\r\n"),
                                    S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                    C("DELE 1\r\n"), S("-ERR read-only\r\n")},
                 verify_errc::server_rejected, check_status::found, "read-only"},
        err_case{"quit_err_after_dele",
                 login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 a\r\n.\r\n"), C("TOP 1 0\r\n"),
                                    S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                    C("RETR 1\r\n"),
                                    S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                    C("DELE 1\r\n"), S("+OK\r\n"), C("QUIT\r\n"),
                                    S("-ERR some deleted messages not removed\r\n")},
                 verify_errc::server_rejected, check_status::found, "not removed"},
        err_case{"closed_mid_listing", login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 a\r\n")},
                 verify_errc::closed, check_status::failed, "UIDL"},
        err_case{"closed_after_dele",
                 login() + dialogue{C("UIDL\r\n"), S("+OK\r\n1 a\r\n.\r\n"), C("TOP 1 0\r\n"),
                                    S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                    C("RETR 1\r\n"),
                                    S("+OK\r\nMessage-ID: <probe-1@example.test>\r\n\r\n.\r\n"),
                                    C("DELE 1\r\n"), S("+OK\r\n"), C("QUIT\r\n")},
                 verify_errc::closed, check_status::found, "not committed"}),
    [](const ::testing::TestParamInfo<err_case>& p) { return std::string(p.param.name); });

TEST(Pop3Client, QuitFailureAfterNotFoundIsStillNotFound)
{
    pop3_client client(query());
    const auto out =
        run_dialogue(client, login() + dialogue{C("UIDL\r\n"), S("+OK\r\n.\r\n"), C("QUIT\r\n"),
                                                S("-ERR whatever\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
    EXPECT_FALSE(out.result.error);
}

TEST(Pop3Client, NeverWritesThePasswordToTheTranscript)
{
    pop3_client client(query());
    const auto out = run_dialogue(client, found_dialogue());
    ASSERT_EQ(out.mismatch, "");
    bool saw_pass = false;
    for (const auto& line : out.transcript) {
        EXPECT_EQ(line.find("pa ss"), std::string::npos) << line;
        saw_pass = saw_pass || line == "C: PASS ****";
    }
    EXPECT_TRUE(saw_pass);
}

TEST(Pop3Client, EveryServerExchangeSplitAtEveryByte)
{
    for (const auto& script : {found_dialogue(), not_found_dialogue()}) {
        for (const auto index : server_exchanges(script)) {
            for (std::size_t at = 1; at < script[index].bytes.size(); ++at) {
                pop3_client client(query());
                run_options options;
                options.split_exchange = index;
                options.split_at = at;
                const auto out = run_dialogue(client, script, options);
                ASSERT_EQ(out.mismatch, "") << "exchange " << index << " split at " << at;
                ASSERT_NE(out.result.status, check_status::failed)
                    << "exchange " << index << " split at " << at;
            }
        }
    }
}

TEST(Pop3Client, ByteByByte)
{
    pop3_client client(query());
    run_options options;
    options.byte_by_byte = true;
    const auto out = run_dialogue(client, found_dialogue(), options);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
}

TEST(Pop3Client, AnIoErrorAtEveryStepEndsTheSession)
{
    const auto script = found_dialogue();
    pop3_client reference(query());
    const auto full = run_dialogue(reference, script);
    ASSERT_EQ(full.mismatch, "");
    ASSERT_GT(full.steps, 10u);
    for (const auto& injected : {boost::system::error_code(boost::asio::error::connection_reset),
                                 boost::system::error_code(verify_errc::timeout),
                                 boost::system::error_code(boost::asio::error::eof)}) {
        for (std::size_t step = 0; step < full.steps; ++step) {
            pop3_client client(query());
            run_options options;
            options.fail_step = step;
            options.fail_with = injected;
            const auto out = run_dialogue(client, script, options);
            ASSERT_EQ(out.mismatch, "") << "step " << step;
            const auto expected =
                injected == boost::asio::error::eof ? verify_errc::closed : verify_errc{};
            if (out.found_at_failure) {
                // After the message was seen: found, but the deletion is not confirmed.
                EXPECT_EQ(out.result.status, check_status::found) << "step " << step;
            } else {
                EXPECT_EQ(out.result.status, check_status::failed) << "step " << step;
            }
            if (expected != verify_errc{}) {
                EXPECT_EQ(out.result.error, expected) << "step " << step;
            } else {
                EXPECT_EQ(out.result.error, injected) << "step " << step;
            }
            EXPECT_FALSE(out.result.detail.empty());
        }
    }
}

TEST(Pop3Client, AnIoErrorWhileQuittingAfterNotFoundIsNotFound)
{
    const auto script = not_found_dialogue();
    pop3_client reference(query());
    const auto full = run_dialogue(reference, script);
    ASSERT_EQ(full.mismatch, "");
    // The last two steps are writing QUIT and reading its reply.
    for (std::size_t step = full.steps - 2; step < full.steps; ++step) {
        pop3_client client(query());
        run_options options;
        options.fail_step = step;
        const auto out = run_dialogue(client, script, options);
        EXPECT_EQ(out.result.status, check_status::not_found) << "step " << step;
        EXPECT_FALSE(out.result.error);
    }
}

TEST(Pop3Client, DoneIsFinal)
{
    pop3_client client(query());
    const auto out = run_dialogue(client, {S("-ERR no\r\n")});
    EXPECT_EQ(client.next({}, "+OK\r\n").type, client_action::kind::done);
    EXPECT_EQ(client.result().status, check_status::failed);
}

} // namespace
