#include "session_script.hpp"
#include "smtp/base64.hpp"
#include "smtp/limits.hpp"

#include <cctype>
#include <deque>
#include <gtest/gtest.h>
#include <limits>

using namespace std::chrono_literals;
using mock::test::session_script;

namespace {

const std::string greeting = "EHLO client.example\r\n";
const std::string envelope = "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n";

std::string ehlo_reply(bool starttls = true, bool auth = false)
{
    std::string r = "250-localhost greets client.example\r\n250-PIPELINING\r\n"
                    "250-SIZE 10485760\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n";
    if (starttls) {
        r += "250-STARTTLS\r\n";
    }
    if (auth) {
        r += "250-AUTH PLAIN LOGIN\r\n";
    }
    return r + "250 SMTPUTF8\r\n";
}

// Calls `f` with each CRLF-terminated line of `bytes`, without the CRLF; bytes after the
// last CRLF are passed too.
template <typename F> void for_each_line_of(std::string_view bytes, F&& f)
{
    while (!bytes.empty()) {
        auto crlf = bytes.find("\r\n");
        f(bytes.substr(0, crlf));
        bytes.remove_prefix(crlf == std::string_view::npos ? bytes.size() : crlf + 2);
    }
}

// Starts a session and greets it; the greeting replies are dropped.
void greet(session_script& s)
{
    s.start();
    s.send(greeting);
    s.take_output();
}

} // namespace

TEST(server_session, banner_then_waits_for_a_command)
{
    session_script s;
    s.start();
    EXPECT_EQ(s.take_output(), "220 localhost ESMTP smtp-mock ready\r\n");
    EXPECT_TRUE(s.reading());
}

TEST(server_session, ehlo_lists_the_extensions)
{
    mock::session_config c;
    c.tls_available = true;
    session_script s(c);
    s.start();
    s.take_output();
    s.send(greeting);
    EXPECT_EQ(s.take_output(), ehlo_reply());
}

TEST(server_session, helo_answers_one_line)
{
    session_script s;
    s.start();
    s.take_output();
    s.send("HELO client\r\n");
    EXPECT_EQ(s.take_output(), "250 localhost\r\n");
}

TEST(server_session, a_message_is_captured_byte_exact_after_dot_unstuffing)
{
    session_script s;
    greet(s);
    s.send(envelope + "DATA\r\n");
    EXPECT_EQ(s.take_output(), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    s.send("Subject: t\r\n\r\n..\r\n..leading dot\r\n.\r\n");
    EXPECT_EQ(s.take_output(), "250 2.0.0 Ok: queued as 1\r\n");
    auto stored = s.store.list();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0]->data, "Subject: t\r\n\r\n.\r\n.leading dot\r\n");
    EXPECT_EQ(stored[0]->mail_from, "a@example.com");
    EXPECT_EQ(stored[0]->rcpt_to, std::vector<std::string>{"b@example.com"});
    EXPECT_EQ(stored[0]->session_id, 1u);
}

TEST(server_session, each_message_of_a_session_keeps_only_its_own_content_and_recipients)
{
    // The session keeps its content buffer from message to message; what is stored must not.
    session_script s;
    greet(s);
    s.send(envelope + "RCPT TO:<c@example.com>\r\nDATA\r\n");
    s.take_output();
    std::string first; // larger than a first doubling or two of the buffer
    for (int i = 0; i < 30; ++i) {
        first += std::string(100, 'x') + "\r\n";
    }
    s.send(first + ".\r\n");
    EXPECT_EQ(s.take_output(), "250 2.0.0 Ok: queued as 1\r\n");
    s.send("MAIL FROM:<d@example.com>\r\nRCPT TO:<e@example.com>\r\nDATA\r\n");
    EXPECT_EQ(s.take_output(),
              "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    s.send("second\r\n.\r\n");
    EXPECT_EQ(s.take_output(), "250 2.0.0 Ok: queued as 2\r\n");
    auto stored = s.store.list();
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0]->data, first);
    EXPECT_EQ(stored[0]->rcpt_to, (std::vector<std::string>{"b@example.com", "c@example.com"}));
    EXPECT_EQ(stored[1]->data, "second\r\n");
    EXPECT_EQ(stored[1]->mail_from, "d@example.com");
    EXPECT_EQ(stored[1]->rcpt_to, std::vector<std::string>{"e@example.com"});
}

TEST(server_session, bare_lf_inside_the_body_is_kept_and_does_not_end_it)
{
    session_script s;
    greet(s);
    s.send(envelope + "DATA\r\n");
    s.take_output();
    s.send("a\nb\r\n.\n.\r\n");
    auto stored = s.store.list();
    ASSERT_EQ(stored.size(), 1u);
    // ".\n" is content (RFC 5321 §2.3.8): unstuffed to "\n"; only CRLF.CRLF ends the data.
    EXPECT_EQ(stored[0]->data, "a\nb\r\n\n");
}

TEST(server_session, the_same_dialogue_split_at_every_byte_gives_the_same_replies)
{
    const std::string dialogue = greeting + envelope +
                                 "DATA\r\nSubject: split\r\n\r\n..x\r\nline\r\n.\r\nNOOP\r\nQUIT\r\n";
    session_script whole;
    whole.start();
    whole.send(dialogue);
    const std::string expected = whole.output;
    ASSERT_TRUE(whole.closed(false));
    for (std::size_t split = 1; split < dialogue.size(); ++split) {
        session_script s;
        s.start();
        s.send(dialogue.substr(0, split));
        s.send(dialogue.substr(split));
        EXPECT_EQ(s.output, expected) << "split at " << split;
        ASSERT_EQ(s.store.size(), 1u);
        EXPECT_EQ(s.store.list()[0]->data, "Subject: split\r\n\r\n.x\r\nline\r\n");
    }
}

TEST(server_session, one_byte_at_a_time)
{
    const std::string dialogue = greeting + envelope + "DATA\r\nhello\r\n.\r\nQUIT\r\n";
    session_script s;
    s.start();
    for (char c : dialogue) {
        s.send(std::string(1, c));
    }
    EXPECT_TRUE(s.closed(false));
    ASSERT_EQ(s.store.size(), 1u);
    EXPECT_EQ(s.store.list()[0]->data, "hello\r\n");
}

TEST(server_session, pipelined_commands_are_answered_in_order_in_one_write)
{
    session_script s;
    greet(s);
    s.writes.clear();
    s.send(envelope + "RCPT TO:<c@example.com>\r\nNOOP\r\nRSET\r\n");
    ASSERT_EQ(s.writes.size(), 1u);
    EXPECT_EQ(s.writes[0], "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n"
                           "250 2.0.0 Ok\r\n");
}

