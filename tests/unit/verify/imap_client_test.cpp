// imap_client against scripted servers (RFC 3501): found, not found, literals both ways,
// UIDPLUS or not, NO/BAD/BYE at every command, every input split at every byte, an I/O error at
// every step.

#include "scripted_server.hpp"
#include "verify/imap_client.hpp"

#include <gtest/gtest.h>

namespace {

using namespace verify_test;
using verify::imap_client;
using verify::mailbox_query;
using verify::verify_errc;

mailbox_query query(std::string password = "pa ss")
{
    return {"probe", std::move(password), "probe-1@example.test", std::chrono::seconds(5), {}};
}

// An IMAP literal: "{n}" CRLF and the octets (RFC 3501 §4.3).
std::string lit(const std::string& octets)
{
    return "{" + std::to_string(octets.size()) + "}\r\n" + octets;
}

dialogue operator+(dialogue a, const dialogue& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

dialogue login_and_select(bool uidplus = true)
{
    return {S("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n"),
            C("a1 LOGIN probe \"pa ss\"\r\n"),
            S(std::string("a1 OK [CAPABILITY IMAP4rev1 ") + (uidplus ? "UIDPLUS " : "") +
              "IDLE] Logged in\r\n"),
            C("a2 SELECT INBOX\r\n"),
            S("* FLAGS (\\Answered \\Seen \\Deleted)\r\n* 3 EXISTS\r\n* 1 RECENT\r\n"
              "* OK [UIDVALIDITY 17] UIDs valid\r\na2 OK [READ-WRITE] Select completed\r\n"),
            C("a3 UID SEARCH HEADER Message-ID \"<probe-1@example.test>\"\r\n")};
}

dialogue found_dialogue(bool uidplus = true)
{
    return login_and_select(uidplus) +
           dialogue{
               S("* SEARCH 7 9\r\na3 OK Search completed\r\n"),
               C("a4 UID FETCH 7,9 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                 "BODY.PEEK[TEXT])\r\n"),
               // UID 7 matched the substring search only: its id differs in case.
               S("* 2 FETCH (UID 7 BODY[HEADER.FIELDS (MESSAGE-ID)] " +
                 lit("Message-ID: <PROBE-1@example.test>\r\n\r\n") + ")\r\n" +
                 "* 3 FETCH (FLAGS (\\Recent) UID 9 BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] " +
                 lit("Message-Id:\r\n <probe-1@example.test>\r\nSubject: a\r\n b\r\n\r\n") +
                 " BODY[TEXT] " + lit("line one\r\n.\r\nend\r\n") + ")\r\n" +
                 "a4 OK Fetch completed\r\n"),
               C("a5 UID STORE 9 +FLAGS.SILENT (\\Deleted)\r\n"),
               S("a5 OK Store completed\r\n"),
               C(uidplus ? "a6 UID EXPUNGE 9\r\n" : "a6 EXPUNGE\r\n"),
               S("* 3 EXPUNGE\r\na6 OK Expunge completed\r\n"),
               C("a7 LOGOUT\r\n"),
               S("* BYE Logging out\r\na7 OK Logout completed\r\n"),
           };
}

dialogue not_found_dialogue()
{
    return login_and_select() + dialogue{
                                    S("* SEARCH\r\na3 OK Search completed\r\n"),
                                    C("a4 LOGOUT\r\n"),
                                    S("* BYE Logging out\r\na4 OK Logout completed\r\n"),
                                };
}

TEST(ImapClient, FindsConfirmsAndDeletesWithUidExpunge)
{
    imap_client client(query());
    const auto out = run_dialogue(client, found_dialogue(true));
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    EXPECT_FALSE(out.result.error);
    EXPECT_NE(out.result.detail.find("UID 9"), std::string::npos) << out.result.detail;
    EXPECT_EQ(out.result.copies, 1u);
    ASSERT_TRUE(out.result.message);
    EXPECT_EQ(out.result.message->subject, "a b"); // unfolded
    EXPECT_EQ(out.result.message->body, "line one\r\n.\r\nend\r\n");
}

TEST(ImapClient, CountsAndDeletesEveryCopyKeepingTheFirst)
{
    imap_client client(query());
    const auto out = run_dialogue(
        client, login_and_select() +
                    dialogue{
                        S("* SEARCH 4 5\r\na3 OK Search completed\r\n"),
                        C("a4 UID FETCH 4,5 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                          "BODY.PEEK[TEXT])\r\n"),
                        S("* 1 FETCH (UID 4 BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] " +
                          lit("Subject: first\r\nMessage-ID: <probe-1@example.test>\r\n\r\n") +
                          " BODY[TEXT] \"one\")\r\n" +
                          "* 2 FETCH (UID 5 BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] " +
                          lit("Message-ID: <probe-1@example.test>\r\n\r\n") + " BODY[TEXT] " +
                          lit("two\r\n") + ")\r\na4 OK Fetch completed\r\n"),
                        C("a5 UID STORE 4,5 +FLAGS.SILENT (\\Deleted)\r\n"),
                        S("a5 OK Store completed\r\n"),
                        C("a6 UID EXPUNGE 4,5\r\n"),
                        S("a6 OK Expunge completed\r\n"),
                        C("a7 LOGOUT\r\n"),
                        S("a7 OK Logout completed\r\n"),
                    });
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    EXPECT_EQ(out.result.copies, 2u);
    EXPECT_NE(out.result.detail.find("2 copies"), std::string::npos) << out.result.detail;
    ASSERT_TRUE(out.result.message);
    EXPECT_EQ(out.result.message->subject, "first");
    EXPECT_EQ(out.result.message->body, "one\r\n");
}

TEST(ImapClient, UsesPlainExpungeWithoutUidplus)
{
    imap_client client(query());
    const auto out = run_dialogue(client, found_dialogue(false));
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
}

TEST(ImapClient, LearnsUidplusFromAnUntaggedCapabilityResponse)
{
    auto script = found_dialogue(false);
    script[2] = S("* CAPABILITY IMAP4rev1 UIDPLUS\r\na1 OK Logged in\r\n");
    for (auto& e : script) {
        if (e.bytes == "a6 EXPUNGE\r\n") {
            e.bytes = "a6 UID EXPUNGE 9\r\n";
        }
    }
    imap_client client(query());
    const auto out = run_dialogue(client, script);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
}

TEST(ImapClient, EmptySearchIsNotFound)
{
    imap_client client(query());
    const auto out = run_dialogue(client, not_found_dialogue());
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
    EXPECT_FALSE(out.result.error);
    EXPECT_FALSE(client.found());
}

TEST(ImapClient, SearchHitWithoutExactHeaderIsNotFound)
{
    imap_client client(query());
    const auto out = run_dialogue(
        client,
        login_and_select() +
            dialogue{S("* SEARCH 7\r\na3 OK\r\n"),
                     C("a4 UID FETCH 7 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                       "BODY.PEEK[TEXT])\r\n"),
                     S("* 2 FETCH (UID 7 BODY[HEADER.FIELDS (MESSAGE-ID)] " +
                       lit("Message-ID: <probe-1@example.test.org>\r\n\r\n") + ")\r\na4 OK\r\n"),
                     C("a5 LOGOUT\r\n"), S("a5 OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
}

TEST(ImapClient, ReadsQuotedHeadersAndSkipsOtherLiterals)
{
    // The first FETCH carries an unknown item with its own literal before the header: the
    // header must be taken from the second literal. The second FETCH gives it quoted.
    imap_client client(query());
    const auto out = run_dialogue(
        client,
        login_and_select() +
            dialogue{S("* SEARCH 7 8\r\na3 OK\r\n"),
                     C("a4 UID FETCH 7,8 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                       "BODY.PEEK[TEXT])\r\n"),
                     S("* 1 FETCH (X-OTHER " + lit("Message-ID: <probe-1@example.test>\r\n") +
                       " UID 7 BODY[HEADER.FIELDS (MESSAGE-ID)] " +
                       lit("Message-ID: <nope@example.test>\r\n\r\n") + ")\r\n" +
                       "* 2 FETCH (UID 8 BODY[HEADER.FIELDS (MESSAGE-ID)] "
                       "\"Message-ID: <probe-1@example.test>\")\r\n"
                       "* 3 FETCH (FLAGS (\\Seen))\r\na4 OK\r\n"),
                     C("a5 UID STORE 8 +FLAGS.SILENT (\\Deleted)\r\n"), S("a5 OK\r\n"),
                     C("a6 UID EXPUNGE 8\r\n"), S("a6 OK\r\n"), C("a7 LOGOUT\r\n"),
                     S("a7 OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    EXPECT_NE(out.result.detail.find("UID 8"), std::string::npos);
}

TEST(ImapClient, QuotesPasswordsWithSpecials)
{
    imap_client client(query("pa\"ss\\x"));
    auto script = not_found_dialogue();
    script[1] = C("a1 LOGIN probe \"pa\\\"ss\\\\x\"\r\n");
    const auto out = run_dialogue(client, script);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
}

TEST(ImapClient, SendsEightBitPasswordsAsASynchronizingLiteral)
{
    // RFC 3501 §7.5: the client sends the literal's octets only after "+".
    imap_client client(query("p\xC3\xA4ss"));
    auto script = not_found_dialogue();
    script[1] = C("a1 LOGIN probe {5}\r\n");
    script.insert(script.begin() + 2, {S("+ Ready for literal data\r\n"), C("p\xC3\xA4ss\r\n")});
    const auto out = run_dialogue(client, script);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
    for (const auto& line : out.transcript) {
        EXPECT_EQ(line.find("p\xC3\xA4ss"), std::string::npos) << line;
    }
}

TEST(ImapClient, LiteralRefusedInsteadOfContinuation)
{
    imap_client client(query("p\xC3\xA4ss"));
    const auto out = run_dialogue(client, {S("* OK ready\r\n"), C("a1 LOGIN probe {5}\r\n"),
                                           S("a1 NO [AUTHENTICATIONFAILED] nope\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.error, verify_errc::auth_failed);
}

TEST(ImapClient, PreauthGreetingSkipsLogin)
{
    imap_client client(query());
    const auto out =
        run_dialogue(client, {S("* PREAUTH ready\r\n"), C("a1 SELECT INBOX\r\n"), S("a1 OK\r\n"),
                              C("a2 UID SEARCH HEADER Message-ID \"<probe-1@example.test>\"\r\n"),
                              S("* SEARCH\r\na2 OK\r\n"), C("a3 LOGOUT\r\n"), S("a3 OK\r\n")});
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::not_found);
}

TEST(ImapClient, NeverWritesThePasswordToTheTranscript)
{
    imap_client client(query());
    const auto out = run_dialogue(client, found_dialogue());
    ASSERT_EQ(out.mismatch, "");
    bool saw_login = false;
    for (const auto& line : out.transcript) {
        EXPECT_EQ(line.find("pa ss"), std::string::npos) << line;
        saw_login = saw_login || line == "C: a1 LOGIN probe ****";
    }
    EXPECT_TRUE(saw_login);
}

struct err_case {
    const char* name;
    dialogue script;
    verify_errc error;
    check_status status;
    const char* detail_has;
};

class ImapClientErr : public ::testing::TestWithParam<err_case> {};

TEST_P(ImapClientErr, EndsWithTheServerText)
{
    const auto& c = GetParam();
    imap_client client(query());
    const auto out = run_dialogue(client, c.script);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, c.status);
    EXPECT_EQ(out.result.error, c.error) << out.result.error.message();
    EXPECT_NE(out.result.detail.find(c.detail_has), std::string::npos) << out.result.detail;
}

dialogue through_fetch()
{
    return login_and_select() +
           dialogue{S("* SEARCH 9\r\na3 OK\r\n"),
                    C("a4 UID FETCH 9 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                      "BODY.PEEK[TEXT])\r\n"),
                    S("* 1 FETCH (UID 9 BODY[HEADER.FIELDS (MESSAGE-ID)] " +
                      lit("Message-ID: <probe-1@example.test>\r\n\r\n") + ")\r\na4 OK\r\n"),
                    C("a5 UID STORE 9 +FLAGS.SILENT (\\Deleted)\r\n")};
}

dialogue upto_login()
{
    return {S("* OK ready\r\n"), C("a1 LOGIN probe \"pa ss\"\r\n")};
}

INSTANTIATE_TEST_SUITE_P(
    Paths, ImapClientErr,
    ::testing::Values(
        err_case{"greeting_bye",
                 {S("* BYE too many connections\r\n")},
                 verify_errc::server_bye,
                 check_status::failed,
                 "too many connections"},
        err_case{"login_disabled",
                 {S("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n")},
                 verify_errc::auth_failed,
                 check_status::failed,
                 "LOGINDISABLED"},
        err_case{"greeting_pop3",
                 {S("+OK POP3 ready\r\n")},
                 verify_errc::protocol_error,
                 check_status::failed,
                 "+OK POP3"},
        err_case{"greeting_other",
                 {S("* HELLO\r\n")},
                 verify_errc::protocol_error,
                 check_status::failed,
                 "HELLO"},
        err_case{"login_no", upto_login() + dialogue{S("a1 NO [AUTHENTICATIONFAILED] bad\r\n")},
                 verify_errc::auth_failed, check_status::failed, "AUTHENTICATIONFAILED"},
        err_case{"login_unavailable",
                 upto_login() + dialogue{S("a1 NO [UNAVAILABLE] backend down\r\n")},
                 verify_errc::server_busy, check_status::failed, "backend down"},
        err_case{"login_bad", upto_login() + dialogue{S("a1 BAD syntax\r\n")},
                 verify_errc::server_rejected, check_status::failed, "BAD syntax"},
        err_case{"wrong_tag", upto_login() + dialogue{S("zz9 OK\r\n")}, verify_errc::protocol_error,
                 check_status::failed, "zz9"},
        err_case{"bad_status", upto_login() + dialogue{S("a1 MAYBE\r\n")},
                 verify_errc::protocol_error, check_status::failed, "MAYBE"},
        err_case{"unexpected_continuation", upto_login() + dialogue{S("+ more?\r\n")},
                 verify_errc::protocol_error, check_status::failed, "continuation"},
        err_case{"select_no",
                 upto_login() + dialogue{S("a1 OK\r\n"), C("a2 SELECT INBOX\r\n"),
                                         S("a2 NO [SERVERBUG] broken index\r\n")},
                 verify_errc::server_rejected, check_status::failed, "broken index"},
        err_case{"select_inuse",
                 upto_login() + dialogue{S("a1 OK\r\n"), C("a2 SELECT INBOX\r\n"),
                                         S("a2 NO [INUSE] locked\r\n")},
                 verify_errc::server_busy, check_status::failed, "locked"},
        err_case{"bye_mid_session",
                 upto_login() + dialogue{S("a1 OK\r\n"), C("a2 SELECT INBOX\r\n"),
                                         S("* BYE shutting down\r\n")},
                 verify_errc::server_bye, check_status::failed, "shutting down"},
        err_case{"search_bad", login_and_select() + dialogue{S("a3 BAD no HEADER search\r\n")},
                 verify_errc::server_rejected, check_status::failed, "no HEADER search"},
        err_case{"search_garbage", login_and_select() + dialogue{S("* SEARCH 1 x 2\r\n")},
                 verify_errc::protocol_error, check_status::failed, "SEARCH"},
        err_case{"closed_in_fetch",
                 login_and_select() +
                     dialogue{S("* SEARCH 9\r\na3 OK\r\n"),
                              C("a4 UID FETCH 9 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                                "BODY.PEEK[TEXT])\r\n"),
                              S("* 1 FETCH (UID 9 BODY[HEADER.FIELDS (MESSAGE-ID)] {40}\r\nMess")},
                 verify_errc::closed, check_status::failed, "UID FETCH"},
        err_case{"literal_too_big",
                 login_and_select() +
                     dialogue{S("* SEARCH 9\r\na3 OK\r\n"),
                              C("a4 UID FETCH 9 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                                "BODY.PEEK[TEXT])\r\n"),
                              S("* 1 FETCH (UID 9 BODY[] {999999999}\r\n")},
                 verify_errc::response_too_long, check_status::failed, "size limit"},
        err_case{"store_no", through_fetch() + dialogue{S("a5 NO [READ-ONLY] mailbox\r\n")},
                 verify_errc::server_rejected, check_status::found, "READ-ONLY"},
        err_case{"expunge_no",
                 through_fetch() + dialogue{S("a5 OK\r\n"), C("a6 UID EXPUNGE 9\r\n"),
                                            S("a6 NO expunge failed\r\n")},
                 verify_errc::server_rejected, check_status::found, "expunge failed"}),
    [](const ::testing::TestParamInfo<err_case>& p) { return std::string(p.param.name); });

TEST(ImapClient, ClosedDuringLogoutAfterDeletionIsFound)
{
    auto script = found_dialogue();
    script.pop_back(); // no reply to LOGOUT: the client reads end of stream
    imap_client client(query());
    const auto out = run_dialogue(client, script);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
    EXPECT_FALSE(out.result.error);
}

TEST(ImapClient, EveryServerExchangeSplitAtEveryByte)
{
    for (const auto& script : {found_dialogue(true), found_dialogue(false), not_found_dialogue()}) {
        for (const auto index : server_exchanges(script)) {
            for (std::size_t at = 1; at < script[index].bytes.size(); ++at) {
                imap_client client(query());
                run_options options;
                options.split_exchange = index;
                options.split_at = at;
                const auto out = run_dialogue(client, script, options);
                ASSERT_EQ(out.mismatch, "") << "exchange " << index << " split at " << at;
                ASSERT_NE(out.result.status, check_status::failed)
                    << "exchange " << index << " split at " << at << ": " << out.result.detail;
            }
        }
    }
}

TEST(ImapClient, ByteByByte)
{
    imap_client client(query());
    run_options options;
    options.byte_by_byte = true;
    const auto out = run_dialogue(client, found_dialogue(), options);
    ASSERT_EQ(out.mismatch, "");
    EXPECT_EQ(out.result.status, check_status::found);
}

TEST(ImapClient, AnIoErrorAtEveryStepEndsTheSession)
{
    const auto script = found_dialogue();
    imap_client reference(query());
    const auto full = run_dialogue(reference, script);
    ASSERT_EQ(full.mismatch, "");
    ASSERT_GT(full.steps, 12u);
    // The last two steps are LOGOUT after the deletion: errors there change nothing.
    const std::size_t logout_steps = 2;
    for (const auto& injected : {boost::system::error_code(boost::asio::error::connection_reset),
                                 boost::system::error_code(verify_errc::timeout),
                                 boost::system::error_code(boost::asio::error::eof)}) {
        for (std::size_t step = 0; step < full.steps; ++step) {
            imap_client client(query());
            run_options options;
            options.fail_step = step;
            options.fail_with = injected;
            const auto out = run_dialogue(client, script, options);
            ASSERT_EQ(out.mismatch, "") << "step " << step;
            if (step >= full.steps - logout_steps) {
                EXPECT_EQ(out.result.status, check_status::found) << "step " << step;
                EXPECT_FALSE(out.result.error) << "step " << step;
                continue;
            }
            EXPECT_EQ(out.result.status,
                      out.found_at_failure ? check_status::found : check_status::failed)
                << "step " << step;
            const boost::system::error_code expected =
                injected == boost::asio::error::eof ? boost::system::error_code(verify_errc::closed)
                                                    : injected;
            EXPECT_EQ(out.result.error, expected) << "step " << step;
        }
    }
}

} // namespace

namespace {

TEST(ImapClient, AnIoErrorAtEveryStepOfANotFoundSession)
{
    const auto script = not_found_dialogue();
    imap_client reference(query());
    const auto full = run_dialogue(reference, script);
    ASSERT_EQ(full.mismatch, "");
    for (std::size_t step = 0; step < full.steps; ++step) {
        imap_client client(query());
        run_options options;
        options.fail_step = step;
        const auto out = run_dialogue(client, script, options);
        ASSERT_EQ(out.mismatch, "") << "step " << step;
        if (step >= full.steps - 2) {
            // Writing LOGOUT or reading its reply: the mailbox was already read.
            EXPECT_EQ(out.result.status, check_status::not_found) << "step " << step;
            EXPECT_FALSE(out.result.error);
        } else {
            EXPECT_EQ(out.result.status, check_status::failed) << "step " << step;
            EXPECT_EQ(out.result.error, boost::asio::error::connection_reset) << "step " << step;
        }
    }
}

} // namespace
