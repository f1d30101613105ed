// What real IMAP clients send, replayed against the session: Python's imaplib (3.11, as its
// source builds each command: a four-letter tag prefix with a counter, LOGIN with the password
// always quoted, STORE flags without parentheses, AUTHENTICATE waiting for "+ ", APPEND with a
// synchronizing literal) and mutt (2.2: SASL-IR when offered, CAPABILITY again after login,
// LIST "" "" for the delimiter, quoted mailbox names, its header FETCH, UID FETCH BODY.PEEK[],
// STATUS polling, IDLE with DONE and the next commands in one write, silent UID STOREs). Each
// client write is followed by the exact server response. Last, the probe's own IMAP verifier
// (verify/imap_client) talks to the session directly, both without I/O.
#include "imap_script.hpp"
#include "smtp/base64.hpp"
#include "verify/imap_client.hpp"

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

using namespace std::chrono_literals;
using mock::test::imap_script;

namespace {

const std::string status_report = "From: Alice <alice@example.org>\r\n"
                                  "To: bob@example.com\r\n"
                                  "Subject: Status\r\n"
                                  "Date: Mon, 12 Feb 2024 08:00:00 +0000\r\n"
                                  "Message-ID: <a1@example.org>\r\n"
                                  "\r\n"
                                  "All green.\r\n";
const std::string probe_42 = "From: monitor@example.net\r\n"
                             "To: bob@example.com\r\n"
                             "Subject: probe 42\r\n"
                             "\r\n"
                             "round trip\r\n";
const std::string probe_43 = "From: monitor@example.net\r\n"
                             "To: bob@example.com\r\n"
                             "Subject: probe 43\r\n"
                             "\r\n"
                             "round trip\r\n";

const std::string select_reply = "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                                 "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                                 "\\Draft)] Flags permitted\r\n"
                                 "* 2 EXISTS\r\n"
                                 "* 2 RECENT\r\n"
                                 "* OK [UNSEEN 1] First unseen\r\n"
                                 "* OK [UIDVALIDITY 1707732000] UIDs valid\r\n"
                                 "* OK [UIDNEXT 3] Predicted next UID\r\n";

const std::string caps = "IMAP4rev1 LITERAL+ IDLE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE";

struct exchange {
    std::string client;
    std::string server;
};

class imap_clients_test : public ::testing::Test {
protected:
    imap_clients_test()
    {
        world_.users.add("carol", "pw");
        world_.add({"bob@example.com"}, status_report, 2h);
        world_.add({"bob@example.com"}, probe_42, 1h);
    }

    void replay(imap_script& s, const std::vector<exchange>& transcript)
    {
        for (const auto& step : transcript) {
            EXPECT_EQ(s.send(step.client), step.server) << "C: " << step.client;
        }
    }