struct sequencing_case {
    const char* name;
    std::string before;
    std::string command;
    std::string reply;
};

class sequencing : public ::testing::TestWithParam<sequencing_case> {};

TEST_P(sequencing, bad_sequence_and_bad_syntax_get_the_rfc_reply)
{
    const auto& c = GetParam();
    session_script s;
    s.start();
    s.send(c.before);
    s.take_output();
    s.send(c.command);
    EXPECT_EQ(s.take_output(), c.reply);
    EXPECT_TRUE(s.reading());
}

INSTANTIATE_TEST_SUITE_P(
    rfc5321, sequencing,
    ::testing::Values(
        sequencing_case{"mail_before_ehlo", "", "MAIL FROM:<a@b.c>\r\n",
                        "503 5.5.1 Error: send HELO/EHLO first\r\n"},
        sequencing_case{"rcpt_before_mail", greeting, "RCPT TO:<a@b.c>\r\n",
                        "503 5.5.1 Error: need MAIL command\r\n"},
        sequencing_case{"data_before_mail", greeting, "DATA\r\n",
                        "503 5.5.1 Error: need MAIL command\r\n"},
        sequencing_case{"data_before_rcpt", greeting + "MAIL FROM:<a@b.c>\r\n", "DATA\r\n",
                        "503 5.5.1 Error: need RCPT command\r\n"},
        sequencing_case{"nested_mail", greeting + "MAIL FROM:<a@b.c>\r\n", "MAIL FROM:<a@b.c>\r\n",
                        "503 5.5.1 Error: nested MAIL command\r\n"},
        sequencing_case{"rset_ends_transaction", greeting + envelope + "RSET\r\n", "DATA\r\n",
                        "503 5.5.1 Error: need MAIL command\r\n"},
        sequencing_case{"ehlo_ends_transaction", greeting + envelope + greeting, "DATA\r\n",
                        "503 5.5.1 Error: need MAIL command\r\n"},
        sequencing_case{"ehlo_without_domain", "", "EHLO\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"},
        sequencing_case{"helo_without_domain", "", "HELO \r\n", "501 5.5.4 Syntax: HELO hostname\r\n"},
        sequencing_case{"mail_without_brackets", greeting, "MAIL FROM:a@b.c\r\n",
                        "501 5.5.4 Syntax: MAIL FROM:<address>: path is not of the form <mailbox>\r\n"},
        sequencing_case{"rcpt_null_path", greeting + "MAIL FROM:<>\r\n", "RCPT TO:<>\r\n",
                        "501 5.5.4 Syntax: RCPT TO:<address>: path is not of the form <mailbox>\r\n"},
        sequencing_case{"unknown_mail_parameter", greeting, "MAIL FROM:<a@b.c> FOO=1\r\n",
                        "555 5.5.4 Error: unsupported parameter FOO\r\n"},
        sequencing_case{"size_too_big", greeting, "MAIL FROM:<a@b.c> SIZE=99999999999\r\n",
                        "552 5.3.4 Error: message size exceeds fixed limit\r\n"},
        sequencing_case{"bad_body", greeting, "MAIL FROM:<a@b.c> BODY=9BIT\r\n",
                        "501 5.5.4 Syntax: MAIL FROM:<address>: malformed ESMTP parameter\r\n"},
        sequencing_case{"data_with_argument", greeting + envelope, "DATA now\r\n",
                        "501 5.5.4 Syntax: DATA takes no argument\r\n"},
        sequencing_case{"unknown_command", "", "FROB\r\n", "500 5.5.2 Error: command not recognized\r\n"},
        sequencing_case{"empty_line", "", "\r\n", "500 5.5.2 Error: empty command\r\n"},
        sequencing_case{"expn_not_implemented", "", "EXPN list\r\n",
                        "502 5.5.1 Error: command not implemented\r\n"},
        sequencing_case{"vrfy", "", "VRFY someone\r\n",
                        "252 2.5.2 Cannot VRFY user, but will accept message\r\n"},
        sequencing_case{"noop_with_argument", "", "NOOP anything\r\n", "250 2.0.0 Ok\r\n"},
        sequencing_case{"bare_lf_command", "", "NOOP\n",
                        "500 5.5.2 Error: bare LF received; lines must end with CRLF\r\n"},
        sequencing_case{"line_too_long", "", std::string(600, 'A') + "\r\n",
                        "500 5.5.2 Error: line too long\r\n"},
        sequencing_case{"starttls_unavailable", greeting, "STARTTLS\r\n",
                        "502 5.5.1 Error: STARTTLS not available\r\n"},
        sequencing_case{"auth_unavailable", greeting, "AUTH PLAIN\r\n",
                        "502 5.5.1 Error: authentication not enabled\r\n"},
        sequencing_case{"null_sender_accepted", greeting, "MAIL FROM:<>\r\n", "250 2.1.0 Ok\r\n"},
        sequencing_case{"lowercase_verbs", "", "ehlo x\r\n",
                        "250-localhost greets x\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n"
                        "250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8\r\n"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(server_session, quit_replies_221_and_closes_with_fin)
{
    session_script s;
    s.start();
    s.take_output();
    s.send("QUIT\r\n");
    EXPECT_EQ(s.take_output(), "221 2.0.0 Bye\r\n");
    EXPECT_TRUE(s.closed(false));
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::quit);
}

TEST(server_session, message_over_the_size_limit_gets_552_at_the_dot_and_is_not_kept)
{
    mock::session_config c;
    c.max_message_size = 10;
    session_script s(c);
    greet(s);
    s.send(envelope + "DATA\r\n");
    s.take_output();
    s.send("0123456789abcdef\r\n.\r\n");
    EXPECT_EQ(s.take_output(), "552 5.3.4 Error: message exceeds fixed maximum message size\r\n");
    EXPECT_EQ(s.store.size(), 0u);
    // The transaction is over: a new one works.
    s.send(envelope);
    EXPECT_EQ(s.take_output(), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
}

TEST(server_session, overlong_body_line_is_rejected_at_the_dot)
{
    session_script s;
    greet(s);
    s.send(envelope + "DATA\r\n");
    s.take_output();
    s.send(std::string(1200, 'x') + "\r\nshort\r\n.\r\n");
    EXPECT_EQ(s.take_output(), "552 5.3.4 Error: message has a line over 1000 octets\r\n");
    EXPECT_EQ(s.store.size(), 0u);
}

TEST(server_session, body_line_of_exactly_1000_octets_is_accepted)
{
    session_script s;
    greet(s);
    s.send(envelope + "DATA\r\n");
    s.take_output();
    s.send(std::string(998, 'x') + "\r\n.\r\n");
    EXPECT_EQ(s.take_output(), "250 2.0.0 Ok: queued as 1\r\n");
}

TEST(server_session, idle_timeout_says_421_and_closes)
{
    mock::session_config c;
    c.idle_timeout = 30s;
    session_script s(c);
    s.start();
    s.take_output();
    auto* r = std::get_if<mock::read_op>(&s.last);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->deadline, s.now + 30s);
    s.now += 30s;
    s.run(s.session().on_timeout(s.now));
    EXPECT_EQ(s.take_output(), "421 4.4.2 localhost Idle timeout, closing\r\n");
    EXPECT_TRUE(s.closed(false));
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::idle_timeout);
}

TEST(server_session, a_connection_over_the_limit_gets_421_and_is_recorded_as_refused)
{
    mock::session_config c;
    c.max_connections = 3;
    session_script s(c);
    s.start(false, 4);
    EXPECT_EQ(s.take_output(), "421 4.7.0 localhost Too many connections, try again later\r\n");
    EXPECT_TRUE(s.closed(false));
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::refused);
    EXPECT_TRUE(s.decider.asked.empty()); // no fault applies to a refused connection

    session_script within(c);
    within.start(false, 3);
    EXPECT_EQ(within.take_output(), "220 localhost ESMTP smtp-mock ready\r\n");
}

