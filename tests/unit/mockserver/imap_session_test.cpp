// The IMAP4rev1 server session (RFC 3501) without sockets: every command's happy and error
// paths, literals at and over their limits, STARTTLS and implicit TLS, IDLE with news from
// other sessions and from the driver, autologout, bounded output, input split at every byte,
// and an I/O error, a close or a timer at every step.
#include "imap_script.hpp"
#include "smtp/base64.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using mock::imap::imap_session;
using mock::test::imap_script;

namespace {

const std::string message_one = "From: Alice <alice@example.org>\r\n"
                                "To: Bob <bob@example.com>\r\n"
                                "Subject: Hello there\r\n"
                                "Date: Sun, 11 Feb 2024 18:30:00 -0500\r\n"
                                "Message-ID: <1@example.org>\r\n"
                                "\r\n"
                                "First body line\r\n"
                                "Second line\r\n";
const std::string message_two = "From: \"Carol Q\" <carol@example.com>\r\n"
                                "To: bob@example.com\r\n"
                                "Cc: carol@example.com\r\n"
                                "Subject: Re: report\r\n"
                                "\tcontinued\r\n"
                                "Date: Mon, 12 Feb 2024 09:00:00 +0000\r\n"
                                "\r\n"
                                "The report is attached.\r\n";
const std::string message_three = "From: nobody@example.net\r\nSubject: for dave\r\n\r\nhi\r\n";

const std::string select_inbox_reply = "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                                       "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted "
                                       "\\Seen \\Draft)] Flags permitted\r\n"
                                       "* 2 EXISTS\r\n"
                                       "* 2 RECENT\r\n"
                                       "* OK [UNSEEN 1] First unseen\r\n"
                                       "* OK [UIDVALIDITY 1707732000] UIDs valid\r\n"
                                       "* OK [UIDNEXT 3] Predicted next UID\r\n";

const std::string caps_after_login =
    "IMAP4rev1 LITERAL+ IDLE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE";

class imap_test : public ::testing::Test {
protected:
    imap_test()
    {
        world_.users.add("carol", "pw");
        // Received two days, then one hour, then one minute before the wall clock.
        world_.add({"bob@example.com"}, message_one, 2 * 24h);
        world_.add({"bob@example.com", "carol@example.com"}, message_two, 1h);
        world_.add({"dave@example.com"}, message_three, 1min);
    }

    imap_script open(mock::imap::session_config config = {})
    {
        imap_script s(*world_.mailboxes, std::move(config));
        greeting_ = s.start();
        return s;
    }

    imap_script login(const std::string& user = "bob", mock::imap::session_config config = {})
    {
        auto s = open(std::move(config));
        auto out = s.send("L LOGIN " + user + " secret\r\n");
        EXPECT_EQ(out.rfind("L OK ", 0), 0u) << out;
        return s;
    }

    imap_script selected(const std::string& command = "S SELECT INBOX\r\n")
    {
        auto s = login();
        auto out = s.send(command);
        EXPECT_NE(out.find("S OK"), std::string::npos) << out;
        return s;
    }

