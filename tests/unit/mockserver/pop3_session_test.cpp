// The POP3 state machine (RFC 1939) without sockets: every command in every state,
// byte-stuffing, per-recipient deletion, pipelining and input split at every byte.
#include "mockserver/credentials.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/pop3/pop3_session.hpp"
#include "mockserver/pop3/store_maildrop.hpp"
#include "mockserver/reply_limits.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using mock::pop3::pop3_session;

namespace {

const auto t0 = std::chrono::steady_clock::time_point(1000s);

class pop3_test : public ::testing::Test {
protected:
    pop3_test()
    {
        users_.add("carol", "pw");
        add("a@x", {"bob@example.com"}, "Subject: one\r\n\r\nfirst\r\n");
        add("a@x", {"bob@example.com", "carol@example.com"},
            "Subject: two\r\n\r\n.leading dot\r\n..two dots\r\nlast\r\n");
        add("a@x", {"dave@example.com"}, "Subject: three\r\n\r\nno final crlf");
    }

    void add(std::string from, std::vector<std::string> to, std::string data)
    {
        mock::captured_message m;
        m.mail_from = std::move(from);
        m.rcpt_to = std::move(to);
        m.data = std::move(data);
        store_.add(std::move(m));
    }

    // Feeds `input` and runs every write until the session wants to read or closes.
    std::string feed(pop3_session& s, std::string_view input, bool* closed = nullptr)
    {
        return drain(s, s.on_read(input, t0), closed);
    }

    std::string drain(pop3_session& s, mock::pop3::action a, bool* closed = nullptr)
    {
        std::string out;
        while (auto* w = std::get_if<mock::pop3::write_action>(&a)) {
            out += w->bytes;
            a = s.on_written(t0);
        }
        if (closed) {
            *closed = std::holds_alternative<mock::pop3::close_action>(a);
        }
        return out;
    }

    pop3_session open_session()
    {
        pop3_session s(drop_, config_);
        greeting_ = drain(s, s.start(t0));
        return s;
    }

    pop3_session login(const std::string& user, const std::string& pass = "any")
    {
        auto s = open_session();
        auto out = feed(s, "USER " + user + "\r\nPASS " + pass + "\r\n");
        EXPECT_EQ(s.current_state(), pop3_session::state::transaction) << out;
        return s;
    }