TEST(server_session, too_many_errors_close_the_session)
{
    mock::session_config c;
    c.max_errors = 3;
    session_script s(c);
    s.start();
    s.take_output();
    s.send("X\r\nY\r\nZ\r\nNOOP\r\n");
    EXPECT_EQ(s.take_output(),
              "500 5.5.2 Error: command not recognized\r\n500 5.5.2 Error: command not recognized\r\n"
              "500 5.5.2 Error: command not recognized\r\n421 4.7.0 localhost Error: too many errors\r\n");
    EXPECT_TRUE(s.closed(false));
}

TEST(server_session, shutdown_says_421)
{
    session_script s;
    s.start();
    s.take_output();
    s.run(s.session().on_shutdown(mock::shutdown_kind::graceful, s.last, false, s.now));
    EXPECT_EQ(s.take_output(), "421 4.3.2 localhost Service shutting down\r\n");
    EXPECT_TRUE(s.closed(false));
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::server_stop);
}

TEST(server_session, an_io_error_at_any_step_ends_the_session)
{
    const std::vector<std::string> steps = {greeting, envelope, "DATA\r\n", "body\r\n", ".\r\n",
                                            "QUIT\r\n"};
    for (std::size_t fail_at = 0; fail_at < steps.size(); ++fail_at) {
        session_script s;
        s.start();
        for (std::size_t i = 0; i < fail_at; ++i) {
            s.send(steps[i]);
        }
        s.run(s.session().on_io_error(mock::transport_error::failed, "simulated", s.now));
        EXPECT_TRUE(s.done()) << fail_at;
        EXPECT_EQ(s.record().outcome(), mock::session_outcome::error) << fail_at;
        EXPECT_EQ(s.store.size(), fail_at >= 5 ? 1u : 0u) << fail_at;
    }
}

TEST(server_session, peer_close_mid_transaction_keeps_nothing_partial)
{
    session_script s;
    greet(s);
    s.send(envelope + "DATA\r\npartial body\r\n");
    s.run(s.session().on_io_error(mock::transport_error::end_of_stream, "", s.now));
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.store.size(), 0u);
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::client_closed);
}

// --- STARTTLS (RFC 3207) ---

TEST(server_session, starttls_discards_injected_plaintext_and_resets_the_greeting)
{
    mock::session_config c;
    c.tls_available = true;
    session_script s(c);
    greet(s);
    s.send("STARTTLS\r\nMAIL FROM:<injected@x.y>\r\n");
    EXPECT_EQ(s.take_output(), "220 2.0.0 Ready to start TLS\r\n");
    ASSERT_TRUE(s.tls_requested());
    s.run(s.session().on_tls_done(true, "TLSv1.3", "TLS_AES_256_GCM_SHA384", s.now));
    EXPECT_TRUE(s.reading());
    EXPECT_EQ(s.take_output(), ""); // the injected MAIL was dropped, not answered
    s.send("MAIL FROM:<a@b.c>\r\n");
    EXPECT_EQ(s.take_output(), "503 5.5.1 Error: send HELO/EHLO first\r\n");
    s.send(greeting);
    EXPECT_EQ(s.take_output(), ehlo_reply(false));
    s.send("STARTTLS\r\n");
    EXPECT_EQ(s.take_output(), "503 5.5.1 Error: TLS already active\r\n");
    EXPECT_TRUE(s.record().tls());
}