    mock::test::imap_world world_;
};

TEST_F(imap_clients_test, python_imaplib_reads_and_deletes)
{
    // M = imaplib.IMAP4(host, port); M.login(...); M.list(); M.select();
    // M.search(None, 'ALL'); M.fetch('1', '(RFC822)'); M.fetch('2', '(BODY.PEEK[...])');
    // M.uid('SEARCH', None, 'UNSEEN'); M.store('1', '+FLAGS', '\\Deleted'); M.expunge();
    // M.status('INBOX', '(MESSAGES UNSEEN)'); M.noop(); M.close(); M.logout()
    imap_script s(*world_.mailboxes);
    EXPECT_EQ(s.start(), "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+ IDLE UIDPLUS "
                         "MOVE UNSELECT CHILDREN SPECIAL-USE] localhost IMAP4rev1 server "
                         "(smtp-mock) ready\r\n");
    replay(
        s,
        {
            {"KFAB0 CAPABILITY\r\n",
             "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+ IDLE UIDPLUS MOVE UNSELECT "
             "CHILDREN SPECIAL-USE\r\nKFAB0 OK CAPABILITY completed\r\n"},
            {"KFAB1 LOGIN bob@example.com \"secret\"\r\n",
             "KFAB1 OK [CAPABILITY " + caps + "] LOGIN completed\r\n"},
            {"KFAB2 LIST \"\" *\r\n", "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                                      "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
                                      "KFAB2 OK LIST completed\r\n"},
            {"KFAB3 SELECT INBOX\r\n", select_reply + "KFAB3 OK [READ-WRITE] SELECT completed\r\n"},
            {"KFAB4 SEARCH ALL\r\n", "* SEARCH 1 2\r\nKFAB4 OK SEARCH completed\r\n"},
            {"KFAB5 FETCH 1 (RFC822)\r\n", "* 1 FETCH (RFC822 {154}\r\n" + status_report +
                                               " FLAGS (\\Seen \\Recent))\r\n"
                                               "KFAB5 OK FETCH completed\r\n"},
            {"KFAB6 FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])\r\n",
             "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {48}\r\n"
             "From: monitor@example.net\r\nSubject: probe 42\r\n\r\n)\r\n"
             "KFAB6 OK FETCH completed\r\n"},
            {"KFAB7 UID SEARCH UNSEEN\r\n", "* SEARCH 2\r\nKFAB7 OK UID SEARCH completed\r\n"},
            {"KFAB8 STORE 1 +FLAGS \\Deleted\r\n",
             "* 1 FETCH (FLAGS (\\Seen \\Deleted \\Recent))\r\nKFAB8 OK STORE completed\r\n"},
            {"KFAB9 EXPUNGE\r\n", "* 1 EXPUNGE\r\n* 1 RECENT\r\nKFAB9 OK EXPUNGE completed\r\n"},
            {"KFAB10 STATUS INBOX (MESSAGES UNSEEN)\r\n",
             "* STATUS INBOX (MESSAGES 1 UNSEEN 1)\r\nKFAB10 OK STATUS completed\r\n"},
            {"KFAB11 NOOP\r\n", "KFAB11 OK NOOP completed\r\n"},
            {"KFAB12 CLOSE\r\n", "KFAB12 OK CLOSE completed\r\n"},
            {"KFAB13 LOGOUT\r\n", "* BYE localhost IMAP4rev1 server logging out\r\n"
                                  "KFAB13 OK LOGOUT completed\r\n"},
        });
    EXPECT_TRUE(s.closed());
    EXPECT_EQ(world_.removed.size(), 1u);
}

TEST_F(imap_clients_test, python_imaplib_authenticates_appends_and_examines)
{
    // M.authenticate('PLAIN', lambda _: b'\0carol\0pw'); M.append('INBOX', None, None, msg);
    // M.select('Junk', readonly=True); M.uid('FETCH', '1:*', '(FLAGS)'); M.logout()
    world_.add({"carol@example.com"}, probe_43, 0s);
    imap_script s(*world_.mailboxes);
    s.start();
    const std::string message = "Subject: appended\r\n\r\nbody\r\n";
    replay(s, {
                  {"OLDB0 CAPABILITY\r\n",
                   "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+ IDLE UIDPLUS MOVE UNSELECT "
                   "CHILDREN SPECIAL-USE\r\nOLDB0 OK CAPABILITY completed\r\n"},
                  {"OLDB1 AUTHENTICATE PLAIN\r\n", "+ \r\n"},
                  {smtp::base64_encode(std::string("\0carol\0pw", 9)) + "\r\n",
                   "OLDB1 OK [CAPABILITY " + caps + "] AUTHENTICATE completed\r\n"},
                  {"OLDB2 APPEND INBOX {" + std::to_string(message.size()) + "}\r\n",
                   "+ Ready for literal data\r\n"},
                  {message + "\r\n", "OLDB2 NO [CANNOT] Messages arrive here over SMTP only\r\n"},
                  {"OLDB3 EXAMINE Junk\r\n",
                   "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                   "* OK [PERMANENTFLAGS ()] Read-only folder\r\n"
                   "* 0 EXISTS\r\n* 0 RECENT\r\n"
                   "* OK [UIDVALIDITY 1707732000] UIDs valid\r\n"
                   "* OK [UIDNEXT 1] Predicted next UID\r\n"
                   "OLDB3 OK [READ-ONLY] EXAMINE completed\r\n"},
                  {"OLDB4 UID FETCH 1:* (FLAGS)\r\n", "OLDB4 OK UID FETCH completed\r\n"},
                  {"OLDB5 LOGOUT\r\n", "* BYE localhost IMAP4rev1 server logging out\r\n"
                                       "OLDB5 OK LOGOUT completed\r\n"},
              });
    EXPECT_TRUE(s.closed());
}

TEST_F(imap_clients_test, mutt_opens_reads_idles_and_syncs)
{
    // The commands of mutt 2.2.12 with a Junk mailbox to poll, $imap_idle set and no header
    // cache, as it sent them to this session; its repeated STATUS polls are left out.
    const std::string fields = "HEADER.FIELDS (DATE FROM SENDER SUBJECT TO CC MESSAGE-ID "
                               "REFERENCES CONTENT-TYPE CONTENT-DESCRIPTION IN-REPLY-TO "
                               "REPLY-TO LINES LIST-POST X-LABEL)";
    const std::string header_items =
        "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[" + fields + "])";
    const std::string probe_header = "From: monitor@example.net\r\nTo: bob@example.com\r\n"
                                     "Subject: probe 4";
    imap_script s(*world_.mailboxes);
    s.start(); // the greeting carries CAPABILITY: mutt does not ask before logging in
    replay(s, {
                  {"a0000 AUTHENTICATE PLAIN Ym9iAGJvYgBzZWNyZXQ=\r\n",
                   "a0000 OK [CAPABILITY " + caps + "] AUTHENTICATE completed\r\n"},
                  {"a0001 CAPABILITY\r\n",
                   "* CAPABILITY " + caps + "\r\na0001 OK CAPABILITY completed\r\n"},
                  {"a0002 LIST \"\" \"\"\r\n",
                   "* LIST (\\Noselect) \"/\" \"\"\r\na0002 OK LIST completed\r\n"},
                  {"a0003 SELECT \"INBOX\"\r\n",
                   select_reply + "a0003 OK [READ-WRITE] SELECT completed\r\n"},
                  {"a0004 FETCH 1:2 " + header_items + "\r\n",
                   "* 1 FETCH (UID 1 FLAGS (\\Recent) INTERNALDATE \"12-Feb-2024 08:00:00 +0000\" "
                   "RFC822.SIZE 154 BODY[" +
                       fields + "] {142}\r\n" + status_report.substr(0, 142) +
                       ")\r\n* 2 FETCH (UID 2 FLAGS (\\Recent) INTERNALDATE \"12-Feb-2024 09:00:00 "
                       "+0000\" RFC822.SIZE 81 BODY[" +
                       fields + "] {69}\r\n" + probe_header +
                       "2\r\n\r\n)\r\na0004 OK FETCH completed\r\n"},
                  {"a0005 STATUS \"Junk\" (UIDNEXT UIDVALIDITY UNSEEN RECENT)\r\n",
                   "* STATUS Junk (UIDNEXT 1 UIDVALIDITY 1707732000 UNSEEN 0 RECENT 0)\r\n"
                   "a0005 OK STATUS completed\r\n"},
                  {"a0006 IDLE\r\n", "+ idling\r\n"},
              });
    world_.add({"bob@example.com"}, probe_43, 0s);
    EXPECT_EQ(s.mailbox_changed(), "* 3 EXISTS\r\n* 3 RECENT\r\n");
    // mutt sends DONE and its next commands in one write.
    replay(
        s,
        {
            {"DONE\r\na0007 FETCH 3:3 " + header_items + "\r\n",
             "a0006 OK IDLE completed\r\n* 3 FETCH (UID 3 FLAGS (\\Recent) INTERNALDATE "
             "\"12-Feb-2024 10:00:00 +0000\" RFC822.SIZE 81 BODY[" +
                 fields + "] {69}\r\n" + probe_header +
                 "3\r\n\r\n)\r\na0007 OK FETCH completed\r\n"},
            {"a0008 UID FETCH 2 BODY.PEEK[]\r\n", "* 2 FETCH (UID 2 BODY[] {81}\r\n" + probe_42 +
                                                      ")\r\na0008 OK UID FETCH completed\r\n"},
            {"a0009 IDLE\r\n", "+ idling\r\n"},
            {"DONE\r\na0010 UID STORE 1 +FLAGS.SILENT (\\Deleted)\r\n"
             "a0011 UID STORE 2 +FLAGS.SILENT (\\Seen)\r\n",
             "a0009 OK IDLE completed\r\na0010 OK UID STORE completed\r\n"
             "a0011 OK UID STORE completed\r\n"},
            {"a0012 EXPUNGE\r\n", "* 1 EXPUNGE\r\n* 2 RECENT\r\na0012 OK EXPUNGE completed\r\n"},
            {"a0013 IDLE\r\n", "+ idling\r\n"},
            {"DONE\r\na0014 CLOSE\r\n", "a0013 OK IDLE completed\r\na0014 OK CLOSE completed\r\n"},
            {"a0015 LOGOUT\r\n", "* BYE localhost IMAP4rev1 server logging out\r\n"
                                 "a0015 OK LOGOUT completed\r\n"},
        });
    EXPECT_TRUE(s.closed());
    // Bob's maildrop lost the status report; POP3 would no longer list it.
    ASSERT_EQ(world_.removed.size(), 1u);
    EXPECT_EQ(world_.removed[0].first, "1");
}

verify::mailbox_query query(std::string user, std::string password, std::string message_id)
{
    verify::mailbox_query q;
    q.user = std::move(user);
    q.password = std::move(password);
    q.message_id = std::move(message_id);
    return q;
}

// Runs the probe's IMAP client against a session until the client is done; returns its result.
verify::check_result run_verifier(mock::imap::mailbox_source& mailboxes,
                                  verify::mailbox_query query,
                                  std::vector<std::string>* transcript = nullptr)
{
    const auto now = std::chrono::steady_clock::time_point{} + 1h;
    mock::imap::imap_session server(mailboxes, {});
    verify::imap_client client(std::move(query));
    std::string to_client;
    bool server_closed = false;
    auto serve = [&](mock::imap::action a) {
        while (auto* w = std::get_if<mock::imap::write_action>(&a)) {
            to_client += w->bytes;
            a = server.on_written(now);
        }
        server_closed = std::holds_alternative<mock::imap::close_action>(a);
    };
    serve(server.start(now));
    auto c = client.next({}, {});
    for (int guard = 0; guard < 1000 && c.type != verify::client_action::kind::done; ++guard) {
        if (c.type == verify::client_action::kind::write) {
            const std::string bytes(c.bytes);
            c = client.next({}, {});
            EXPECT_FALSE(server_closed);
            serve(server.on_read(bytes, now));
        } else if (!to_client.empty()) {
            c = client.next({}, std::exchange(to_client, {}));
        } else {
            EXPECT_TRUE(server_closed) << "both sides wait";
            c = client.next(boost::asio::error::eof, {});
        }
    }
    if (transcript) {
        *transcript = client.transcript();
    }
    return client.result();
}

TEST_F(imap_clients_test, the_probes_verifier_finds_and_deletes_its_message)
{
    std::vector<std::string> transcript;
    auto result =
        run_verifier(*world_.mailboxes, query("bob", "secret", "a1@example.org"), &transcript);
    EXPECT_EQ(result.status, verify::check_status::found) << result.detail;
    EXPECT_FALSE(result.error) << result.error.message();
    std::string dialogue;
    for (const auto& line : transcript) {
        dialogue += line + "\n";
    }
    EXPECT_NE(dialogue.find("UID SEARCH HEADER Message-ID"), std::string::npos) << dialogue;
    EXPECT_NE(dialogue.find("UID EXPUNGE 1"), std::string::npos) << dialogue;
    ASSERT_EQ(world_.removed.size(), 1u);
    EXPECT_EQ(world_.removed[0].first, "1");
    // Once deleted, it is not found; a wrong password is refused.
    EXPECT_EQ(run_verifier(*world_.mailboxes, query("bob", "secret", "a1@example.org")).status,
              verify::check_status::not_found);
    auto refused = run_verifier(*world_.mailboxes, query("carol", "wrong", "a1@example.org"));
    EXPECT_EQ(refused.status, verify::check_status::failed);
    EXPECT_NE(refused.detail.find("AUTHENTICATIONFAILED"), std::string::npos) << refused.detail;
}

} // namespace