    mock::message_store store_;
    mock::user_table users_;
    std::vector<std::pair<std::string, std::string>> removed_;
    mock::pop3::store_maildrop drop_{store_, &users_,
                                     [this](const std::string& id, const std::string& r) {
                                         removed_.emplace_back(id, r);
                                     }};
    mock::pop3::session_config config_{"mock.example", 10min};
    std::string greeting_;
};

TEST_F(pop3_test, greets_with_ok)
{
    auto s = open_session();
    EXPECT_EQ(greeting_, "+OK mock.example POP3 server (smtp-mock) ready\r\n");
    EXPECT_EQ(s.current_state(), pop3_session::state::authorization);
}

TEST_F(pop3_test, transaction_commands_need_login)
{
    auto s = open_session();
    for (const char* c : {"STAT", "LIST", "UIDL", "RETR 1", "DELE 1", "TOP 1 0", "RSET", "NOOP"}) {
        EXPECT_EQ(feed(s, std::string(c) + "\r\n"), "-ERR log in with USER and PASS first\r\n")
            << c;
    }
    EXPECT_EQ(feed(s, "PASS x\r\n"), "-ERR give USER first\r\n");
    EXPECT_EQ(feed(s, "USER\r\n"), "-ERR USER needs a mailbox name\r\n");
    EXPECT_EQ(feed(s, "APOP bob 0123\r\n"), "-ERR only USER and PASS are supported\r\n");
    EXPECT_EQ(feed(s, "XYZZY\r\n"), "-ERR unknown command XYZZY\r\n");
    EXPECT_EQ(feed(s, "\r\n"), "-ERR empty command\r\n");
    EXPECT_EQ(s.current_state(), pop3_session::state::authorization);
}

TEST_F(pop3_test, listed_users_need_their_password_others_get_in)
{
    auto s = open_session();
    EXPECT_EQ(feed(s, "USER carol\r\nPASS wrong\r\n"),
              "+OK carol is known here\r\n-ERR [AUTH] invalid user name or password\r\n");
    EXPECT_EQ(s.current_state(), pop3_session::state::authorization);
    // After a failed PASS, USER must be given again.
    EXPECT_EQ(feed(s, "PASS pw\r\n"), "-ERR give USER first\r\n");
    EXPECT_EQ(feed(s, "USER carol@example.com\r\nPASS pw\r\n"),
              "+OK carol@example.com is known here\r\n+OK maildrop has 1 messages (48 octets)\r\n");
    EXPECT_EQ(s.current_state(), pop3_session::state::transaction);
    EXPECT_EQ(feed(s, "USER x\r\n"), "-ERR already logged in\r\n");

    auto other = open_session();
    EXPECT_EQ(feed(other, "user bob\r\npass whatever you like\r\n"),
              "+OK bob is known here\r\n+OK maildrop has 2 messages (71 octets)\r\n");
}

TEST_F(pop3_test, stat_list_uidl)
{
    auto s = login("bob");
    EXPECT_EQ(feed(s, "STAT\r\n"), "+OK 2 71\r\n");
    EXPECT_EQ(feed(s, "LIST\r\n"), "+OK 2 71 scan listing follows\r\n1 23\r\n2 48\r\n.\r\n");
    EXPECT_EQ(feed(s, "LIST 2\r\n"), "+OK 2 48\r\n");
    EXPECT_EQ(feed(s, "LIST 3\r\n"), "-ERR no such message\r\n");
    EXPECT_EQ(feed(s, "LIST 0\r\n"), "-ERR no such message\r\n");
    EXPECT_EQ(feed(s, "LIST x\r\n"), "-ERR no such message\r\n");
    EXPECT_EQ(feed(s, "UIDL\r\n"), "+OK unique-id listing follows\r\n1 1\r\n2 2\r\n.\r\n");
    EXPECT_EQ(feed(s, "uidl 1\r\n"), "+OK 1 1\r\n");
    EXPECT_EQ(feed(s, "NOOP\r\n"), "+OK\r\n");
}

TEST_F(pop3_test, retr_byte_stuffs_and_terminates)
{
    auto s = login("bob@EXAMPLE.com");
    EXPECT_EQ(feed(s, "RETR 2\r\n"),
              "+OK 48 octets\r\nSubject: two\r\n\r\n..leading dot\r\n...two dots\r\nlast\r\n.\r\n");
    EXPECT_EQ(feed(s, "RETR 9\r\n"), "-ERR no such message\r\n");
}

TEST_F(pop3_test, retr_adds_the_missing_final_crlf)
{
    auto s = login("dave");
    EXPECT_EQ(feed(s, "LIST\r\n"), "+OK 1 33 scan listing follows\r\n1 33\r\n.\r\n");
    EXPECT_EQ(feed(s, "RETR 1\r\n"),
              "+OK 33 octets\r\nSubject: three\r\n\r\nno final crlf\r\n.\r\n");
}

TEST_F(pop3_test, top_sends_headers_and_n_body_lines)
{
    auto s = login("bob");
    EXPECT_EQ(feed(s, "TOP 2 0\r\n"), "+OK top of message follows\r\nSubject: two\r\n\r\n.\r\n");
    EXPECT_EQ(feed(s, "TOP 2 1\r\n"),
              "+OK top of message follows\r\nSubject: two\r\n\r\n..leading dot\r\n.\r\n");
    EXPECT_EQ(feed(s, "TOP 2 99\r\n"),
              "+OK top of message follows\r\nSubject: two\r\n\r\n..leading dot\r\n...two dots\r\n"
              "last\r\n.\r\n");
    EXPECT_EQ(feed(s, "TOP 2\r\n"), "-ERR TOP needs a message number and a line count\r\n");
    EXPECT_EQ(feed(s, "TOP 5 1\r\n"), "-ERR no such message\r\n");
}

TEST_F(pop3_test, dele_rset_and_quit_remove_for_this_mailbox_only)
{
    auto s = login("bob");
    EXPECT_EQ(feed(s, "DELE 2\r\n"), "+OK message 2 deleted\r\n");
    EXPECT_EQ(feed(s, "DELE 2\r\n"), "-ERR no such message\r\n");
    EXPECT_EQ(feed(s, "RETR 2\r\n"), "-ERR no such message\r\n");
    EXPECT_EQ(feed(s, "STAT\r\n"), "+OK 1 23\r\n");
    EXPECT_EQ(feed(s, "LIST\r\n"), "+OK 1 23 scan listing follows\r\n1 23\r\n.\r\n");
    EXPECT_EQ(feed(s, "RSET\r\n"), "+OK maildrop has 2 messages (71 octets)\r\n");
    EXPECT_EQ(feed(s, "STAT\r\n"), "+OK 2 71\r\n");
    EXPECT_EQ(feed(s, "DELE 2\r\n"), "+OK message 2 deleted\r\n");
    bool closed = false;
    EXPECT_EQ(feed(s, "QUIT\r\n", &closed),
              "+OK mock.example POP3 server signing off (1 messages left)\r\n");
    EXPECT_TRUE(closed);
    EXPECT_EQ(s.current_state(), pop3_session::state::closed);
    ASSERT_EQ(removed_.size(), 1u);
    EXPECT_EQ(removed_[0], (std::pair<std::string, std::string>{"2", "bob@example.com"}));

    // Bob no longer has it; Carol still does; the store still holds it.
    auto again = login("bob");
    EXPECT_EQ(feed(again, "STAT\r\n"), "+OK 1 23\r\n");
    auto carol = login("carol", "pw");
    EXPECT_EQ(feed(carol, "UIDL\r\n"), "+OK unique-id listing follows\r\n1 2\r\n.\r\n");
    EXPECT_EQ(store_.size(), 3u);
}

TEST_F(pop3_test, no_update_without_quit)
{
    auto s = login("bob");
    feed(s, "DELE 1\r\n");
    EXPECT_TRUE(std::holds_alternative<mock::pop3::close_action>(
        s.on_io_error(mock::transport_error::end_of_stream)));
    EXPECT_TRUE(removed_.empty());
    auto t = login("bob");
    feed(t, "DELE 1\r\n");
    EXPECT_TRUE(std::holds_alternative<mock::pop3::close_action>(s.on_timeout(t0 + 11min)));
    EXPECT_TRUE(removed_.empty());
    auto again = login("bob");
    EXPECT_EQ(feed(again, "STAT\r\n"), "+OK 2 71\r\n");
}

TEST_F(pop3_test, quit_in_authorization_closes_without_update)
{
    auto s = open_session();
    bool closed = false;
    EXPECT_EQ(feed(s, "QUIT\r\n", &closed), "+OK mock.example POP3 server signing off\r\n");
    EXPECT_TRUE(closed);
}

TEST_F(pop3_test, capa_in_both_states)
{
    auto s = open_session();
    auto capa = feed(s, "CAPA\r\n");
    EXPECT_EQ(capa.rfind("+OK", 0), 0u);
    EXPECT_NE(capa.find("\r\nUSER\r\n"), std::string::npos);
    EXPECT_NE(capa.find("\r\nUIDL\r\n"), std::string::npos);
    EXPECT_NE(capa.find("\r\nTOP\r\n"), std::string::npos);
    EXPECT_EQ(capa.substr(capa.size() - 3), ".\r\n");
    feed(s, "USER bob\r\nPASS x\r\n");
    EXPECT_EQ(feed(s, "CAPA\r\n"), capa);
}

TEST_F(pop3_test, reads_wait_with_the_autologout_deadline)
{
    pop3_session s(drop_, config_);
    s.start(t0);
    auto a = s.on_written(t0);
    ASSERT_TRUE(std::holds_alternative<mock::pop3::read_action>(a));
    EXPECT_EQ(std::get<mock::pop3::read_action>(a).deadline, t0 + 10min);
    EXPECT_TRUE(std::holds_alternative<mock::pop3::read_action>(s.on_read("STA", t0)));
}

TEST_F(pop3_test, pipelined_commands_are_answered_in_order_and_stop_at_quit)
{
    auto s = open_session();
    bool closed = false;
    auto out = feed(s, "USER bob\r\nPASS x\r\nSTAT\r\nDELE 1\r\nQUIT\r\nNOOP\r\n", &closed);
    EXPECT_EQ(out, "+OK bob is known here\r\n+OK maildrop has 2 messages (71 octets)\r\n"
                   "+OK 2 71\r\n+OK message 1 deleted\r\n"
                   "+OK mock.example POP3 server signing off (1 messages left)\r\n");
    EXPECT_TRUE(closed);
}

TEST_F(pop3_test, lone_lf_ends_a_line_too)
{
    auto s = open_session();
    EXPECT_EQ(feed(s, "USER bob\nPASS x\n"),
              "+OK bob is known here\r\n+OK maildrop has 2 messages (71 octets)\r\n");
}

TEST_F(pop3_test, over_long_lines_are_refused_once_and_discarded)
{
    auto s = open_session();
    std::string junk(pop3_session::max_line + 10, 'A');
    EXPECT_EQ(feed(s, junk), "-ERR line too long\r\n");
    EXPECT_EQ(feed(s, junk), "");
    EXPECT_EQ(feed(s, "tail\r\nNOOP\r\n"), "-ERR log in with USER and PASS first\r\n");
}

TEST_F(pop3_test, split_at_every_byte_gives_the_same_dialogue)
{
    const std::string script =
        "USER bob\r\nPASS x\r\nSTAT\r\nLIST\r\nUIDL 2\r\nRETR 2\r\nTOP 1 0\r\nDELE 1\r\n"
        "RSET\r\nDELE 2\r\nNOOP\r\nCAPA\r\nQUIT\r\n";
    // Reference: everything in one read.
    std::string reference;
    {
        mock::message_store store;
        for (const auto& m : store_.list()) {
            store.add(*m);
        }
        mock::pop3::store_maildrop drop(store, &users_);
        pop3_session s(drop, config_);
        drain(s, s.start(t0));
        bool closed = false;
        reference = feed(s, script, &closed);
        ASSERT_TRUE(closed);
    }
    for (std::size_t split = 1; split < script.size(); ++split) {
        mock::message_store store;
        for (const auto& m : store_.list()) {
            store.add(*m);
        }
        mock::pop3::store_maildrop drop(store, &users_);
        pop3_session s(drop, config_);
        drain(s, s.start(t0));
        bool closed = false;
        std::string out = feed(s, script.substr(0, split), &closed);
        out += feed(s, script.substr(split), &closed);
        EXPECT_EQ(out, reference) << "split at " << split;
        EXPECT_TRUE(closed);
    }
    // And one byte at a time.
    mock::message_store store;
    for (const auto& m : store_.list()) {
        store.add(*m);
    }
    mock::pop3::store_maildrop drop(store, &users_);
    pop3_session s(drop, config_);
    drain(s, s.start(t0));
    std::string out;
    bool closed = false;
    for (char c : script) {
        out += feed(s, std::string_view(&c, 1), &closed);
    }
    EXPECT_EQ(out, reference);
    EXPECT_TRUE(closed);
}

TEST(pop3_helpers, multiline_body_stuffs_every_leading_dot)
{
    EXPECT_EQ(mock::pop3::multiline_body(".\r\n"), "..\r\n.\r\n");
    EXPECT_EQ(mock::pop3::multiline_body("a\r\n.\r\n.b\r\n"), "a\r\n..\r\n..b\r\n.\r\n");
    EXPECT_EQ(mock::pop3::multiline_body(""), ".\r\n");
    EXPECT_EQ(mock::pop3::multiline_body("x"), "x\r\n.\r\n");
    EXPECT_EQ(mock::pop3::wire_size("x"), 3u);
    EXPECT_EQ(mock::pop3::wire_size("x\r\n"), 3u);
    EXPECT_EQ(mock::pop3::wire_size(""), 0u);
}

TEST(pop3_helpers, mailbox_matching)
{
    using mock::pop3::store_maildrop;
    EXPECT_TRUE(store_maildrop::belongs_to("Bob@Example.com", "bob"));
    EXPECT_TRUE(store_maildrop::belongs_to("bob@example.com", "BOB@example.COM"));
    EXPECT_FALSE(store_maildrop::belongs_to("bob@example.com", "bob@other.com"));
    EXPECT_FALSE(store_maildrop::belongs_to("bobby@example.com", "bob"));
    EXPECT_TRUE(store_maildrop::belongs_to("postmaster", "postmaster"));
}

} // namespace