TEST(server_session, implicit_tls_handshakes_before_the_banner)
{
    mock::session_config c;
    c.tls_available = true;
    session_script s(c);
    s.start(true);
    EXPECT_TRUE(s.tls_requested());
    EXPECT_EQ(s.take_output(), "");
    s.run(s.session().on_tls_done(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", s.now));
    EXPECT_EQ(s.take_output(), "220 localhost ESMTP smtp-mock ready\r\n");
}

TEST(server_session, failed_handshake_ends_the_session)
{
    mock::session_config c;
    c.tls_available = true;
    session_script s(c);
    greet(s);
    s.send("STARTTLS\r\n");
    s.run(s.session().on_tls_done(false, "no shared cipher", "", s.now));
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::tls_failed);
}

// --- AUTH (RFC 4954) ---

class auth_test : public ::testing::Test {
protected:
    auth_test()
    {
        users_.add("alice", "secret");
        config_.credentials = &users_;
    }
    mock::user_table users_;
    mock::session_config config_;
};

TEST_F(auth_test, plain_with_initial_response)
{
    session_script s(config_);
    s.start();
    s.send(greeting);
    EXPECT_EQ(s.take_output().find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos, true);
    s.send("AUTH PLAIN " + smtp::base64_encode(std::string("\0alice\0secret", 13)) + "\r\n");
    EXPECT_EQ(s.take_output(), "235 2.7.0 Authentication successful\r\n");
    EXPECT_EQ(s.record().auth_user(), "alice");
    s.send("AUTH PLAIN x\r\n");
    EXPECT_EQ(s.take_output(), "503 5.5.1 Error: already authenticated\r\n");
    // The transcript keeps the mechanism, never the credentials.
    bool masked = false;
    for (const auto& e : s.record().read().transcript) {
        EXPECT_EQ(e.text.find("AHVzZXI"), std::string::npos) << e.text;
        EXPECT_EQ(e.text.find(smtp::base64_encode(std::string("\0alice\0secret", 13))),
                  std::string::npos);
        masked = masked || e.text == "AUTH PLAIN <credentials hidden>";
    }
    EXPECT_TRUE(masked);
}

TEST_F(auth_test, plain_in_two_steps_with_a_bad_password)
{
    session_script s(config_);
    greet(s);
    s.send("AUTH PLAIN\r\n");
    EXPECT_EQ(s.take_output(), "334 \r\n");
    s.send(smtp::base64_encode(std::string("\0alice\0wrong", 12)) + "\r\n");
    EXPECT_EQ(s.take_output(), "535 5.7.8 Error: authentication credentials invalid\r\n");
}

TEST_F(auth_test, login_exchange)
{
    session_script s(config_);
    greet(s);
    s.send("AUTH LOGIN\r\n");
    EXPECT_EQ(s.take_output(), "334 VXNlcm5hbWU6\r\n");
    s.send(smtp::base64_encode("alice") + "\r\n");
    EXPECT_EQ(s.take_output(), "334 UGFzc3dvcmQ6\r\n");
    s.send(smtp::base64_encode("secret") + "\r\n");
    EXPECT_EQ(s.take_output(), "235 2.7.0 Authentication successful\r\n");
}

TEST_F(auth_test, cancel_unknown_mechanism_and_bad_base64)
{
    session_script s(config_);
    greet(s);
    s.send("AUTH LOGIN\r\n*\r\n");
    EXPECT_EQ(s.take_output(), "334 VXNlcm5hbWU6\r\n501 5.0.0 Authentication cancelled\r\n");
    s.send("AUTH CRAM-MD5\r\n");
    EXPECT_EQ(s.take_output(), "504 5.5.4 Error: unsupported authentication mechanism\r\n");
    s.send("AUTH PLAIN !!!!\r\n");
    EXPECT_EQ(s.take_output(), "501 5.5.2 Error: cannot decode response\r\n");
}

TEST_F(auth_test, require_auth_refuses_mail_with_530)
{
    config_.require_auth = true;
    session_script s(config_);
    greet(s);
    s.send("MAIL FROM:<a@b.c>\r\n");
    EXPECT_EQ(s.take_output(), "530 5.7.0 Authentication required\r\n");
}

TEST_F(auth_test, auth_requires_tls_hides_auth_until_tls)
{
    config_.auth_requires_tls = true;
    config_.tls_available = true;
    session_script s(config_);
    s.start();
    s.send(greeting);
    EXPECT_EQ(s.take_output().find("AUTH"), std::string::npos);
    s.send("STARTTLS\r\n");
    s.run(s.session().on_tls_done(true, "TLSv1.3", "x", s.now));
    s.take_output();
    s.send(greeting);
    EXPECT_NE(s.take_output().find("250-AUTH PLAIN LOGIN\r\n"), std::string::npos);
}

// --- Faults: the session carries out whatever the decider says, at each phase ---

TEST(session_faults, connect_reset_sends_nothing)
{
    session_script s;
    faults::action a;
    a.end = faults::ending::close_rst;
    s.decider.on(smtp::phase::connect, a);
    s.start();
    EXPECT_EQ(s.output, "");
    EXPECT_TRUE(s.closed(true));
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::fault_closed);
}

TEST(session_faults, banner_hang_sends_nothing_and_hangs)
{
    session_script s;
    faults::action a;
    a.end = faults::ending::hang;
    s.decider.on(smtp::phase::banner, a);
    s.start();
    EXPECT_EQ(s.output, "");
    EXPECT_TRUE(s.hanging());
    ASSERT_EQ(s.record().read().fired.size(), 1u);
    EXPECT_EQ(s.record().read().fired[0].at, smtp::phase::banner);
}

// The C lines of a session's record, each with its time since the connection in ms.
std::vector<std::pair<double, std::string>> client_lines(session_script& s)
{
    std::vector<std::pair<double, std::string>> out;
    for (const auto& e : s.record().read().transcript) {
        if (e.dir == "C") {
            out.emplace_back(e.t_ms, e.text);
        }
    }
    return out;
}

TEST(session_faults, lines_sent_to_a_hung_banner_are_recorded_with_their_times)
{
    session_script s;
    faults::action a;
    a.end = faults::ending::hang;
    s.decider.on(smtp::phase::banner, a);
    s.start();
    ASSERT_TRUE(s.hanging());
    s.now += 1500ms;
    s.send_while_hanging("EHLO imp"); // a line split over two reads
    s.send_while_hanging("atient.test\r\nAUTH PLAIN AGFsaWNlAHB3\r\n");
    s.now += 500ms;
    s.send_while_hanging("QUIT\r\nNOOP"); // the last line never completes
    EXPECT_EQ(s.output, "");
    EXPECT_TRUE(s.hanging());
    const auto lines = client_lines(s);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], (std::pair<double, std::string>{1500.0, "EHLO impatient.test"}));
    // Credentials stay out of the record, as for any AUTH line.
    EXPECT_EQ(lines[1].first, 1500.0);
    EXPECT_EQ(lines[1].second.find("AGFsaWNlAHB3"), std::string::npos) << lines[1].second;
    EXPECT_EQ(lines[2], (std::pair<double, std::string>{2000.0, "QUIT"}));
}

TEST(session_faults, message_content_sent_to_a_hung_body_is_not_recorded_line_by_line)
{
    session_script s;
    greet(s);
    faults::action a;
    a.end = faults::ending::hang;
    s.decider.on(smtp::phase::body, a);
    s.send(envelope + "DATA\r\n");
    ASSERT_TRUE(s.hanging());
    const auto before = client_lines(s).size();
    s.send_while_hanging("Subject: secret\r\n\r\nbody\r\n");
    EXPECT_EQ(client_lines(s).size(), before);
}

TEST(session_faults, delay_comes_before_the_normal_reply)
{
    session_script s;
    faults::action a;
    a.delay = 2500ms;
    s.decider.on(smtp::phase::banner, a);
    s.start();
    EXPECT_EQ(s.slept, 2500ms);
    EXPECT_EQ(s.output, "220 localhost ESMTP smtp-mock ready\r\n");
}

TEST(session_faults, replaced_reply_does_not_start_the_transaction)
{
    session_script s;
    greet(s);
    faults::action a;
    a.send = "451 4.3.0 Try later\r\n";
    s.decider.on(smtp::phase::mail, a);
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
    EXPECT_EQ(s.take_output(), "451 4.3.0 Try later\r\n503 5.5.1 Error: need MAIL command\r\n");
}

