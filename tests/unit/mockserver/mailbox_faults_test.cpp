// Faults at phase verify in the POP3 and IMAP sessions, decided by the real fault engine from
// scenario rules: a refused login, a hang at a command, a refused or reset connection, and the
// checks the rule loader makes of such rules.
#include "faults/controller.hpp"
#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"
#include "imap_script.hpp"
#include "mockserver/imap/mailbox_faults.hpp"
#include "mockserver/pop3/pop3_session.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace {

const auto t0 = std::chrono::steady_clock::time_point(1000s);

// A controller holding one scenario with these rules (YAML, the items of `rules:`).
faults::controller controller_with(const std::string& rules)
{
    return faults::controller(faults::load_scenario("name: t\nrules:\n" + rules, "test"), 7, t0);
}

// Drives a POP3 session: writes are collected, the last non-write action is kept.
struct pop3_driver {
    mock::pop3::pop3_session& session;
    mock::pop3::action last = mock::pop3::close_action{};

    std::string run(mock::pop3::action a)
    {
        std::string out;
        while (auto* w = std::get_if<mock::pop3::write_action>(&a)) {
            out += w->bytes;
            a = session.on_written(t0);
        }
        last = a;
        return out;
    }
    std::string send(std::string_view bytes) { return run(session.on_read(bytes, t0)); }
    bool reading() const { return std::holds_alternative<mock::pop3::read_action>(last); }
    const mock::pop3::close_action* closed() const
    {
        return std::get_if<mock::pop3::close_action>(&last);
    }
};

class pop3_mailbox_faults : public ::testing::Test {
protected:
    pop3_mailbox_faults() { world_.add({"bob@example.com"}, "Subject: hi\r\n\r\nbody\r\n"); }

    mock::test::imap_world world_;
    mock::pop3::session_config config_{"mock.example", 10min};
};