// --- Bounded replies: the same cap as SMTP's combined replies ---

TEST_F(pop3_test, pipelined_retrs_of_a_large_message_go_out_in_bounded_writes)
{
    std::string big;
    while (big.size() < 1024 * 1024) {
        big += ".a line of the large message, dot-stuffed when sent\r\n";
    }
    add("a@x", {"erin@example.com"}, big);
    auto s = login("erin");
    std::string pipelined;
    for (int i = 0; i < 200; ++i) {
        pipelined += "RETR 1\r\n";
    }
    // Each write holds at most the cap plus one line; the session asks to read only when all
    // 200 answers are out.
    std::size_t writes = 0, largest = 0, retrs = 0, octets = 0;
    auto a = s.on_read(pipelined, t0);
    const std::string expected = "+OK " + std::to_string(mock::pop3::wire_size(big)) +
                                 " octets\r\n" + mock::pop3::multiline_body(big);
    std::string reply; // one RETR's answer at a time, to compare
    while (auto* w = std::get_if<mock::pop3::write_action>(&a)) {
        ++writes;
        largest = std::max(largest, w->bytes.size());
        octets += w->bytes.size();
        reply += w->bytes;
        while (reply.size() >= expected.size()) {
            auto differ = std::mismatch(expected.begin(), expected.end(), reply.begin());
            ASSERT_EQ(differ.first, expected.end())
                << "reply " << retrs << " differs at octet " << (differ.first - expected.begin())
                << ": " << reply.substr(differ.second - reply.begin(), 40);
            reply.erase(0, expected.size());
            ++retrs;
        }
        a = s.on_written(t0);
    }
    EXPECT_TRUE(std::holds_alternative<mock::pop3::read_action>(a));
    EXPECT_EQ(retrs, 200u);
    EXPECT_EQ(reply, "");
    EXPECT_EQ(octets, 200 * expected.size());
    EXPECT_LE(largest, mock::max_combined_write + 1024);
    EXPECT_GT(writes, 200u * (1024 * 1024 / mock::max_combined_write));
}