TEST(session_faults, reply_then_close_at_ehlo)
{
    session_script s;
    s.start();
    s.take_output();
    faults::action a;
    a.send = "421 4.3.2 Going down\r\n";
    a.end = faults::ending::close_fin;
    s.decider.on(smtp::phase::ehlo, a);
    s.send(greeting + "NOOP\r\n");
    EXPECT_EQ(s.take_output(), "421 4.3.2 Going down\r\n");
    EXPECT_TRUE(s.closed(false));
}

TEST(session_faults, raw_bytes_are_sent_verbatim_and_trickled)
{
    session_script s;
    faults::action a;
    a.send = "22O garbage without crlf";
    a.trickle = faults::pace::at(5);
    s.decider.on(smtp::phase::banner, a);
    s.start();
    EXPECT_EQ(s.output, "22O garbage without crlf");
    ASSERT_EQ(s.trickled.size(), 1u);
    EXPECT_EQ(s.trickled[0], 5);
}

TEST(session_faults, body_fault_closes_after_the_given_octets)
{
    session_script s;
    greet(s);
    faults::action a;
    a.end = faults::ending::close_rst;
    a.after_bytes = 20;
    s.decider.on(smtp::phase::body, a);
    s.send(envelope + "DATA\r\n");
    s.take_output();
    s.send("0123456789\r\n");
    EXPECT_TRUE(s.reading()); // 12 octets: not yet
    s.send("0123456789\r\nmore\r\n.\r\n");
    EXPECT_TRUE(s.closed(true));
    EXPECT_EQ(s.take_output(), "");
    EXPECT_EQ(s.store.size(), 0u);
}

TEST(session_faults, body_fault_acts_in_the_middle_of_a_line)
{
    session_script s;
    greet(s);
    faults::action a;
    a.end = faults::ending::close_fin;
    a.after_bytes = 10;
    s.decider.on(smtp::phase::body, a);
    s.send(envelope + "DATA\r\n");
    s.take_output();
    s.send("01234");
    EXPECT_TRUE(s.reading());
    s.send("56789abc"); // 13 octets, no line end yet
    EXPECT_TRUE(s.closed(false));
}