    mock::test::imap_world world_;
    std::string greeting_;
};

// --- Greeting, CAPABILITY, NOOP, LOGOUT, state rules ---------------------------------------

TEST_F(imap_test, greets_with_capabilities)
{
    auto s = open();
    EXPECT_EQ(greeting_, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+ IDLE UIDPLUS "
                         "MOVE UNSELECT CHILDREN SPECIAL-USE] localhost IMAP4rev1 server "
                         "(smtp-mock) ready\r\n");
    EXPECT_TRUE(s.reading());
    EXPECT_EQ(s.session().current_state(), imap_session::state::not_authenticated);
    EXPECT_EQ(s.send("a1 capability\r\n"),
              "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+ IDLE UIDPLUS MOVE UNSELECT "
              "CHILDREN SPECIAL-USE\r\na1 OK CAPABILITY completed\r\n");
    EXPECT_EQ(s.send("a2 NOOP\r\n"), "a2 OK NOOP completed\r\n");
    EXPECT_EQ(s.send("a3 CAPABILITY x\r\n"),
              "a3 BAD Error in IMAP command CAPABILITY: expected the end of the command at octet "
              "13\r\n");
}

TEST_F(imap_test, capabilities_follow_tls_and_configuration)
{
    mock::imap::session_config config;
    config.tls_available = true;
    config.login_requires_tls = true;
    config.limits.literal_plus = false;
    config.hostname = "imap.example";
    auto s = open(config);
    EXPECT_EQ(greeting_, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED IDLE UIDPLUS MOVE "
                         "UNSELECT CHILDREN SPECIAL-USE] imap.example IMAP4rev1 server "
                         "(smtp-mock) ready\r\n");
    EXPECT_EQ(s.send("t STARTTLS\r\n"), "t OK Begin TLS negotiation now\r\n");
    ASSERT_TRUE(s.tls_requested());
    EXPECT_EQ(s.tls_done(true), "");
    EXPECT_TRUE(s.session().tls_active());
    EXPECT_EQ(s.send("c CAPABILITY\r\n"), "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR IDLE UIDPLUS "
                                          "MOVE UNSELECT CHILDREN SPECIAL-USE\r\n"
                                          "c OK CAPABILITY completed\r\n");
}

TEST_F(imap_test, logout_says_bye_then_closes)
{
    auto s = open();
    EXPECT_EQ(s.send("z LOGOUT\r\nz2 NOOP\r\n"),
              "* BYE localhost IMAP4rev1 server logging out\r\nz OK LOGOUT completed\r\n");
    EXPECT_TRUE(s.closed());
    EXPECT_TRUE(s.session().finished());
    EXPECT_EQ(s.session().current_state(), imap_session::state::logout);
}

TEST_F(imap_test, commands_are_checked_against_the_state)
{
    auto s = open();
    EXPECT_EQ(s.send("a SELECT INBOX\r\n"), "a BAD SELECT needs a login first\r\n");
    EXPECT_EQ(s.send("b FETCH 1 FLAGS\r\n"), "b BAD FETCH needs a login first\r\n");
    EXPECT_EQ(s.send("c XYZZY\r\n"), "c BAD Unknown command XYZZY\r\n");
    EXPECT_EQ(s.send("+x NOOP\r\n"),
              "* BAD Error in IMAP command: a command starts with a tag\r\n");
    EXPECT_EQ(s.send("d\r\n"), "d BAD Error in IMAP command : expected a space at octet 1\r\n");
    EXPECT_EQ(s.send("e LOGIN bob x\r\n").substr(0, 5), "e OK ");
    EXPECT_EQ(s.send("f LOGIN bob x\r\n"), "f BAD LOGIN is not valid once logged in\r\n");
    EXPECT_EQ(s.send("g FETCH 1 FLAGS\r\n"), "g BAD FETCH needs a selected folder\r\n");
    EXPECT_EQ(s.send("h UID FETCH 1 FLAGS\r\n"), "h BAD UID needs a selected folder\r\n");
    EXPECT_EQ(s.send("i STARTTLS\r\n"), "i BAD STARTTLS is not valid once logged in\r\n");
}

TEST_F(imap_test, empty_lines_between_commands_are_ignored)
{
    auto s = open();
    EXPECT_EQ(s.send("\r\n\r\na NOOP\r\n\n"), "a OK NOOP completed\r\n");
}

TEST_F(imap_test, too_many_bad_commands_end_the_session)
{
    mock::imap::session_config config;
    config.max_errors = 3;
    auto s = open(config);
    EXPECT_EQ(s.send("a X\r\nb Y\r\n"), "a BAD Unknown command X\r\nb BAD Unknown command Y\r\n");
    EXPECT_EQ(s.send("c Z\r\nd NOOP\r\n"),
              "c BAD Unknown command Z\r\n* BYE Too many invalid IMAP commands\r\n");
    EXPECT_TRUE(s.closed());
}

// --- LOGIN, AUTHENTICATE, STARTTLS ----------------------------------------------------------

TEST_F(imap_test, login_follows_the_pop3_user_rule)
{
    auto s = open();
    // Carol is listed in --users: her password must match; Bob is not: anything goes.
    EXPECT_EQ(s.send("a LOGIN carol wrong\r\n"),
              "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    EXPECT_EQ(s.session().current_state(), imap_session::state::not_authenticated);
    EXPECT_EQ(s.send("b LOGIN \"carol@example.com\" \"pw\"\r\n"),
              "b OK [CAPABILITY " + caps_after_login + "] LOGIN completed\r\n");
    EXPECT_EQ(s.session().user(), "carol@example.com");
    EXPECT_EQ(s.session().current_state(), imap_session::state::authenticated);

    auto t = open();
    EXPECT_EQ(t.send("a LOGIN bob {5}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(t.send("x y\"z\r\n"),
              "a OK [CAPABILITY " + caps_after_login + "] LOGIN completed\r\n");
    EXPECT_EQ(t.session().user(), "bob");
}

TEST_F(imap_test, login_syntax_errors_are_bad)
{
    auto s = open();
    EXPECT_EQ(s.send("a LOGIN bob\r\n"),
              "a BAD Error in IMAP command LOGIN: expected a space at octet 11\r\n");
    EXPECT_EQ(s.send("b LOGIN\r\n"),
              "b BAD Error in IMAP command LOGIN: expected a space at octet 7\r\n");
    EXPECT_EQ(s.send("c LOGIN \"bob x\r\n"),
              "c BAD Error in IMAP command LOGIN: expected a user name (a quoted string ends "
              "with a double quote) at octet 8\r\n");
    EXPECT_EQ(s.send("d LOGIN \"b\\ob\" x\r\n"),
              "d BAD Error in IMAP command LOGIN: expected \\\" or \\\\ after a backslash in a "
              "quoted string at octet 10\r\n");
    EXPECT_EQ(s.send("e LOGIN (bob) x\r\n"),
              "e BAD Error in IMAP command LOGIN: expected a user name at octet 8\r\n");
}

TEST_F(imap_test, login_disabled_until_tls)
{
    mock::imap::session_config config;
    config.tls_available = true;
    config.login_requires_tls = true;
    auto s = open(config);
    EXPECT_EQ(s.send("a LOGIN bob x\r\n"),
              "a NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS\r\n");
    EXPECT_EQ(s.send("b AUTHENTICATE PLAIN\r\n"),
              "b NO [PRIVACYREQUIRED] AUTHENTICATE PLAIN is disabled until STARTTLS\r\n");
    s.send("c STARTTLS\r\n");
    s.tls_done(true);
    EXPECT_EQ(s.send("d LOGIN bob x\r\n").substr(0, 5), "d OK ");
}

TEST_F(imap_test, authenticate_plain_with_a_continuation)
{
    auto s = open();
    EXPECT_EQ(s.send("a AUTHENTICATE PLAIN\r\n"), "+ \r\n");
    EXPECT_EQ(s.send(smtp::base64_encode(std::string("\0carol\0pw", 9)) + "\r\n"),
              "a OK [CAPABILITY " + caps_after_login + "] AUTHENTICATE completed\r\n");
    EXPECT_EQ(s.session().user(), "carol");
}

TEST_F(imap_test, authenticate_plain_with_an_initial_response)
{
    // RFC 4959: SASL-IR.
    auto s = open();
    EXPECT_EQ(s.send("a AUTHENTICATE plain " +
                     smtp::base64_encode(std::string("carol\0carol\0wrong", 17)) + "\r\n"),
              "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    EXPECT_EQ(s.send("b AUTHENTICATE PLAIN " +
                     smtp::base64_encode(std::string("admin\0carol\0pw", 14)) + "\r\n"),
              "b NO [AUTHORIZATIONFAILED] Cannot act as another user\r\n");
    EXPECT_EQ(s.send("c AUTHENTICATE PLAIN =\r\n"),
              "c BAD Invalid SASL PLAIN response (base64 of authzid NUL authcid NUL password)\r\n");
    EXPECT_EQ(
        s.send("d AUTHENTICATE PLAIN " + smtp::base64_encode(std::string("\0dave\0x", 7)) + "\r\n"),
        "d OK [CAPABILITY " + caps_after_login + "] AUTHENTICATE completed\r\n");
}

TEST_F(imap_test, authenticate_errors)
{
    auto s = open();
    EXPECT_EQ(s.send("a AUTHENTICATE CRAM-MD5\r\n"),
              "a NO Unsupported authentication mechanism CRAM-MD5\r\n");
    EXPECT_EQ(s.send("b AUTHENTICATE PLAIN\r\n"), "+ \r\n");
    EXPECT_EQ(s.send("*\r\n"), "b BAD Authentication cancelled\r\n");
    EXPECT_EQ(s.send("c AUTHENTICATE PLAIN\r\n"), "+ \r\n");
    EXPECT_EQ(s.send("!!!\r\n"),
              "c BAD Invalid SASL PLAIN response (base64 of authzid NUL authcid NUL password)\r\n");
    EXPECT_EQ(s.send("d AUTHENTICATE\r\n"),
              "d BAD Error in IMAP command AUTHENTICATE: expected a space at octet 14\r\n");
    EXPECT_EQ(s.send("e AUTHENTICATE PLAIN\r\n"), "+ \r\n");
    EXPECT_EQ(s.send(std::string(9000, 'A') + "\r\n"),
              "e BAD Authentication response too long\r\n");
    EXPECT_EQ(s.session().current_state(), imap_session::state::not_authenticated);
    EXPECT_EQ(s.send("f NOOP\r\n"), "f OK NOOP completed\r\n");
}

TEST_F(imap_test, starttls_drops_pipelined_plaintext)
{
    mock::imap::session_config config;
    config.tls_available = true;
    auto s = open(config);
    // RFC 3501 §6.2.1: what follows STARTTLS in the same packet was not protected.
    EXPECT_EQ(s.send("a STARTTLS\r\nb LOGIN bob x\r\n"), "a OK Begin TLS negotiation now\r\n");
    ASSERT_TRUE(s.tls_requested());
    EXPECT_EQ(s.tls_done(true), "");
    EXPECT_TRUE(s.reading());
    EXPECT_EQ(s.session().current_state(), imap_session::state::not_authenticated);
    EXPECT_EQ(s.send("c STARTTLS\r\n"), "c BAD TLS is already active\r\n");
}

TEST_F(imap_test, starttls_refused_without_tls_and_failed_handshake_closes)
{
    auto s = open();
    EXPECT_EQ(s.send("a STARTTLS\r\n"), "a BAD STARTTLS is not offered here\r\n");
    mock::imap::session_config config;
    config.tls_available = true;
    auto t = open(config);
    t.send("a STARTTLS\r\n");
    EXPECT_EQ(t.tls_done(false), "");
    EXPECT_TRUE(t.closed());
}

TEST_F(imap_test, implicit_tls_greets_after_the_handshake)
{
    imap_script s(*world_.mailboxes);
    EXPECT_EQ(s.start(true), "");
    ASSERT_TRUE(s.tls_requested());
    EXPECT_EQ(std::get<mock::imap::tls_action>(s.last).deadline, s.now + 30s);
    EXPECT_EQ(s.tls_done(true).substr(0, 16), "* OK [CAPABILITY");
    EXPECT_TRUE(s.session().tls_active());
    imap_script t(*world_.mailboxes);
    t.start(true);
    EXPECT_EQ(t.timeout(), "");
    EXPECT_TRUE(t.closed());
}

// --- SELECT, EXAMINE, LIST, LSUB, STATUS, fixed folders --------------------------------------

TEST_F(imap_test, select_reports_the_folder)
{
    auto s = login();
    EXPECT_EQ(s.send("a SELECT inbox\r\n"),
              select_inbox_reply + "a OK [READ-WRITE] SELECT completed\r\n");
    EXPECT_EQ(s.session().current_state(), imap_session::state::selected);
    // \Recent went to the first session; the next one sees none.
    auto t = login();
    EXPECT_EQ(t.send("b EXAMINE INBOX\r\n"),
              "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
              "* OK [PERMANENTFLAGS ()] Read-only folder\r\n"
              "* 2 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 1] First unseen\r\n"
              "* OK [UIDVALIDITY 1707732000] UIDs valid\r\n"
              "* OK [UIDNEXT 3] Predicted next UID\r\n"
              "b OK [READ-ONLY] EXAMINE completed\r\n");
    EXPECT_EQ(t.send("c SELECT Junk\r\n"),
              "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
              "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Flags "
              "permitted\r\n"
              "* 0 EXISTS\r\n* 0 RECENT\r\n"
              "* OK [UIDVALIDITY 1707732000] UIDs valid\r\n"
              "* OK [UIDNEXT 1] Predicted next UID\r\n"
              "c OK [READ-WRITE] SELECT completed\r\n");
}

TEST_F(imap_test, failed_select_leaves_the_selected_state)
{
    auto s = selected();
    EXPECT_EQ(s.send("a SELECT Archive\r\n"),
              "a NO [NONEXISTENT] No folder Archive (there are INBOX and Junk)\r\n");
    EXPECT_EQ(s.session().current_state(), imap_session::state::authenticated);
    EXPECT_EQ(s.send("b SELECT junk\r\n"), // only INBOX is case-insensitive
              "b NO [NONEXISTENT] No folder junk (there are INBOX and Junk)\r\n");
    EXPECT_EQ(s.send("c SELECT\r\n"),
              "c BAD Error in IMAP command SELECT: expected a space at octet 8\r\n");
}

TEST_F(imap_test, list_matches_patterns)
{
    auto s = login();
    const std::string inbox = "* LIST (\\HasNoChildren) \"/\" INBOX\r\n";
    const std::string junk = "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n";
    EXPECT_EQ(s.send("a LIST \"\" *\r\n"), inbox + junk + "a OK LIST completed\r\n");
    EXPECT_EQ(s.send("b LIST \"\" %\r\n"), inbox + junk + "b OK LIST completed\r\n");
    EXPECT_EQ(s.send("c LIST \"\" \"\"\r\n"),
              "* LIST (\\Noselect) \"/\" \"\"\r\nc OK LIST completed\r\n");
    EXPECT_EQ(s.send("d LIST \"\" inbox\r\n"), inbox + "d OK LIST completed\r\n");
    EXPECT_EQ(s.send("e LIST \"\" J*\r\n"), junk + "e OK LIST completed\r\n");
    EXPECT_EQ(s.send("f LIST \"\" j*\r\n"), "f OK LIST completed\r\n");
    EXPECT_EQ(s.send("g LIST \"\" INBOX/%\r\n"), "g OK LIST completed\r\n");
    EXPECT_EQ(s.send("h LIST \"IN\" BOX\r\n"), inbox + "h OK LIST completed\r\n");
    EXPECT_EQ(s.send("i LSUB \"\" *\r\n"),
              "* LSUB () \"/\" INBOX\r\n* LSUB () \"/\" Junk\r\ni OK LSUB completed\r\n");
    EXPECT_EQ(s.send("j LIST \"\" {1}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(s.send("*\r\n"), inbox + junk + "j OK LIST completed\r\n");
    EXPECT_EQ(s.send("k LIST \"\"\r\n"),
              "k BAD Error in IMAP command LIST: expected a space at octet 9\r\n");
    EXPECT_EQ(s.send("l LIST \"\" " + std::string(200, '*') + "%q\r\n"), "l OK LIST completed\r\n");
}

TEST_F(imap_test, status_counts_without_claiming_recent)
{
    auto s = login();
    EXPECT_EQ(s.send("a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n"),
              "* STATUS INBOX (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY 1707732000 UNSEEN 2)\r\n"
              "a OK STATUS completed\r\n");
    EXPECT_EQ(s.send("b STATUS INBOX (RECENT)\r\n"),
              "* STATUS INBOX (RECENT 2)\r\nb OK STATUS completed\r\n");
    EXPECT_EQ(s.send("c STATUS Spam (MESSAGES)\r\n"),
              "c NO [NONEXISTENT] No such folder (there are INBOX and Junk)\r\n");
    EXPECT_EQ(s.send("d STATUS INBOX (SIZE)\r\n"),
              "d BAD Error in IMAP command STATUS: expected MESSAGES, RECENT, UIDNEXT, "
              "UIDVALIDITY or UNSEEN at octet 16\r\n");
    EXPECT_EQ(s.send("e STATUS INBOX MESSAGES\r\n"),
              "e BAD Error in IMAP command STATUS: expected \"(\" starting the status items at "
              "octet 15\r\n");
}

TEST_F(imap_test, the_folders_are_fixed)
{
    auto s = login();
    EXPECT_EQ(s.send("a CREATE Archive\r\n"),
              "a NO [CANNOT] The folders here are INBOX and Junk, always\r\n");
    EXPECT_EQ(s.send("b CREATE Junk\r\n"), "b NO [ALREADYEXISTS] The folder exists\r\n");
    EXPECT_EQ(s.send("c DELETE Junk\r\n"),
              "c NO [CANNOT] The folders here are INBOX and Junk, always\r\n");
    EXPECT_EQ(s.send("d RENAME Junk Spam\r\n"),
              "d NO [CANNOT] The folders here are INBOX and Junk, always\r\n");
    EXPECT_EQ(s.send("e SUBSCRIBE Junk\r\n"), "e OK SUBSCRIBE completed\r\n");
    EXPECT_EQ(s.send("f UNSUBSCRIBE Spam\r\n"),
              "f NO [NONEXISTENT] No such folder (there are INBOX and Junk)\r\n");
    EXPECT_EQ(s.send("g APPEND INBOX {11}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(s.send("Subject: x\n\r\n"), "g NO [CANNOT] Messages arrive here over SMTP only\r\n");
    EXPECT_EQ(s.send("h RENAME Junk\r\n"),
              "h BAD Error in IMAP command RENAME: expected a space at octet 13\r\n");
}

// --- FETCH ---------------------------------------------------------------------------------

TEST_F(imap_test, fetch_flags_uid_dates_sizes)
{
    auto s = selected();
    EXPECT_EQ(s.send("a FETCH 1:* (FLAGS UID INTERNALDATE RFC822.SIZE)\r\n"),
              "* 1 FETCH (FLAGS (\\Recent) UID 1 INTERNALDATE \"10-Feb-2024 10:00:00 +0000\" "
              "RFC822.SIZE " +
                  std::to_string(message_one.size()) +
                  ")\r\n"
                  "* 2 FETCH (FLAGS (\\Recent) UID 2 INTERNALDATE \"12-Feb-2024 09:00:00 +0000\" "
                  "RFC822.SIZE " +
                  std::to_string(message_two.size()) + ")\r\na OK FETCH completed\r\n");
}

TEST_F(imap_test, fetch_bodies_set_seen_unless_peek)
{
    auto s = selected();
    EXPECT_EQ(s.send("a FETCH 1 BODY.PEEK[]\r\n"),
              "* 1 FETCH (BODY[] {" + std::to_string(message_one.size()) + "}\r\n" + message_one +
                  ")\r\na OK FETCH completed\r\n");
    EXPECT_EQ(s.send("b FETCH 1 FLAGS\r\n"),
              "* 1 FETCH (FLAGS (\\Recent))\r\nb OK FETCH completed\r\n");
    EXPECT_EQ(s.send("c FETCH 1 BODY[]\r\n"),
              "* 1 FETCH (BODY[] {" + std::to_string(message_one.size()) + "}\r\n" + message_one +
                  " FLAGS (\\Seen \\Recent))\r\nc OK FETCH completed\r\n");
    EXPECT_EQ(s.send("d FETCH 2 (FLAGS RFC822)\r\n"),
              "* 2 FETCH (FLAGS (\\Seen \\Recent) RFC822 {" + std::to_string(message_two.size()) +
                  "}\r\n" + message_two + ")\r\nd OK FETCH completed\r\n");
    // Another session sees the flags; a read-only one does not set \Seen.
    auto t = login();
    t.send("e EXAMINE INBOX\r\n");
    EXPECT_EQ(
        t.send("f FETCH 1:2 FLAGS\r\n"),
        "* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS (\\Seen))\r\nf OK FETCH completed\r\n");
    s.send("g STORE 1:2 -FLAGS.SILENT (\\Seen)\r\n");
    // The other session's changes come first, then the response.
    EXPECT_EQ(t.send("h FETCH 1 (RFC822.TEXT FLAGS)\r\n"),
              "* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS ())\r\n"
              "* 1 FETCH (RFC822.TEXT {30}\r\nFirst body line\r\nSecond line\r\n FLAGS ())\r\n"
              "h OK FETCH completed\r\n");
}

TEST_F(imap_test, fetch_sections)
{
    auto s = selected();
    const std::string header1 = message_one.substr(0, message_one.find("\r\n\r\n") + 4);
    EXPECT_EQ(s.send("a FETCH 1 (BODY.PEEK[HEADER])\r\n"),
              "* 1 FETCH (BODY[HEADER] {" + std::to_string(header1.size()) + "}\r\n" + header1 +
                  ")\r\na OK FETCH completed\r\n");
    EXPECT_EQ(s.send("b FETCH 1 RFC822.HEADER\r\n"), "* 1 FETCH (RFC822.HEADER {" +
                                                         std::to_string(header1.size()) + "}\r\n" +
                                                         header1 + ")\r\nb OK FETCH completed\r\n");
    EXPECT_EQ(s.send("c FETCH 2 BODY.PEEK[TEXT]\r\n"),
              "* 2 FETCH (BODY[TEXT] {25}\r\nThe report is attached.\r\n)\r\nc OK FETCH "
              "completed\r\n");
    EXPECT_EQ(s.send("d FETCH 2 BODY.PEEK[HEADER.FIELDS (subject \"FROM\" X-None)]\r\n"),
              "* 2 FETCH (BODY[HEADER.FIELDS (subject FROM X-None)] {72}\r\n"
              "From: \"Carol Q\" <carol@example.com>\r\nSubject: Re: report\r\n\tcontinued\r\n"
              "\r\n)\r\nd OK FETCH completed\r\n");
    EXPECT_EQ(s.send("e FETCH 2 BODY.PEEK[HEADER.FIELDS.NOT (From Subject Date To)]\r\n"),
              "* 2 FETCH (BODY[HEADER.FIELDS.NOT (From Subject Date To)] {25}\r\n"
              "Cc: carol@example.com\r\n\r\n)\r\ne OK FETCH completed\r\n");
    EXPECT_EQ(s.send("f FETCH 1 BODY.PEEK[]<6.5>\r\n"),
              "* 1 FETCH (BODY[]<6> {5}\r\nAlice)\r\nf OK FETCH completed\r\n");
    EXPECT_EQ(s.send("g FETCH 1 BODY.PEEK[TEXT]<25.100>\r\n"),
              "* 1 FETCH (BODY[TEXT]<25> {5}\r\nine\r\n)\r\ng OK FETCH completed\r\n");
    EXPECT_EQ(s.send("h FETCH 1 BODY.PEEK[TEXT]<900.10>\r\n"),
              "* 1 FETCH (BODY[TEXT]<900> {0}\r\n)\r\nh OK FETCH completed\r\n");
    EXPECT_EQ(s.send("i FETCH 1 BODY.PEEK[HEADER.FIELDS (Subject)]<2.5>\r\n"),
              "* 1 FETCH (BODY[HEADER.FIELDS (Subject)]<2> {5}\r\nbject)\r\ni OK FETCH "
              "completed\r\n");
    EXPECT_EQ(s.send("j FETCH 1 FLAGS\r\n"),
              "* 1 FETCH (FLAGS (\\Recent))\r\nj OK FETCH completed\r\n");
}

TEST_F(imap_test, fetch_envelope_and_macros)
{
    auto s = selected();
    const std::string env1 =
        "ENVELOPE (\"Sun, 11 Feb 2024 18:30:00 -0500\" \"Hello there\" "
        "((\"Alice\" NIL \"alice\" \"example.org\")) ((\"Alice\" NIL \"alice\" \"example.org\")) "
        "((\"Alice\" NIL \"alice\" \"example.org\")) ((\"Bob\" NIL \"bob\" \"example.com\")) NIL "
        "NIL NIL \"<1@example.org>\")";
    EXPECT_EQ(s.send("a FETCH 1 ENVELOPE\r\n"),
              "* 1 FETCH (" + env1 + ")\r\na OK FETCH completed\r\n");
    EXPECT_EQ(s.send("b FETCH 1 ALL\r\n"),
              "* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"10-Feb-2024 10:00:00 +0000\" "
              "RFC822.SIZE " +
                  std::to_string(message_one.size()) + " " + env1 +
                  ")\r\nb OK FETCH completed\r\n");
    EXPECT_EQ(s.send("c FETCH 2 fast\r\n"),
              "* 2 FETCH (FLAGS (\\Recent) INTERNALDATE \"12-Feb-2024 09:00:00 +0000\" "
              "RFC822.SIZE " +
                  std::to_string(message_two.size()) + ")\r\nc OK FETCH completed\r\n");
}

TEST_F(imap_test, fetch_mime_parts_and_structure)
{
    const std::string mixed = "From: a@b\r\nSubject: mixed\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
                              "\r\n"
                              "preamble\r\n"
                              "--outer\r\n"
                              "Content-Type: multipart/alternative; boundary=inner\r\n"
                              "\r\n"
                              "--inner\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"
                              "\r\n"
                              "plain text\r\n"
                              "--inner\r\n"
                              "Content-Type: text/html\r\n"
                              "\r\n"
                              "<p>html</p>\r\n"
                              "--inner--\r\n"
                              "--outer\r\n"
                              "Content-Type: application/pdf; name=\"r.pdf\"\r\n"
                              "Content-Disposition: attachment; filename=\"r.pdf\"\r\n"
                              "Content-Transfer-Encoding: base64\r\n"
                              "Content-ID: <pdf@x>\r\n"
                              "Content-Language: en, de\r\n"
                              "\r\n"
                              "JVBERi0=\r\n"
                              "--outer\r\n"
                              "Content-Type: message/rfc822\r\n"
                              "\r\n"
                              "From: c@d\r\nSubject: inner\r\n\r\ninner body\r\n"
                              "--outer--\r\n"
                              "epilogue\r\n";
    world_.add({"mime@example.com"}, mixed, 10s);
    auto s = login("mime");
    s.send("a SELECT INBOX\r\n");
    const std::string alternative =
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)"
        "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 11 1 NIL NIL NIL NIL) \"ALTERNATIVE\" "
        "(\"BOUNDARY\" \"inner\") NIL NIL NIL)";
    const std::string pdf =
        "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") \"<pdf@x>\" NIL \"BASE64\" 8 "
        "NIL (\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) (\"en\" \"de\") NIL)";
    const std::string rfc822 =
        "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 39 (NIL \"inner\" ((NIL NIL \"c\" \"d\")) "
        "((NIL NIL \"c\" \"d\")) ((NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" "
        "(\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)";
    EXPECT_EQ(s.send("b FETCH 1 BODYSTRUCTURE\r\n"),
              "* 1 FETCH (BODYSTRUCTURE (" + alternative + pdf + rfc822 +
                  " \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL))\r\nb OK FETCH completed\r\n");
    EXPECT_EQ(
        s.send("c FETCH 1 BODY\r\n"),
        "* 1 FETCH (BODY (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 10 1)"
        "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 11 1) \"ALTERNATIVE\")"
        "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") \"<pdf@x>\" NIL \"BASE64\" 8)"
        "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 39 (NIL \"inner\" ((NIL NIL \"c\" \"d\")) "
        "((NIL NIL \"c\" \"d\")) ((NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" "
        "(\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1) 4) \"MIXED\"))\r\n"
        "c OK FETCH completed\r\n");
    const std::vector<std::pair<std::string, std::string>> sections = {
        {"1.1", "BODY[1.1] {10}\r\nplain text"},
        {"1.2", "BODY[1.2] {11}\r\n<p>html</p>"},
        {"1.2.MIME", "BODY[1.2.MIME] {27}\r\nContent-Type: text/html\r\n\r\n"},
        {"2", "BODY[2] {8}\r\nJVBERi0="},
        {"3", "BODY[3] {39}\r\nFrom: c@d\r\nSubject: inner\r\n\r\ninner body"},
        {"3.HEADER", "BODY[3.HEADER] {29}\r\nFrom: c@d\r\nSubject: inner\r\n\r\n"},
        {"3.TEXT", "BODY[3.TEXT] {10}\r\ninner body"},
        {"3.1", "BODY[3.1] {10}\r\ninner body"},
        {"3.HEADER.FIELDS (Subject)",
         "BODY[3.HEADER.FIELDS (Subject)] {18}\r\nSubject: inner\r\n\r\n"},
        {"1.MIME",
         "BODY[1.MIME] {55}\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"},
        {"2.TEXT", "BODY[2.TEXT] NIL"},
        {"4", "BODY[4] NIL"},
        {"1.3", "BODY[1.3] NIL"},
        {"TEXT", "BODY[TEXT] {" + std::to_string(mixed.size() - mixed.find("preamble")) + "}\r\n" +
                     mixed.substr(mixed.find("preamble"))},
    };
    for (const auto& [section, response] : sections) {
        EXPECT_EQ(s.send("d UID FETCH 1 BODY.PEEK[" + section + "]\r\n"),
                  "* 1 FETCH (UID 1 " + response + ")\r\nd OK UID FETCH completed\r\n")
            << section;
    }
    EXPECT_EQ(
        s.send("e FETCH 1 (BODY[2]<4.100> FLAGS)\r\n"),
        "* 1 FETCH (BODY[2]<4> {4}\r\nRi0= FLAGS (\\Seen \\Recent))\r\ne OK FETCH completed\r\n");
    // A single-part message: part 1 is its body.
    auto t = selected();
    EXPECT_EQ(t.send("f FETCH 1 (BODYSTRUCTURE BODY.PEEK[1])\r\n"),
              "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL "
              "\"7BIT\" 30 "
              "2 NIL NIL NIL NIL) BODY[1] {30}\r\nFirst body line\r\nSecond line\r\n)\r\n"
              "f OK FETCH completed\r\n");
    EXPECT_EQ(t.send("g FETCH 2 FULL\r\n").substr(0, 60),
              "* 2 FETCH (FLAGS (\\Recent) INTERNALDATE \"12-Feb-2024 09:00:0");
}

TEST_F(imap_test, fetch_errors)
{
    auto s = selected();
    EXPECT_EQ(s.send("a FETCH 3 FLAGS\r\n"),
              "a BAD Error in IMAP command FETCH: a message number is over 2, the number of "
              "messages in the folder\r\n");
    EXPECT_EQ(s.send("b FETCH 0 FLAGS\r\n"),
              "b BAD Error in IMAP command FETCH: expected a message number or \"*\" at octet "
              "8\r\n");
    EXPECT_EQ(s.send("c FETCH 1 (FLAGS\r\n"),
              "c BAD Error in IMAP command FETCH: expected \")\" ending the list of FETCH items "
              "at octet 16\r\n");
    EXPECT_EQ(s.send("d FETCH 1 BINARY[]\r\n"),
              "d BAD Error in IMAP command FETCH: expected a FETCH item (ENVELOPE, FLAGS, "
              "INTERNALDATE, RFC822, RFC822.HEADER, RFC822.SIZE, RFC822.TEXT, UID, BODY, "
              "BODYSTRUCTURE, BODY[...], BODY.PEEK[...]) at octet 10\r\n");
    EXPECT_EQ(s.send("e FETCH 1 BODY[0]\r\n"),
              "e BAD Error in IMAP command FETCH: expected a part number from 1 to 4294967295 at "
              "octet 15\r\n");
    EXPECT_EQ(s.send("f FETCH 1 BODY[]<1>\r\n"),
              "f BAD Error in IMAP command FETCH: expected \".\" in a partial fetch at octet "
              "18\r\n");
    EXPECT_EQ(s.send("g FETCH 1 BODY[HEADER.FIELDS ()]\r\n"),
              "g BAD Error in IMAP command FETCH: expected a header field name at octet 30\r\n");
    EXPECT_EQ(s.send("h FETCH 1 (FULL)\r\n").substr(0, 75),
              "h BAD Error in IMAP command FETCH: expected a FETCH item (ENVELOPE, FLAGS, ");
    EXPECT_EQ(s.send("i FETCH 1\r\n"),
              "i BAD Error in IMAP command FETCH: expected a space at octet 9\r\n");
    EXPECT_EQ(s.send("j FETCH * FLAGS\r\n"),
              "* 2 FETCH (FLAGS (\\Recent))\r\nj OK FETCH completed\r\n");
}

TEST_F(imap_test, uid_fetch_adds_the_uid_and_ignores_missing_uids)
{
    auto s = selected();
    EXPECT_EQ(s.send("a UID FETCH 2:9 FLAGS\r\n"),
              "* 2 FETCH (UID 2 FLAGS (\\Recent))\r\na OK UID FETCH completed\r\n");
    EXPECT_EQ(s.send("b UID FETCH 7:* (FLAGS UID)\r\n"),
              "* 2 FETCH (FLAGS (\\Recent) UID 2)\r\nb OK UID FETCH completed\r\n");
    EXPECT_EQ(s.send("c UID FETCH 5 FLAGS\r\n"), "c OK UID FETCH completed\r\n");
    EXPECT_EQ(s.send("d uid fetch 1,2 (BODY.PEEK[HEADER.FIELDS (Message-ID)])\r\n"),
              "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (Message-ID)] {31}\r\n"
              "Message-ID: <1@example.org>\r\n\r\n)\r\n"
              "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (Message-ID)] {2}\r\n\r\n)\r\n"
              "d OK UID FETCH completed\r\n");
    EXPECT_EQ(s.send("e UID XYZ 1\r\n"),
              "e BAD Error in IMAP command UID: expected COPY, FETCH, MOVE, SEARCH, STORE or "
              "EXPUNGE after UID at octet 9\r\n");
}

// --- SEARCH --------------------------------------------------------------------------------

TEST_F(imap_test, search_by_flags_headers_and_dates)
{
    auto s = selected();
    s.send("x STORE 2 +FLAGS.SILENT (\\Seen \\Flagged)\r\n");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ALL", " 1 2"},
        {"UNSEEN", " 1"},
        {"SEEN", " 2"},
        {"FLAGGED", " 2"},
        {"UNFLAGGED ANSWERED", ""},
        {"RECENT", " 1 2"},
        {"NEW", " 1"},
        {"OLD", ""},
        {"SUBJECT hello", " 1"},
        {"SUBJECT \"REPORT\tCONTINUED\"", " 2"},
        {"FROM carol", " 2"},
        {"FROM \"alice@example.org\"", " 1"},
        {"TO bob", " 1 2"},
        {"CC carol", " 2"},
        {"BCC carol", ""},
        {"HEADER Message-ID \"<1@\"", " 1"},
        {"HEADER Message-ID \"\"", " 1"},
        {"BODY attached", " 2"},
        {"BODY Subject", ""},
        {"TEXT subject", " 1 2"},
        {"SINCE 10-Feb-2024", " 1 2"},
        {"SINCE 11-Feb-2024", " 2"},
        {"BEFORE 11-Feb-2024", " 1"},
        {"BEFORE 10-Feb-2024", ""},
        {"ON 12-Feb-2024", " 2"},
        {"ON \"10-Feb-2024\"", " 1"},
        {"SENTON 11-Feb-2024", " 1"},
        {"SENTSINCE 12-Feb-2024", " 2"},
        {"SENTBEFORE 12-Feb-2024", " 1"},
        {"LARGER 181", " 1"},
        {"SMALLER 181", " 2"},
        {"UID 2", " 2"},
        {"UID 5:*", " 2"},
        {"2:*", " 2"},
        {"1,2", " 1 2"},
        {"KEYWORD $Junk", ""},
        {"UNKEYWORD $Junk", " 1 2"},
        {"NOT SEEN", " 1"},
        {"NOT NOT SEEN", " 2"},
        {"OR SEEN FROM alice", " 1 2"},
        {"OR FROM nobody SUBJECT nothing", ""},
        {"SEEN FROM carol", " 2"},
        {"SEEN FROM alice", ""},
        {"(SEEN FROM carol)", " 2"},
        {"NOT (SEEN FLAGGED)", " 1"},
        {"OR (UNSEEN SUBJECT hello) (FLAGGED SINCE 1-Jan-2030)", " 1"},
        {"CHARSET UTF-8 TO bob", " 1 2"},
        {"charset us-ascii ALL", " 1 2"},
    };
    for (const auto& [criteria, result] : cases) {
        EXPECT_EQ(s.send("a SEARCH " + criteria + "\r\n"),
                  "* SEARCH" + result + "\r\na OK SEARCH completed\r\n")
            << criteria;
    }
    EXPECT_EQ(s.send("b UID SEARCH NOT UID 1\r\n"), "* SEARCH 2\r\nb OK UID SEARCH completed\r\n");
}

TEST_F(imap_test, search_errors)
{
    auto s = selected();
    EXPECT_EQ(s.send("a SEARCH CHARSET KOI8-R ALL\r\n"),
              "a NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
    EXPECT_EQ(s.send("b SEARCH\r\n"),
              "b BAD Error in IMAP command SEARCH: expected a space at octet 8\r\n");
    EXPECT_EQ(s.send("c SEARCH FROM\r\n"),
              "c BAD Error in IMAP command SEARCH: expected a space at octet 13\r\n");
    EXPECT_EQ(s.send("d SEARCH SINCE 31-Feb-2024\r\n"),
              "d BAD Error in IMAP command SEARCH: expected a valid date such as 1-Feb-2024 at "
              "octet 15\r\n");
    EXPECT_EQ(s.send("e SEARCH SINCE 1-Foo-2024\r\n"),
              "e BAD Error in IMAP command SEARCH: expected a month name (Jan ... Dec) at octet "
              "17\r\n");
    EXPECT_EQ(s.send("f SEARCH FOO\r\n"),
              "f BAD Error in IMAP command SEARCH: expected a search key (ALL, SEEN, FROM, SINCE, "
              "UID, NOT, OR ...) at octet 9\r\n");
    EXPECT_EQ(s.send("g SEARCH (SEEN\r\n"),
              "g BAD Error in IMAP command SEARCH: expected \")\" closing the search criteria at "
              "octet 14\r\n");
    EXPECT_EQ(s.send("h SEARCH OR SEEN\r\n"),
              "h BAD Error in IMAP command SEARCH: expected a space at octet 16\r\n");
    std::string deep;
    for (int i = 0; i < 40; ++i) {
        deep += "NOT ";
    }
    EXPECT_EQ(s.send("i SEARCH " + deep + "ALL\r\n"),
              "i BAD Error in IMAP command SEARCH: expected search criteria nested less deeply "
              "at octet 137\r\n");
    EXPECT_EQ(s.send("j SEARCH " + std::string(50, '(') + "ALL" + std::string(50, ')') + "\r\n")
                  .substr(0, 41),
              "j BAD Error in IMAP command SEARCH: expec");
    EXPECT_EQ(s.send("k SEARCH ALL \r\n"),
              "k BAD Error in IMAP command SEARCH: expected a search key at octet 13\r\n");
}

// --- STORE, EXPUNGE, CLOSE, UNSELECT, COPY, MOVE ---------------------------------------------

TEST_F(imap_test, store_changes_flags)
{
    auto s = selected();
    EXPECT_EQ(s.send("a STORE 1 FLAGS (\\Seen \\Draft)\r\n"),
              "* 1 FETCH (FLAGS (\\Seen \\Draft \\Recent))\r\na OK STORE completed\r\n");
    EXPECT_EQ(s.send("b STORE 1:2 +FLAGS \\Answered \\Flagged\r\n"),
              "* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged \\Draft \\Recent))\r\n"
              "* 2 FETCH (FLAGS (\\Answered \\Flagged \\Recent))\r\nb OK STORE completed\r\n");
    EXPECT_EQ(s.send("c STORE 1 -FLAGS (\\Draft \\Answered $Label)\r\n"),
              "* 1 FETCH (FLAGS (\\Seen \\Flagged \\Recent))\r\nc OK STORE completed\r\n");
    EXPECT_EQ(s.send("d STORE 2 +FLAGS.SILENT (\\Deleted)\r\n"), "d OK STORE completed\r\n");
    EXPECT_EQ(s.send("e UID STORE 2 -FLAGS (\\Flagged)\r\n"),
              "* 2 FETCH (UID 2 FLAGS (\\Answered \\Deleted \\Recent))\r\n"
              "e OK UID STORE completed\r\n");
    EXPECT_EQ(s.send("f STORE 1 FLAGS ()\r\n"),
              "* 1 FETCH (FLAGS (\\Recent))\r\nf OK STORE completed\r\n");
    EXPECT_EQ(s.send("g STORE 1 +FLAGS (\\Recent)\r\n"),
              "g BAD Error in IMAP command STORE: expected a flag that can be stored (\\Recent "
              "cannot) at octet 18\r\n");
    EXPECT_EQ(s.send("h STORE 1 LABELS (x)\r\n"),
              "h BAD Error in IMAP command STORE: expected FLAGS or FLAGS.SILENT at octet 10\r\n");
    EXPECT_EQ(s.send("i STORE 1 +FLAGS\r\n"),
              "i BAD Error in IMAP command STORE: expected a space at octet 16\r\n");
    auto t = login();
    t.send("x EXAMINE INBOX\r\n");
    EXPECT_EQ(t.send("j STORE 1 +FLAGS (\\Seen)\r\n"),
              "j NO [READ-ONLY] The folder is selected with EXAMINE\r\n");
}

TEST_F(imap_test, expunge_removes_deleted_messages)
{
    auto s = selected();
    EXPECT_EQ(s.send("a EXPUNGE\r\n"), "a OK EXPUNGE completed\r\n");
    s.send("b STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
    EXPECT_EQ(s.send("c EXPUNGE\r\n"),
              "* 2 EXPUNGE\r\n* 1 EXPUNGE\r\n* 0 RECENT\r\nc OK EXPUNGE completed\r\n");
    EXPECT_EQ(s.send("d FETCH 1 FLAGS\r\n"),
              "d BAD Error in IMAP command FETCH: a message number is over 0, the number of "
              "messages in the folder\r\n");
    // Bob's maildrop lost both; Carol keeps message 2 (POP3 and IMAP share the maildrop).
    ASSERT_EQ(world_.removed.size(), 2u);
    EXPECT_EQ(world_.removed[0], (std::pair<std::string, std::string>{"1", "bob@example.com"}));
    auto carol = open();
    carol.send("L LOGIN carol pw\r\n");
    EXPECT_EQ(carol.send("e STATUS INBOX (MESSAGES)\r\n"),
              "* STATUS INBOX (MESSAGES 1)\r\ne OK STATUS completed\r\n");
}

TEST_F(imap_test, uid_expunge_removes_only_the_named_messages)
{
    auto s = selected();
    s.send("a STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
    EXPECT_EQ(s.send("b UID EXPUNGE 2\r\n"),
              "* 2 EXPUNGE\r\n* 1 RECENT\r\nb OK UID EXPUNGE completed\r\n");
    EXPECT_EQ(s.send("c UID EXPUNGE\r\n"),
              "c BAD Error in IMAP command UID EXPUNGE: expected a space at octet 13\r\n");
    auto t = login();
    t.send("x EXAMINE INBOX\r\n");
    EXPECT_EQ(t.send("d EXPUNGE\r\n"), "d NO [READ-ONLY] The folder is selected with EXAMINE\r\n");
}

TEST_F(imap_test, close_expunges_silently_and_unselect_does_not)
{
    auto s = selected();
    s.send("a STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
    EXPECT_EQ(s.send("b UNSELECT\r\n"), "b OK UNSELECT completed\r\n");
    EXPECT_EQ(s.session().current_state(), imap_session::state::authenticated);
    EXPECT_EQ(s.send("c STATUS INBOX (MESSAGES)\r\n"),
              "* STATUS INBOX (MESSAGES 2)\r\nc OK STATUS completed\r\n");
    s.send("d SELECT INBOX\r\n");
    EXPECT_EQ(s.send("e CLOSE\r\n"), "e OK CLOSE completed\r\n");
    EXPECT_EQ(s.send("f STATUS INBOX (MESSAGES)\r\n"),
              "* STATUS INBOX (MESSAGES 1)\r\nf OK STATUS completed\r\n");
    EXPECT_EQ(s.send("g CLOSE\r\n"), "g BAD CLOSE needs a selected folder\r\n");
    // EXAMINE then CLOSE expunges nothing.
    auto t = login();
    t.send("h SELECT INBOX\r\n");
    t.send("i STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
    t.send("j EXAMINE INBOX\r\n");
    EXPECT_EQ(t.send("k CLOSE\r\n"), "k OK CLOSE completed\r\n");
    EXPECT_EQ(t.send("l STATUS INBOX (MESSAGES)\r\n"),
              "* STATUS INBOX (MESSAGES 1)\r\nl OK STATUS completed\r\n");
}

TEST_F(imap_test, copy_and_move_between_inbox_and_junk)
{
    auto s = selected();
    s.send("a STORE 2 +FLAGS.SILENT (\\Flagged)\r\n");
    EXPECT_EQ(s.send("b COPY 1:2 Junk\r\n"),
              "b OK [COPYUID 1707732000 1:2 1:2] COPY completed\r\n");
    EXPECT_EQ(s.send("c UID MOVE 2 Junk\r\n"),
              "* OK [COPYUID 1707732000 2 3] Moved\r\n* 2 EXPUNGE\r\n* 1 RECENT\r\n"
              "c OK UID MOVE completed\r\n");
    EXPECT_EQ(s.send("d COPY 1 Spam\r\n"),
              "d NO [TRYCREATE] No such folder (there are INBOX and Junk)\r\n");
    EXPECT_EQ(s.send("e COPY 1 INBOX\r\n"),
              "* 2 EXISTS\r\n* 2 RECENT\r\ne OK [COPYUID 1707732000 1 3] COPY completed\r\n");
    EXPECT_EQ(s.send("f SELECT Junk\r\n"),
              "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
              "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Flags "
              "permitted\r\n* 3 EXISTS\r\n* 3 RECENT\r\n* OK [UNSEEN 1] First unseen\r\n"
              "* OK [UIDVALIDITY 1707732000] UIDs valid\r\n"
              "* OK [UIDNEXT 4] Predicted next UID\r\nf OK [READ-WRITE] SELECT completed\r\n");
    EXPECT_EQ(s.send("g FETCH 1:3 (UID FLAGS)\r\n"),
              "* 1 FETCH (UID 1 FLAGS (\\Recent))\r\n"
              "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\n"
              "* 3 FETCH (UID 3 FLAGS (\\Flagged \\Recent))\r\ng OK FETCH completed\r\n");
    EXPECT_EQ(s.send("h MOVE 1:* INBOX\r\n"),
              "* OK [COPYUID 1707732000 1:3 4:6] Moved\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\n"
              "* 1 EXPUNGE\r\n* 0 RECENT\r\nh OK MOVE completed\r\n");
    EXPECT_EQ(s.send("i MOVE 1 INBOX\r\n"),
              "i BAD Error in IMAP command MOVE: a message number is over 0, the number of "
              "messages in the folder\r\n");
    EXPECT_EQ(s.send("j UID COPY 1:* INBOX\r\n"), "j OK UID COPY completed\r\n");
}

// --- News from other sessions and the driver -------------------------------------------------

TEST_F(imap_test, news_from_another_session)
{
    auto s = selected();
    auto t = login();
    t.send("a SELECT INBOX\r\n");
    t.send("b STORE 1 +FLAGS.SILENT (\\Flagged)\r\n");
    EXPECT_EQ(s.send("c NOOP\r\n"),
              "* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\nc OK NOOP completed\r\n");
    // An expunge by the other session is not announced during FETCH, STORE or SEARCH
    // (RFC 3501 §7.4.1); the message stays fetchable until NOOP announces it.
    t.send("d STORE 1 +FLAGS.SILENT (\\Deleted)\r\ne EXPUNGE\r\n");
    world_.add({"bob@example.com"}, "Subject: new\r\n\r\nnew\r\n", 0s);
    EXPECT_EQ(s.send("f FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (Subject)])\r\n"),
              "* 3 EXISTS\r\n* 3 RECENT\r\n"
              "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (Subject)] {24}\r\nSubject: Hello there\r\n"
              "\r\n)\r\nf OK FETCH completed\r\n");
    EXPECT_EQ(s.send("g SEARCH ALL\r\n"), "* SEARCH 1 2 3\r\ng OK SEARCH completed\r\n");
    // A UID command has no sequence numbers to disturb: the removal is announced first.
    EXPECT_EQ(s.send("h UID SEARCH ALL\r\n"),
              "* 1 EXPUNGE\r\n* 2 RECENT\r\n* SEARCH 2 3\r\nh OK UID SEARCH completed\r\n");
    EXPECT_EQ(s.send("i NOOP\r\n"), "i OK NOOP completed\r\n");
}

TEST_F(imap_test, idle_reports_new_mail_when_the_driver_says_so)
{
    auto s = selected();
    EXPECT_EQ(s.send("a IDLE\r\n"), "+ idling\r\n");
    ASSERT_TRUE(s.reading());
    EXPECT_EQ(s.read_deadline(), s.now + 2s); // the poll interval
    EXPECT_EQ(s.mailbox_changed(), "");
    world_.add({"bob@example.com"}, "Subject: new\r\n\r\nnew\r\n", 0s);
    EXPECT_EQ(s.mailbox_changed(), "* 3 EXISTS\r\n* 3 RECENT\r\n");
    EXPECT_TRUE(s.reading());
    EXPECT_EQ(s.send("DONE\r\n"), "a OK IDLE completed\r\n");
    // Outside IDLE the event changes nothing until the next command.
    world_.add({"bob@example.com"}, "Subject: newer\r\n\r\n", 0s);
    EXPECT_EQ(s.mailbox_changed(), "");
    EXPECT_EQ(s.send("b NOOP\r\n"), "* 4 EXISTS\r\n* 4 RECENT\r\nb OK NOOP completed\r\n");
    // A write in progress: nothing to do now.
    auto a = s.session().on_read("c NOOP\r\n", s.now);
    ASSERT_TRUE(std::holds_alternative<mock::imap::write_action>(a));
    EXPECT_FALSE(s.session().on_mailbox_changed(s.now));
    s.run(s.session().on_written(s.now));
    EXPECT_TRUE(s.reading());
}

TEST_F(imap_test, idle_polls_and_reports_expunges)
{
    auto s = selected();
    EXPECT_EQ(s.send("a IDLE\r\n"), "+ idling\r\n");
    EXPECT_EQ(s.timeout(), ""); // nothing new after one poll interval
    EXPECT_EQ(s.read_deadline(), s.now + 2s);
    auto t = login();
    t.send("b SELECT INBOX\r\nc STORE 2 +FLAGS.SILENT (\\Deleted \\Seen)\r\nd EXPUNGE\r\n");
    world_.add({"bob@example.com"}, "Subject: new\r\n\r\nnew\r\n", 0s);
    EXPECT_EQ(s.timeout(), "* 2 EXPUNGE\r\n* 2 EXISTS\r\n");
    EXPECT_EQ(s.send("done\r\n"), "a OK IDLE completed\r\n");
    EXPECT_EQ(s.send("e IDLE\r\n"), "+ idling\r\n");
    EXPECT_EQ(s.send("NOT DONE\r\n"), "e BAD Expected DONE to end IDLE\r\n");
    EXPECT_EQ(s.send("f NOOP\r\n"), "f OK NOOP completed\r\n");
}

TEST_F(imap_test, idle_without_a_selected_folder_waits_for_done)
{
    auto s = login();
    EXPECT_EQ(s.send("a IDLE\r\n"), "+ idling\r\n");
    EXPECT_EQ(s.read_deadline(), s.now + 30min);
    EXPECT_EQ(s.send("DONE\r\n"), "a OK IDLE completed\r\n");
    EXPECT_EQ(s.send("b IDLE x\r\n"),
              "b BAD Error in IMAP command IDLE: expected the end of the command at octet 6\r\n");
}

TEST_F(imap_test, idle_wakes_when_a_held_back_delivery_falls_due)
{
    world_.policy = [](const mock::captured_message& m, std::string_view) {
        mock::imap::delivery d;
        if (m.data.find("later") != std::string::npos) {
            d.delay = 90s;
        }
        return std::vector<mock::imap::delivery>{d};
    };
    world_.reset_mailboxes();
    world_.add({"bob@example.com"}, "Subject: later\r\n\r\n", 0s);
    mock::imap::session_config config;
    config.idle_poll = 10min; // only the delivery wakes it
    auto s = login("bob", config);
    EXPECT_NE(s.send("a SELECT INBOX\r\n").find("* 2 EXISTS"), std::string::npos);
    EXPECT_EQ(s.send("b IDLE\r\n"), "+ idling\r\n");
    EXPECT_EQ(s.read_deadline(), s.now + 90s);
    world_.wall += 90s;
    EXPECT_EQ(s.timeout(), "* 3 EXISTS\r\n* 3 RECENT\r\n");
    EXPECT_EQ(s.read_deadline(), s.now + 10min);
}

// --- Timers, shutdown, errors -----------------------------------------------------------------

TEST_F(imap_test, autologout_after_thirty_minutes)
{
    auto s = login();
    EXPECT_EQ(s.read_deadline(), s.now + 30min);
    s.now += 10min;
    s.send("a NOOP\r\n");
    EXPECT_EQ(s.read_deadline(), s.now + 30min);
    EXPECT_EQ(s.timeout(), "* BYE Autologout; idle for too long\r\n");
    EXPECT_TRUE(s.closed());
    // IDLE counts as idle too (RFC 2177 §3: clients re-issue it within 29 minutes).
    auto t = selected();
    t.send("b IDLE\r\n");
    std::string out;
    for (int i = 0; i < 1000 && t.reading(); ++i) {
        out += t.timeout();
    }
    EXPECT_EQ(out, "* BYE Autologout; idle for too long\r\n");
    EXPECT_TRUE(t.closed());
}

TEST_F(imap_test, write_timeout_and_shutdown)
{
    auto s = open();
    s.run(s.session().on_read("a NOOP\r\n", s.now));
    // The write of the reply times out: the client is not reading.
    mock::imap::session_config config;
    imap_script t(*world_.mailboxes, config);
    auto a = t.session().start(t.now);
    ASSERT_TRUE(std::holds_alternative<mock::imap::write_action>(a));
    EXPECT_EQ(std::get<mock::imap::write_action>(a).deadline, t.now + 5min);
    EXPECT_TRUE(std::holds_alternative<mock::imap::close_action>(t.session().on_timeout(t.now)));
    // Shutdown says BYE, then closes.
    auto u = selected();
    u.run(u.session().on_shutdown(u.now));
    EXPECT_EQ(u.take(), "* BYE Server shutting down\r\n");
    EXPECT_TRUE(u.closed());
}

TEST_F(imap_test, peer_close_and_io_errors_end_the_session)
{
    auto s = selected();
    EXPECT_TRUE(
        std::holds_alternative<mock::imap::close_action>(s.session().on_peer_closed(s.now)));
    EXPECT_TRUE(s.session().finished());
    EXPECT_TRUE(
        std::holds_alternative<mock::imap::close_action>(s.session().on_read("a NOOP\r\n", s.now)));
    auto t = selected();
    EXPECT_TRUE(std::holds_alternative<mock::imap::close_action>(t.session().on_io_error(t.now)));
    EXPECT_TRUE(std::holds_alternative<mock::imap::close_action>(t.session().on_written(t.now)));
    EXPECT_TRUE(
        std::holds_alternative<mock::imap::close_action>(t.session().on_tls_done(true, t.now)));
    EXPECT_TRUE(std::holds_alternative<mock::imap::close_action>(t.session().on_shutdown(t.now)));
}

// --- Literals and limits ----------------------------------------------------------------------

TEST_F(imap_test, synchronizing_literals_at_and_over_the_limit)
{
    mock::imap::session_config config;
    config.limits.literal = 16;
    auto s = login("bob", config);
    s.send("s SELECT INBOX\r\n");
    EXPECT_EQ(s.send("a SEARCH SUBJECT {16}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(s.send("Hello there\r\nxyz\r\n"), "* SEARCH\r\na OK SEARCH completed\r\n");
    // Over the limit: refused at once, the client sends nothing more of it.
    EXPECT_EQ(s.send("b SEARCH SUBJECT {17}\r\n"),
              "b NO [TOOBIG] Literal of 17 octets is over the limit of 16 octets\r\n");
    EXPECT_EQ(s.send("c SEARCH SUBJECT {5}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(s.send("hello FROM {5}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(s.send("alice\r\n"), "* SEARCH 1\r\nc OK SEARCH completed\r\n");
    EXPECT_EQ(s.send("d SEARCH SUBJECT {4294967295}\r\n"),
              "d NO [TOOBIG] Literal of 4294967295 octets is over the limit of 16 octets\r\n");
    EXPECT_EQ(s.send("e SEARCH SUBJECT {2}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(s.send("xy SURPLUS\r\n"),
              "e BAD Error in IMAP command SEARCH: expected a search key (ALL, SEEN, FROM, SINCE, "
              "UID, NOT, OR ...) at octet 25\r\n");
}

TEST_F(imap_test, non_synchronizing_literals)
{
    mock::imap::session_config config;
    config.limits.literal = 16;
    auto s = open(config);
    // RFC 7888: no continuation request; the octets follow at once.
    EXPECT_EQ(s.send("a LOGIN {3+}\r\nbob {16+}\r\n0123456789abcdef\r\n"),
              "a OK [CAPABILITY " + caps_after_login + "] LOGIN completed\r\n");
    // Over the limit: read and dropped, then refused once the command ends.
    auto t = open(config);
    EXPECT_EQ(t.send("b LOGIN bob {17+}\r\n0123456789abcdefg"), "");
    EXPECT_EQ(t.send("\r\nc NOOP\r\n"),
              "b NO [TOOBIG] Literal of 17 octets is over the limit of 16 octets\r\n"
              "c OK NOOP completed\r\n");
    // Not offered: refused, the octets are dropped all the same.
    config.limits.literal_plus = false;
    auto u = open(config);
    EXPECT_EQ(u.send("d LOGIN bob {4+}\r\nab\r\n\r\nd2 NOOP\r\n"),
              "d BAD Non-synchronizing literals are not offered here (no LITERAL+)\r\n"
              "d2 OK NOOP completed\r\n");
}

TEST_F(imap_test, line_and_command_limits)
{
    mock::imap::session_config config;
    config.limits.line = 64;
    config.limits.command = 100;
    auto s = open(config);
    const std::string long_line = "a NOOP " + std::string(100, 'x');
    EXPECT_EQ(s.send(long_line.substr(0, 80)), "");
    EXPECT_EQ(s.send(long_line.substr(80) + "\r\nb NOOP\r\n"),
              "a BAD Command line too long (the limit is 64 octets)\r\nb OK NOOP completed\r\n");
    // An over-long line that ends with a literal's announcement: refused before the literal.
    EXPECT_EQ(s.send("c LOGIN " + std::string(70, 'u') + " {5}\r\n"),
              "c BAD Command line too long (the limit is 64 octets)\r\n");
    // Lines and literals together over the command limit.
    EXPECT_EQ(s.send("d LOGIN {40}\r\n"), "+ Ready for literal data\r\n");
    EXPECT_EQ(s.send(std::string(40, 'u') + " {40}\r\n"),
              "d BAD Command too long (the limit is 100 octets)\r\n");
    EXPECT_EQ(s.send("e LOGIN {40+}\r\n" + std::string(40, 'u') + " {40+}\r\n" +
                     std::string(40, 'p') + "\r\n"),
              "e BAD Command too long (the limit is 100 octets)\r\n");
    EXPECT_EQ(s.send("f NOOP\r\n"), "f OK NOOP completed\r\n");
    EXPECT_EQ(s.send(std::string(70, 'x') + "\r\n"),
              "* BAD Command line too long (the limit is 64 octets)\r\n");
}

TEST_F(imap_test, large_fetches_go_out_in_bounded_chunks)
{
    std::string big = "Subject: big\r\n\r\n";
    for (int i = 0; big.size() < 3 * 1024 * 1024; ++i) {
        big += "line " + std::to_string(i) + " of a large message\r\n";
    }
    for (int i = 0; i < 20; ++i) {
        world_.add({"erin@example.com"}, big, 10s);
    }
    mock::imap::session_config config;
    config.max_write = 16 * 1024;
    auto s = login("erin", config);
    s.send("a SELECT INBOX\r\n");
    s.writes.clear();
    const auto out = s.send("b FETCH 1:* (UID BODY.PEEK[])\r\n");
    std::string expected;
    for (int i = 1; i <= 20; ++i) {
        expected += "* " + std::to_string(i) + " FETCH (UID " + std::to_string(i) + " BODY[] {" +
                    std::to_string(big.size()) + "}\r\n" + big + ")\r\n";
    }
    expected += "b OK FETCH completed\r\n";
    EXPECT_TRUE(out == expected);
    EXPECT_EQ(out.size(), expected.size());
    ASSERT_FALSE(s.writes.empty());
    EXPECT_LE(*std::max_element(s.writes.begin(), s.writes.end()), config.max_write);
    EXPECT_GE(s.writes.size(), expected.size() / config.max_write);
}

TEST_F(imap_test, pipelined_commands_are_answered_in_order)
{
    auto s = open();
    EXPECT_EQ(s.send("a LOGIN bob x\r\nb SELECT INBOX\r\nc FETCH 2 UID\r\nd LOGOUT\r\ne NOOP\r\n"),
              "a OK [CAPABILITY " + caps_after_login + "] LOGIN completed\r\n" +
                  select_inbox_reply +
                  "b OK [READ-WRITE] SELECT completed\r\n* 2 FETCH (UID 2)\r\nc OK FETCH "
                  "completed\r\n* BYE localhost IMAP4rev1 server logging out\r\n"
                  "d OK LOGOUT completed\r\n");
    EXPECT_TRUE(s.closed());
}

// --- Split at every byte; an error at every step -----------------------------------------------

// A dialogue touching every input path: literals, LITERAL+, AUTHENTICATE's continuation,
// IDLE's DONE, FETCH and STORE.
const std::string full_script = "a1 CAPABILITY\r\n"
                                "a2 AUTHENTICATE PLAIN\r\n" +
                                smtp::base64_encode(std::string("\0carol\0pw", 9)) +
                                "\r\n"
                                "a3 LIST \"\" *\r\n"
                                "a4 SELECT {5}\r\nINBOX\r\n"
                                "a5 FETCH 1 (FLAGS BODY[HEADER.FIELDS (Subject)] ENVELOPE)\r\n"
                                "a6 SEARCH SUBJECT {6+}\r\nreport\r\n"
                                "a7 IDLE\r\nDONE\r\n"
                                "a8 UID STORE 2 +FLAGS (\\Deleted)\r\n"
                                "a9 COPY 1 Junk\r\n"
                                "b1 EXPUNGE\r\n"
                                "b2 LOGOUT\r\n";

// Runs `script` against a fresh world: once in one piece, then split in two at every byte.
TEST(imap_split, every_split_gives_the_same_dialogue)
{
    auto run = [](const std::vector<std::string_view>& pieces) {
        mock::test::imap_world w;
        w.users.add("carol", "pw");
        w.add({"carol@example.com"}, message_two, 1h);
        w.add({"carol@example.com"}, message_one, 1h);
        imap_script s(*w.mailboxes);
        std::string out = s.start();
        for (auto p : pieces) {
            out += s.send(p);
        }
        EXPECT_TRUE(s.closed());
        return out;
    };
    const auto reference = run({full_script});
    EXPECT_NE(reference.find("a5 OK FETCH"), std::string::npos) << reference;
    EXPECT_NE(reference.find("a7 OK IDLE"), std::string::npos);
    EXPECT_NE(reference.find("* 2 EXPUNGE"), std::string::npos);
    EXPECT_NE(reference.find("b2 OK LOGOUT"), std::string::npos);
    const std::string_view script(full_script);
    for (std::size_t cut = 1; cut < script.size(); ++cut) {
        ASSERT_EQ(run({script.substr(0, cut), script.substr(cut)}), reference) << "cut " << cut;
    }
    // One byte at a time.
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < script.size(); ++i) {
        bytes.push_back(script.substr(i, 1));
    }
    EXPECT_EQ(run(bytes), reference);
}

// At the n-th action, the driver reports a failure instead of carrying it out: the session
// closes at once (or, for a read that times out, says BYE and then closes) and asks nothing else.
TEST(imap_faults, an_error_at_every_step_ends_the_session)
{
    enum class fault { peer_closed, io_error, timeout };
    for (auto f : {fault::peer_closed, fault::io_error, fault::timeout}) {
        for (int step = 0;; ++step) {
            mock::test::imap_world w;
            w.users.add("carol", "pw");
            w.add({"carol@example.com"}, message_two, 1h);
            w.add({"carol@example.com"}, message_one, 1h);
            mock::imap::session_config config;
            config.tls_available = true;
            config.max_write = 40;
            imap_session s(*w.mailboxes, config);
            auto now = std::chrono::steady_clock::time_point{} + 1h;
            const std::string script = full_script;
            bool tls_asked = false;
            std::size_t fed = 0;
            int n = 0;
            bool injected = false;
            auto a = s.start(now);
            for (int guard = 0; guard < 100000; ++guard) {
                if (std::holds_alternative<mock::imap::close_action>(a)) {
                    break;
                }
                if (n++ == step) {
                    injected = true;
                    const bool reading = std::holds_alternative<mock::imap::read_action>(a);
                    if (f == fault::peer_closed) {
                        a = s.on_peer_closed(now);
                    } else if (f == fault::io_error) {
                        a = s.on_io_error(now);
                    } else {
                        now += 31min; // past every deadline
                        a = s.on_timeout(now);
                        if (reading) {
                            ASSERT_TRUE(std::holds_alternative<mock::imap::write_action>(a));
                            EXPECT_NE(std::get<mock::imap::write_action>(a).bytes.find("BYE"),
                                      std::string::npos);
                            a = s.on_written(now);
                        }
                    }
                    EXPECT_TRUE(std::holds_alternative<mock::imap::close_action>(a))
                        << "step " << step;
                    EXPECT_TRUE(s.finished());
                    break;
                }
                if (std::holds_alternative<mock::imap::write_action>(a)) {
                    a = s.on_written(now);
                } else if (std::holds_alternative<mock::imap::tls_action>(a)) {
                    a = s.on_tls_done(true, now);
                } else if (!tls_asked) {
                    tls_asked = true; // alone, so that nothing is dropped after it
                    a = s.on_read("t STARTTLS\r\n", now);
                } else if (fed < script.size()) {
                    auto piece = script.substr(fed, 7);
                    fed += piece.size();
                    a = s.on_read(piece, now);
                } else {
                    a = s.on_peer_closed(now);
                }
            }
            if (!injected) {
                // Every step had its fault; the dialogue ran to its end without one.
                EXPECT_GT(step, 80);
                EXPECT_TRUE(s.finished());
                break;
            }
        }
    }
}

} // namespace