TEST_F(pop3_test, top_of_is_a_prefix_and_streams_like_retr)
{
    const std::string m = "A: 1\r\nB: 2\r\n\r\none\r\n.two\r\nthree\r\n";
    EXPECT_EQ(mock::pop3::top_of(m, 1), "A: 1\r\nB: 2\r\n\r\none\r\n");
    EXPECT_EQ(mock::pop3::top_of(m, 0).data(), m.data());
    std::string out;
    mock::pop3::multiline_stream stream(m);
    std::size_t pieces = 0;
    while (!stream.append_to(out, out.size() + 3)) {
        ++pieces;
    }
    EXPECT_EQ(out, mock::pop3::multiline_body(m));
    EXPECT_GT(pieces, 5u);
}

// --- An error at every action: the session closes, and applies deletions only after QUIT ---

TEST_F(pop3_test, an_error_at_every_action_closes_without_update_unless_quit_was_given)
{
    const std::vector<std::string> input = {"USER bob\r\n", "PASS x\r\n", "DELE 1\r\nRETR 2\r\n",
                                            "QUIT\r\n"};
    enum class failure { io_error, timeout, stop };
    std::size_t healthy_actions = 0;
    for (auto how : {failure::io_error, failure::timeout, failure::stop}) {
        for (std::size_t fail_at = 0; fail_at < 20; ++fail_at) {
            mock::message_store store;
            for (const auto& m : store_.list()) {
                store.add(*m);
            }
            std::vector<std::pair<std::string, std::string>> removed;
            mock::pop3::store_maildrop drop(
                store, &users_, [&](auto& id, auto& r) { removed.emplace_back(id, r); });
            pop3_session s(drop, config_);
            std::size_t next_input = 0, n = 0;
            bool quit_given = false, failed = false;
            auto a = s.start(t0);
            for (; n < 100 && !std::holds_alternative<mock::pop3::close_action>(a); ++n) {
                if (n == fail_at) {
                    failed = true;
                    a = how == failure::io_error  ? s.on_io_error(mock::transport_error::reset)
                        : how == failure::timeout ? s.on_timeout(t0)
                                                  : s.on_shutdown();
                } else if (std::holds_alternative<mock::pop3::write_action>(a)) {
                    a = s.on_written(t0);
                } else if (next_input < input.size()) {
                    quit_given = quit_given || input[next_input] == "QUIT\r\n";
                    a = s.on_read(input[next_input++], t0);
                } else {
                    a = s.on_io_error(mock::transport_error::end_of_stream);
                }
            }
            EXPECT_TRUE(std::holds_alternative<mock::pop3::close_action>(a)) << fail_at;
            EXPECT_EQ(s.current_state() == pop3_session::state::closed ||
                          s.current_state() == pop3_session::state::update,
                      true);
            // RFC 1939 §6: deletions apply only in UPDATE, after the client's QUIT.
            EXPECT_EQ(!removed.empty(), quit_given) << fail_at;
            if (!failed) {
                healthy_actions = std::max(healthy_actions, n);
            }
        }
    }
    EXPECT_GT(healthy_actions, 6u); // the failures covered every action of the dialogue
    EXPECT_LT(healthy_actions, 20u);
}