TEST(session_faults, body_hang_right_after_354)
{
    session_script s;
    greet(s);
    faults::action a;
    a.end = faults::ending::hang;
    s.decider.on(smtp::phase::body, a);
    s.send(envelope + "DATA\r\n");
    EXPECT_EQ(s.take_output(), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_TRUE(s.hanging());
}

TEST(session_faults, data_end_rejection_keeps_no_message_and_positive_replacement_keeps_it)
{
    {
        session_script s;
        greet(s);
        faults::action a;
        a.send = "552 5.3.4 Too big\r\n";
        s.decider.on(smtp::phase::data_end, a);
        s.send(envelope + "DATA\r\nx\r\n.\r\n");
        EXPECT_EQ(s.store.size(), 0u);
    }
    {
        session_script s;
        greet(s);
        faults::action a;
        a.send = "250 2.0.0 Accepted differently\r\n";
        s.decider.on(smtp::phase::data_end, a);
        s.send(envelope + "DATA\r\nx\r\n.\r\n");
        EXPECT_EQ(s.store.size(), 1u);
    }
}

TEST(session_faults, quit_hang_never_replies)
{
    session_script s;
    greet(s);
    faults::action a;
    a.end = faults::ending::hang;
    s.decider.on(smtp::phase::quit, a);
    s.send("QUIT\r\n");
    EXPECT_EQ(s.take_output(), "");
    EXPECT_TRUE(s.hanging());
}

TEST(session_faults, tls_fault_reaches_the_handshake)
{
    mock::session_config c;
    c.tls_available = true;
    session_script s(c);
    greet(s);
    faults::action a;
    a.tls = faults::tls_fault{faults::tls_fault::handshake_mode::normal,
                              faults::tls_fault::certificate_kind::expired, 0};
    s.decider.on(smtp::phase::tls, a);
    s.send("STARTTLS\r\n");
    auto* t = std::get_if<mock::tls_op>(&s.last);
    ASSERT_NE(t, nullptr);
    ASSERT_TRUE(t->fault.has_value());
    EXPECT_EQ(t->fault->certificate, faults::tls_fault::certificate_kind::expired);
}

TEST(session_faults, a_hung_tls_handshake_records_no_lines_of_what_arrives)
{
    mock::session_config c;
    c.tls_available = true;
    session_script s(c);
    greet(s);
    faults::action a;
    a.tls = faults::tls_fault{faults::tls_fault::handshake_mode::hang,
                              faults::tls_fault::certificate_kind::normal, 0};
    s.decider.on(smtp::phase::tls, a);
    s.send("STARTTLS\r\n");
    ASSERT_TRUE(s.hanging());
    const auto before = client_lines(s).size();
    // A ClientHello's bytes may hold CR LF; they are TLS records, not command lines.
    s.send_while_hanging(std::string("\x16\x03\x01\x00\x05\r\nEHLO\r\n", 14));
    EXPECT_EQ(client_lines(s).size(), before);
}

TEST(session_faults, every_phase_is_asked_once_in_order)
{
    session_script s;
    s.start();
    s.send(greeting + envelope + "DATA\r\nx\r\n.\r\nRSET\r\nNOOP\r\nVRFY x\r\nHELO y\r\nQUIT\r\n");
    using smtp::phase;
    EXPECT_EQ(s.decider.asked,
              (std::vector<phase>{phase::connect, phase::banner, phase::ehlo, phase::mail,
                                  phase::rcpt, phase::data, phase::body, phase::data_end,
                                  phase::rset, phase::noop, phase::vrfy, phase::helo, phase::quit}));
}

TEST(server_session, transcript_records_both_directions)
{
    session_script s;
    s.start();
    s.send("NOOP\r\n");
    auto snap = s.record().read();
    ASSERT_GE(snap.transcript.size(), 3u);
    EXPECT_EQ(snap.transcript[0].dir, "S");
    EXPECT_EQ(snap.transcript[0].text, "220 localhost ESMTP smtp-mock ready");
    EXPECT_EQ(snap.transcript[1].dir, "C");
    EXPECT_EQ(snap.transcript[1].text, "NOOP");
    EXPECT_EQ(snap.transcript[2].text, "250 2.0.0 Ok");
    // Received bytes are kept escaped.
    s.send("NOOP \x01\\\r\n");
    snap = s.record().read();
    ASSERT_GE(snap.transcript.size(), 4u);
    EXPECT_EQ(snap.transcript[3].text, "NOOP \\x01\\\\");
}

TEST(server_session, transcript_keeps_its_first_entries_and_counts_the_rest)
{
    session_script s;
    s.start();
    for (std::size_t i = 0; i < mock::session_record::max_entries; ++i) {
        s.send("NOOP\r\n");
    }
    auto full = s.record().read();
    ASSERT_EQ(full.transcript.size(), mock::session_record::max_entries);
    EXPECT_EQ(full.transcript[0].text, "220 localhost ESMTP smtp-mock ready");
    EXPECT_EQ(full.transcript.back().text, "NOOP"); // entry 499: a command
    EXPECT_EQ(full.dropped_entries, 1 + 2 * mock::session_record::max_entries - 500);
}

// --- Hostile input (sizes, lengths, escapes) ---

TEST(server_session, a_size_beyond_64_bits_is_refused_and_the_session_goes_on)
{
    session_script s;
    greet(s);
    s.send("MAIL FROM:<a@b.c> SIZE=18446744073709551616\r\n");
    EXPECT_EQ(s.take_output(), "552 5.3.4 Error: message size exceeds fixed limit\r\n");
    EXPECT_TRUE(s.reading());
    s.send(envelope);
    EXPECT_EQ(s.take_output(), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");

    mock::session_config unlimited;
    unlimited.max_message_size = 0;
    session_script u(unlimited);
    greet(u);
    u.send("MAIL FROM:<a@b.c> SIZE=99999999999999999999\r\n");
    EXPECT_EQ(u.take_output(), "250 2.1.0 Ok\r\n");
}

TEST(server_session, paths_over_the_rfc_5321_sizes_are_refused_at_rcpt_as_permanent)
{
    const std::string local64(64, 'l');
    session_script s;
    greet(s);
    s.send("MAIL FROM:<a@b.c>\r\n");
    s.take_output();
    // 64 + 1 + 250 octets: each part is within its limit, the path is not (RFC 5321 §4.5.3.1.3).
    s.send("RCPT TO:<" + local64 + "@" + std::string(246, 'd') + ".com>\r\n");
    EXPECT_EQ(s.take_output().substr(0, 10), "501 5.1.3 ");
    s.send("RCPT TO:<" + std::string(65, 'l') + "@example.com>\r\n");
    EXPECT_EQ(s.take_output().substr(0, 10), "501 5.1.3 ");
    // The longest path that fits: 64 + 1 + 189 = 254 octets, 256 with the brackets.
    const std::string longest = local64 + "@" + std::string(185, 'd') + ".com";
    s.send("RCPT TO:<" + longest + ">\r\nDATA\r\nx\r\n.\r\n");
    EXPECT_EQ(s.take_output(), "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                               "250 2.0.0 Ok: queued as 1\r\n");
    EXPECT_EQ(s.store.list().at(0)->rcpt_to, std::vector<std::string>{longest});
    s.send("MAIL FROM:<" + std::string(70, 's') + "@b.c>\r\n");
    EXPECT_EQ(s.take_output().substr(0, 10), "501 5.1.7 ");
}

TEST(server_session, the_ehlo_argument_is_escaped_and_cut_to_fit_the_reply_line)
{
    session_script s;
    s.start();
    s.take_output();
    s.send(std::string("EHLO a\rb\x01") + '\0' + "c\r\n");
    auto reply = s.take_output();
    EXPECT_EQ(reply.substr(0, reply.find("\r\n")), "250-localhost greets a\\rb\\x01\\x00c");
    s.send("EHLO " + std::string(505, 'x') + "\r\n");
    reply = s.take_output();
    auto first = reply.substr(0, reply.find("\r\n") + 2);
    EXPECT_LE(first.size(), smtp::limits::reply_line);
    EXPECT_EQ(first.substr(first.size() - 5), "...\r\n");
    // Each escape is kept whole when the cut falls among them.
    s.send("EHLO " + std::string(505, '\x7f') + "\r\n");
    reply = s.take_output();
    first = reply.substr(0, reply.find("\r\n"));
    EXPECT_LE(first.size() + 2, smtp::limits::reply_line);
    EXPECT_EQ(first.substr(first.size() - 7), "\\x7f...");
}

TEST_F(auth_test, an_initial_response_up_to_12288_octets_is_read_as_auth)
{
    session_script s(config_);
    greet(s);
    // RFC 4954 §4: the AUTH line may be longer than 512 octets.
    const std::string response =
        smtp::base64_encode(std::string("\0alice\0", 7) + std::string(8000, 'p'));
    ASSERT_GT(response.size(), 10000u);
    s.send("AUTH PLAIN " + response + "\r\n");
    EXPECT_EQ(s.take_output(), "535 5.7.8 Error: authentication credentials invalid\r\n");
    // The same length after a 334 challenge.
    s.send("AUTH PLAIN\r\n" + response + "\r\n");
    EXPECT_EQ(s.take_output(), "334 \r\n535 5.7.8 Error: authentication credentials invalid\r\n");
    // Over the limit is too long, and a command other than AUTH still has 512 octets.
    s.send("AUTH PLAIN " + std::string(12300, 'A') + "\r\nNOOP " + std::string(600, 'x') + "\r\n");
    EXPECT_EQ(s.take_output(),
              "500 5.5.2 Error: line too long\r\n500 5.5.2 Error: line too long\r\n");
}

TEST(server_session, a_long_body_line_sent_before_the_354_is_content_not_an_error)
{
    session_script s;
    greet(s);
    const std::string line(900, 'b');
    s.send(envelope + "DATA\r\n" + line + "\r\n.\r\n");
    EXPECT_EQ(s.take_output(),
              "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
              "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 1\r\n");
    EXPECT_EQ(s.store.list().at(0)->data, line + "\r\n");
    // Over 1000 octets it is the line-length error, wherever it was sent.
    s.send(envelope + "DATA\r\n" + std::string(1500, 'b') + "\r\n.\r\n");
    EXPECT_NE(s.take_output().find("552 5.3.4 Error: message has a line over 1000 octets"),
              std::string::npos);
}

// --- How a session ends, as recorded ---

TEST(server_session, too_many_errors_has_its_own_outcome)
{
    mock::session_config c;
    c.max_errors = 2;
    session_script s(c);
    s.start();
    s.send("X\r\nY\r\n");
    EXPECT_TRUE(s.done());
    auto r = s.record().read();
    EXPECT_EQ(r.outcome, mock::session_outcome::too_many_errors);
    EXPECT_EQ(r.closed_by, mock::session_closer::server);
}

TEST(server_session, a_hung_session_is_active_until_the_client_goes)
{
    session_script s;
    faults::action a;
    a.end = faults::ending::hang;
    s.decider.on(smtp::phase::banner, a);
    s.start();
    ASSERT_TRUE(s.hanging());
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::active);
    EXPECT_FALSE(s.record().read().ended_at.has_value());
    s.now += 42s;
    s.run(s.session().on_io_error(mock::transport_error::end_of_stream, "", s.now));
    EXPECT_TRUE(s.done());
    auto r = s.record().read();
    EXPECT_EQ(r.outcome, mock::session_outcome::client_closed);
    EXPECT_EQ(r.closed_by, mock::session_closer::client);
    ASSERT_TRUE(r.ended_at.has_value());
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(*r.ended_at - r.started_at), 42s);
}

TEST(server_session, a_fault_that_closes_is_recorded_as_closed_by_the_fault)
{
    session_script s;
    faults::action a;
    a.send = "554 5.7.1 Go away\r\n";
    a.end = faults::ending::close_fin;
    s.decider.on(smtp::phase::banner, a);
    s.start();
    EXPECT_TRUE(s.closed(false));
    auto r = s.record().read();
    EXPECT_EQ(r.outcome, mock::session_outcome::fault_closed);
    EXPECT_EQ(r.closed_by, mock::session_closer::fault);
}

TEST(server_session, a_client_sending_a_byte_at_a_time_meets_the_command_timeout)
{
    mock::session_config c;
    c.idle_timeout = 60s;
    c.command_timeout = 100s;
    session_script s(c);
    s.start();
    s.take_output();
    const auto line_start = s.now;
    for (int i = 0; i < 150; ++i) {
        s.now += 1s;
        s.send("N");
        auto* r = std::get_if<mock::read_op>(&s.last);
        ASSERT_NE(r, nullptr);
        if (i >= 60) { // the idle deadline is later than the command's by then
            EXPECT_EQ(r->deadline, line_start + 100s);
        }
        if (s.now >= line_start + 100s) {
            break;
        }
    }
    s.run(s.session().on_timeout(s.now));
    EXPECT_EQ(s.take_output(), "421 4.4.2 localhost Command timeout, closing\r\n");
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::command_timeout);
}