TEST_F(pop3_mailbox_faults, a_refused_pass_is_an_auth_error_and_the_login_can_start_over)
{
    auto c = controller_with("  - when: {phase: verify, command: PASS, times: 1}\n"
                             "    do: {reply: '535 5.7.8 Authentication credentials invalid'}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::pop3::pop3_session s(world_.maildrops, config_, decider.get());
    pop3_driver d{s};
    EXPECT_TRUE(d.run(s.start(t0)).starts_with("+OK "));
    EXPECT_EQ(d.send("USER bob\r\nPASS pw\r\n"),
              "+OK bob is known here\r\n-ERR [AUTH] Authentication credentials invalid\r\n");
    EXPECT_EQ(s.current_state(), mock::pop3::pop3_session::state::authorization);
    EXPECT_EQ(d.send("PASS pw\r\n"), "-ERR give USER first\r\n");
    EXPECT_TRUE(
        d.send("USER bob\r\nPASS pw\r\n").ends_with("+OK maildrop has 1 messages (21 octets)\r\n"));
}

TEST_F(pop3_mailbox_faults, a_temporary_refusal_says_sys_temp)
{
    auto c = controller_with("  - when: {phase: verify, command: USER}\n"
                             "    do: {reply: '454 4.7.0 Try again later'}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::pop3::pop3_session s(world_.maildrops, config_, decider.get());
    pop3_driver d{s};
    d.run(s.start(t0));
    EXPECT_EQ(d.send("USER bob\r\n"), "-ERR [SYS/TEMP] Try again later\r\n");
}

TEST_F(pop3_mailbox_faults, a_hang_at_retr_sends_nothing_more_and_discards_input)
{
    auto c = controller_with("  - when: {phase: verify, command: RETR}\n"
                             "    do: {hang: true}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::pop3::pop3_session s(world_.maildrops, config_, decider.get());
    pop3_driver d{s};
    d.run(s.start(t0));
    d.send("USER bob\r\nPASS pw\r\n");
    EXPECT_EQ(d.send("LIST\r\nRETR 1\r\nNOOP\r\n"),
              "+OK 1 21 scan listing follows\r\n1 21\r\n.\r\n");
    EXPECT_TRUE(d.reading());
    EXPECT_EQ(std::get<mock::pop3::read_action>(d.last).deadline, t0 + 10min);
    EXPECT_EQ(d.send("NOOP\r\nQUIT\r\n"), "");
    EXPECT_TRUE(d.reading());
}

TEST_F(pop3_mailbox_faults, a_refused_connection_gets_an_error_greeting_and_is_closed)
{
    auto c = controller_with("  - when: {phase: verify}\n"
                             "    do: {reply: '421 4.3.2 Mailbox service down'}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::pop3::pop3_session s(world_.maildrops, config_, decider.get());
    pop3_driver d{s};
    EXPECT_EQ(d.run(s.start(t0)), "-ERR [SYS/TEMP] Mailbox service down\r\n");
    ASSERT_NE(d.closed(), nullptr);
    EXPECT_FALSE(d.closed()->reset);
}

TEST_F(pop3_mailbox_faults, close_rst_at_the_connection_sends_nothing_and_resets)
{
    auto c = controller_with("  - when: {phase: verify}\n"
                             "    do: {close: rst}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::pop3::pop3_session s(world_.maildrops, config_, decider.get());
    pop3_driver d{s};
    EXPECT_EQ(d.run(s.start(t0)), "");
    ASSERT_NE(d.closed(), nullptr);
    EXPECT_TRUE(d.closed()->reset);
}

TEST_F(pop3_mailbox_faults, input_split_at_every_byte_meets_the_same_fault)
{
    const std::string input = "USER bob\r\nPASS pw\r\nSTAT\r\n";
    auto rules = "  - when: {phase: verify, command: STAT}\n    do: {close: fin}\n";
    std::string whole;
    {
        auto c = controller_with(rules);
        auto decider = c.open_mailbox_session("127.0.0.1", t0);
        mock::pop3::pop3_session s(world_.maildrops, config_, decider.get());
        pop3_driver d{s};
        d.run(s.start(t0));
        whole = d.send(input);
        ASSERT_NE(d.closed(), nullptr);
    }
    for (std::size_t split = 1; split < input.size(); ++split) {
        auto c = controller_with(rules);
        auto decider = c.open_mailbox_session("127.0.0.1", t0);
        mock::pop3::pop3_session s(world_.maildrops, config_, decider.get());
        pop3_driver d{s};
        d.run(s.start(t0));
        auto out = d.send(input.substr(0, split));
        if (d.reading()) {
            out += d.send(input.substr(split));
        }
        EXPECT_EQ(out, whole) << "split at " << split;
        EXPECT_NE(d.closed(), nullptr) << "split at " << split;
    }
}

class imap_mailbox_faults : public ::testing::Test {
protected:
    imap_mailbox_faults() { world_.add({"bob@example.com"}, "Subject: hi\r\n\r\nbody\r\n"); }

    mock::test::imap_world world_;
};

TEST_F(imap_mailbox_faults, a_refused_login_says_authenticationfailed)
{
    auto c = controller_with("  - when: {phase: verify, command: LOGIN}\n"
                             "    do: {reply: '535 5.7.8 Authentication credentials invalid'}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::test::imap_script s(*world_.mailboxes, {}, decider.get());
    EXPECT_TRUE(s.start().starts_with("* OK "));
    EXPECT_EQ(s.send("a1 LOGIN bob pw\r\n"),
              "a1 NO [AUTHENTICATIONFAILED] Authentication credentials invalid\r\n");
    EXPECT_EQ(s.session().current_state(), mock::imap::imap_session::state::not_authenticated);
    EXPECT_TRUE(s.send("a2 CAPABILITY\r\n").ends_with("a2 OK CAPABILITY completed\r\n"));
}

TEST_F(imap_mailbox_faults, a_hang_at_select_sends_nothing_more_and_discards_input)
{
    auto c = controller_with("  - when: {phase: verify, command: 'SELECT|EXAMINE'}\n"
                             "    do: {hang: true}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::test::imap_script s(*world_.mailboxes, {}, decider.get());
    s.start();
    EXPECT_TRUE(s.send("a1 LOGIN bob pw\r\n").ends_with("LOGIN completed\r\n"));
    EXPECT_EQ(s.send("a2 SELECT INBOX\r\na3 NOOP\r\n"), "");
    EXPECT_TRUE(s.reading());
    EXPECT_EQ(s.send("a4 LOGOUT\r\n"), "");
    EXPECT_EQ(s.timeout(), "");
    EXPECT_TRUE(s.closed());
}

TEST_F(imap_mailbox_faults, a_uid_command_is_asked_with_its_sub_command)
{
    auto c = controller_with("  - when: {phase: verify, command: 'UID FETCH'}\n"
                             "    do: {close: rst}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::test::imap_script s(*world_.mailboxes, {}, decider.get());
    s.start();
    s.send("a1 LOGIN bob pw\r\na2 SELECT INBOX\r\n");
    EXPECT_TRUE(s.send("a3 UID SEARCH ALL\r\n").ends_with("a3 OK UID SEARCH completed\r\n"));
    EXPECT_EQ(s.send("a4 UID FETCH 1 (RFC822)\r\n"), "");
    ASSERT_TRUE(s.closed());
    EXPECT_TRUE(std::get<mock::imap::close_action>(s.last).reset);
}

TEST_F(imap_mailbox_faults, a_refused_connection_gets_a_bye_greeting_and_is_closed)
{
    auto c = controller_with("  - when: {phase: verify}\n"
                             "    do: {reply: '421 4.3.2 Mailbox service down'}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::test::imap_script s(*world_.mailboxes, {}, decider.get());
    EXPECT_EQ(s.start(), "* BYE Mailbox service down\r\n");
    ASSERT_TRUE(s.closed());
    EXPECT_FALSE(std::get<mock::imap::close_action>(s.last).reset);
}

TEST_F(imap_mailbox_faults, a_temporary_refusal_of_fetch_says_unavailable)
{
    auto c = controller_with("  - when: {phase: verify, command: '(UID )?FETCH'}\n"
                             "    do: {reply: '451 4.3.0 Try again'}\n");
    auto decider = c.open_mailbox_session("127.0.0.1", t0);
    mock::test::imap_script s(*world_.mailboxes, {}, decider.get());
    s.start();
    s.send("a1 LOGIN bob pw\r\na2 SELECT INBOX\r\n");
    EXPECT_EQ(s.send("a3 FETCH 1 FLAGS\r\n"), "a3 NO [UNAVAILABLE] Try again\r\n");
}

TEST(mailbox_fault_rules, mailbox_connections_have_ordinals_of_their_own)
{
    auto c = controller_with("  - when: {phase: verify, connections: 1}\n"
                             "    do: {close: fin}\n");
    auto smtp = c.open_session(1, "127.0.0.1", t0);
    EXPECT_EQ(smtp->context().ordinal, 1u);
    auto first = c.open_mailbox_session("127.0.0.1", t0);
    auto second = c.open_mailbox_session("127.0.0.1", t0);
    EXPECT_FALSE(first->decide({smtp::phase::verify, {}, {}}, t0).healthy());
    EXPECT_TRUE(second->decide({smtp::phase::verify, {}, {}}, t0).healthy());
    EXPECT_EQ(c.open_session(2, "127.0.0.1", t0)->context().ordinal, 2u);
}

TEST(mailbox_fault_rules, a_mailbox_rule_added_later_counts_mailbox_connections_from_then)
{
    auto c = controller_with("  - when: {phase: ehlo}\n    do: {close: fin}\n");
    for (std::uint64_t id = 1; id <= 3; ++id) {
        c.open_session(id, "127.0.0.1", t0); // SMTP connections do not shift mailbox ordinals
    }
    c.open_mailbox_session("127.0.0.1", t0);
    c.add_rule(
        faults::load_rule("when: {phase: verify, connections: 1}\ndo: {close: rst}\n", "rule"), t0);
    auto next = c.open_mailbox_session("127.0.0.1", t0);
    auto after = c.open_mailbox_session("127.0.0.1", t0);
    EXPECT_FALSE(next->decide({smtp::phase::verify, {}, {}}, t0).healthy());
    EXPECT_TRUE(after->decide({smtp::phase::verify, {}, {}}, t0).healthy());
}

TEST(mailbox_fault_rules, only_refusals_raw_hang_and_close_apply_at_verify)
{
    auto problem = [](const std::string& rule) {
        try {
            faults::load_scenario("name: t\nrules:\n" + rule, "test.yaml");
        } catch (const faults::scenario_error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(problem("  - when: {phase: verify}\n    do: {delay: 1s}\n")
                  .find("at phase verify a mailbox session can only reply"),
              std::string::npos);
    EXPECT_NE(problem("  - when: {phase: verify}\n    do: {reply: '250 fine'}\n")
                  .find("give a 4xx (temporary) or 5xx (permanent) code"),
              std::string::npos);
    EXPECT_EQ(problem("  - when: {phase: verify, command: PASS}\n    do: {reply: '535 no'}\n"), "");
    EXPECT_EQ(problem("  - when: {phase: verify}\n    do: {raw: \"-ERR x\\r\\n\", close: fin}\n"),
              "");
}

TEST(mailbox_fault_reading, reply_codes_and_raw_bytes)
{
    faults::action a;
    a.fired = faults::fired_rule{"r1", smtp::phase::verify};
    a.send = "535 5.7.8 Bad credentials\r\n";
    auto f = mock::imap::read_mailbox_fault(a);
    EXPECT_EQ(f.refuse, mock::imap::mailbox_fault::refusal::permanent);
    EXPECT_EQ(f.text, "Bad credentials");
    a.send = "421 closing\r\n";
    f = mock::imap::read_mailbox_fault(a);
    EXPECT_EQ(f.refuse, mock::imap::mailbox_fault::refusal::temporary);
    EXPECT_EQ(f.text, "closing");
    a.send = "* BYE raw\r\n";
    f = mock::imap::read_mailbox_fault(a);
    EXPECT_EQ(f.refuse, mock::imap::mailbox_fault::refusal::none);
    EXPECT_EQ(f.raw, "* BYE raw\r\n");
    EXPECT_TRUE(mock::imap::read_mailbox_fault(faults::action{}).healthy());
}

} // namespace