TEST(server_session, a_reply_the_client_never_reads_ends_the_session_by_its_deadline)
{
    mock::session_config c;
    c.idle_timeout = 30s;
    session_script s(c);
    auto a = s.session().start(s.now);
    auto* w = std::get_if<mock::write_op>(&a);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->deadline, s.now + 30s);
    s.now += 30s;
    s.run(s.session().on_timeout(s.now));
    EXPECT_TRUE(s.closed(true));
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::idle_timeout);
}

// --- Storing off the session's thread ---

TEST(server_session, the_message_is_stored_before_the_250_and_a_delay_comes_after_the_store)
{
    session_script s;
    greet(s);
    faults::action a;
    a.delay = 3s;
    s.decider.on(smtp::phase::data_end, a);
    s.send(envelope + "DATA\r\n");
    s.take_output();
    auto next = s.session().on_read("x\r\n.\r\n", s.now);
    ASSERT_TRUE(std::holds_alternative<mock::store_op>(next));
    EXPECT_EQ(std::get<mock::store_op>(next).message->data, "x\r\n");
    EXPECT_EQ(s.output, "");
    s.run(std::move(next));
    EXPECT_EQ(s.slept, 3s);
    EXPECT_EQ(s.take_output(), "250 2.0.0 Ok: queued as 1\r\n");
    EXPECT_EQ(s.record().read().messages, std::vector<std::string>{"1"});
}

TEST(server_session, a_failed_store_is_answered_by_what_it_means_and_the_session_goes_on)
{
    struct failure_case {
        std::errc error;
        std::string reply;
    };
    for (const auto& [error, reply] :
         {failure_case{std::errc::io_error, "451 4.3.0 Error: local error in processing\r\n"},
          failure_case{std::errc::no_space_on_device,
                       "452 4.3.1 Error: insufficient system storage\r\n"},
          failure_case{std::errc::filename_too_long,
                       "554 5.3.0 Error: the message cannot be stored here\r\n"}}) {
        session_script s;
        greet(s);
        s.store_error = std::make_error_code(error);
        s.send(envelope + "DATA\r\nx\r\n.\r\n");
        auto out = s.take_output();
        EXPECT_EQ(out.substr(out.rfind("\r\n", out.size() - 3) + 2), reply);
        EXPECT_TRUE(s.record().read().messages.empty());
        s.store_error.reset();
        // The transaction is over; a new one is accepted.
        s.send(envelope + "DATA\r\ny\r\n.\r\n");
        EXPECT_NE(s.take_output().find("250 2.0.0 Ok: queued as"), std::string::npos);
        EXPECT_EQ(s.store.size(), 1u);
    }
}

// --- Server stop ---

TEST(server_session, a_stop_during_a_transaction_lets_it_finish_then_says_421)
{
    session_script s;
    greet(s);
    s.send(envelope + "DATA\r\npart of the body\r\n");
    s.take_output();
    ASSERT_TRUE(s.reading());
    EXPECT_TRUE(s.session().in_transaction());
    s.run(s.session().on_shutdown(mock::shutdown_kind::graceful, s.last, true, s.now));
    ASSERT_TRUE(s.reading()); // the read goes on
    EXPECT_EQ(s.output, "");
    s.send("rest\r\n.\r\n");
    EXPECT_EQ(s.take_output(),
              "250 2.0.0 Ok: queued as 1\r\n421 4.3.2 localhost Service shutting down\r\n");
    EXPECT_TRUE(s.closed(false));
    EXPECT_EQ(s.store.list().at(0)->data, "part of the body\r\nrest\r\n");
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::server_stop);
}

TEST(server_session, a_stop_now_closes_without_a_word)
{
    session_script s;
    greet(s);
    s.send(envelope + "DATA\r\npart\r\n");
    s.take_output();
    s.run(s.session().on_shutdown(mock::shutdown_kind::immediate, s.last, true, s.now));
    EXPECT_EQ(s.output, "");
    ASSERT_TRUE(s.closed(false));
    EXPECT_EQ(s.closed_with->linger_until, s.now);
    EXPECT_EQ(s.store.size(), 0u);
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::server_stop);
}

TEST(server_session, a_stop_during_a_delay_outside_a_transaction_says_421_instead)
{
    session_script s;
    faults::action a;
    a.delay = 10s;
    s.decider.on(smtp::phase::banner, a);
    auto first = s.session().start(s.now);
    ASSERT_TRUE(std::holds_alternative<mock::sleep_op>(first));
    s.run(s.session().on_shutdown(mock::shutdown_kind::graceful, first, true, s.now));
    EXPECT_EQ(s.output, "421 4.3.2 localhost Service shutting down\r\n");
    EXPECT_TRUE(s.closed(false));
}

TEST(server_session, a_stop_during_a_hang_closes_it)
{
    session_script s;
    faults::action a;
    a.end = faults::ending::hang;
    s.decider.on(smtp::phase::ehlo, a);
    greet(s);
    ASSERT_TRUE(s.hanging());
    s.run(s.session().on_shutdown(mock::shutdown_kind::graceful, s.last, true, s.now));
    EXPECT_EQ(s.output, "");
    EXPECT_TRUE(s.closed(false));
    EXPECT_EQ(s.record().outcome(), mock::session_outcome::server_stop);
}

// --- An error at every action: whatever fails, wherever, the session ends with
// a true record, keeps only what it accepted, and never says anything malformed ---

namespace {

// What goes wrong at the chosen action.
enum class failure {
    io_error,      // the read, write or handshake fails (client gone, or another error)
    io_reset,      // the client reset the connection
    timeout,       // the action's deadline passes
    stop_graceful, // the server stops gracefully, interrupting the action
    stop_now,      // the server stops at once, interrupting the action
    store_error,   // the store fails
};

struct every_action_run {
    std::string output;
    bool ended = false;
    std::size_t actions = 0;
};

// Drives a full dialogue (banner delay, STARTTLS, a message, QUIT) and makes action number
// `fail_at` fail in the way `how` (when it applies to that kind of action).
every_action_run run_failing_at(std::size_t fail_at, failure how)
{
    mock::session_config c;
    c.tls_available = true;
    session_script s(c);
    faults::action slow;
    slow.delay = 2s;
    s.decider.on(smtp::phase::banner, slow);
    std::deque<std::string> input = {"EHLO x\r\nSTARTTLS\r\n", "EHLO x\r\n", envelope, "DATA\r\n",
                                     "body\r\n.\r\n",          "QUIT\r\n"};
    every_action_run out;
    auto now = s.now;
    mock::session_action a = s.session().start(now);
    for (std::size_t n = 0; n < 200 && !std::holds_alternative<mock::done_op>(a); ++n) {
        now += 1s;
        const bool fail = n == fail_at;
        ++out.actions;
        if (fail && how == failure::stop_graceful) {
            a = s.session().on_shutdown(mock::shutdown_kind::graceful, std::move(a), true, now);
            continue;
        }
        if (fail && how == failure::stop_now) {
            a = s.session().on_shutdown(mock::shutdown_kind::immediate, std::move(a), true, now);
            continue;
        }
        if (auto* w = std::get_if<mock::write_op>(&a)) {
            if (fail && how != failure::store_error) {
                a = how == failure::timeout
                        ? s.session().on_timeout(now)
                        : s.session().on_io_error(how == failure::io_reset
                                                      ? mock::transport_error::reset
                                                      : mock::transport_error::failed,
                                                  "simulated", now);
                continue;
            }
            out.output += w->bytes;
            a = s.session().on_written(now);
        } else if (std::holds_alternative<mock::read_op>(a) ||
                   std::holds_alternative<mock::hang_op>(a)) {
            if ((fail && how != failure::store_error) || input.empty()) {
                a = fail && how == failure::timeout
                        ? s.session().on_timeout(now)
                        : s.session().on_io_error(how == failure::io_reset
                                                      ? mock::transport_error::reset
                                                      : mock::transport_error::end_of_stream,
                                                  "", now);
                continue;
            }
            auto chunk = std::move(input.front());
            input.pop_front();
            a = s.session().on_read(chunk, now);
        } else if (auto* sl = std::get_if<mock::sleep_op>(&a)) {
            now = std::max(now, sl->until);
            a = s.session().on_slept(now);
        } else if (std::holds_alternative<mock::tls_op>(a)) {
            a = !fail || how == failure::store_error
                    ? s.session().on_tls_done(true, "TLSv1.3", "x", now)
                : how == failure::timeout ? s.session().on_timeout(now)
                                          : s.session().on_tls_done(false, "bad record", "", now);
        } else if (auto* st = std::get_if<mock::store_op>(&a)) {
            if (fail && (how == failure::store_error || how == failure::io_error)) {
                a = s.session().on_stored(std::make_error_code(std::errc::io_error), "disk", now);
                continue;
            }
            s.store.add(std::move(*st->message));
            a = s.session().on_stored({}, "", now);
        } else if (std::holds_alternative<mock::close_op>(a)) {
            a = s.session().on_closed(now);
        }
    }
    out.ended = std::holds_alternative<mock::done_op>(a);
    auto r = s.record().read();
    // The record is final and true.
    EXPECT_NE(r.outcome, mock::session_outcome::active) << fail_at;
    EXPECT_TRUE(r.ended_at.has_value()) << fail_at;
    EXPECT_TRUE(r.closed_by.has_value()) << fail_at;
    // Every message answered 250 is kept and recorded; at most one more is kept, stored but
    // cut off before its 250 went out (the client will send it again: a duplicate, never a loss).
    std::size_t queued = 0;
    for (auto at = out.output.find("250 2.0.0 Ok: queued as"); at != std::string::npos;
         at = out.output.find("250 2.0.0 Ok: queued as", at + 1)) {
        ++queued;
    }
    EXPECT_GE(s.store.size(), queued) << fail_at;
    EXPECT_LE(s.store.size(), queued + 1) << fail_at;
    EXPECT_EQ(r.messages.size(), s.store.size()) << fail_at;
    // Every line written is a well-formed reply line.
    for_each_line_of(out.output, [&](std::string_view line) {
        EXPECT_TRUE(line.size() >= 4 && std::isdigit(static_cast<unsigned char>(line[0])) &&
                    (line[3] == ' ' || line[3] == '-'))
            << fail_at << ": " << line;
    });
    return out;
}

} // namespace

TEST(server_session, an_error_at_every_action_ends_the_session_with_a_true_record)
{
    // The number of actions of the dialogue when nothing fails.
    auto healthy = run_failing_at(std::numeric_limits<std::size_t>::max(), failure::io_error);
    ASSERT_TRUE(healthy.ended);
    ASSERT_GT(healthy.actions, 15u);
    EXPECT_NE(healthy.output.find("221 2.0.0 Bye"), std::string::npos);
    for (auto how : {failure::io_error, failure::io_reset, failure::timeout, failure::stop_graceful,
                     failure::stop_now, failure::store_error}) {
        for (std::size_t at = 0; at < healthy.actions; ++at) {
            auto run = run_failing_at(at, how);
            EXPECT_TRUE(run.ended) << "failure " << static_cast<int>(how) << " at action " << at;
        }
    }
}
