// Delivery faults on the way to the mailboxes: the plan read from the stored message, the
// rewritten Subject and body, IMAP's folders (store_mailbox with fault_policy) and POP3's view
// (delivered_maildrop), with a wall clock the test moves.
#include "mockserver/credentials.hpp"
#include "mockserver/imap/delivery_faults.hpp"
#include "mockserver/pop3/delivered_maildrop.hpp"
#include "mockserver/pop3/store_maildrop.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using destination = faults::delivery_fault::destination;
using mock::imap::folder_id;

namespace {

TEST(delivery_faults, subject_is_replaced_with_its_continuation_lines_or_added)
{
    using mock::imap::with_subject;
    EXPECT_EQ(
        with_subject("From: a\r\nSUBJECT: old\r\n  more\r\nTo: b\r\n\r\nSubject: body\r\n", "new"),
        "From: a\r\nSubject: new\r\nTo: b\r\n\r\nSubject: body\r\n");
    EXPECT_EQ(with_subject("From: a\r\n\r\nx\r\n", "new"), "Subject: new\r\nFrom: a\r\n\r\nx\r\n");
    EXPECT_EQ(with_subject("Subject: last\r\n", "new"), "Subject: new\r\n");
}

TEST(delivery_faults, body_is_replaced_and_the_header_kept)
{
    using mock::imap::with_body;
    EXPECT_EQ(with_body("Subject: s\r\n\r\nold\r\nlines\r\n", "new"), "Subject: s\r\n\r\nnew\r\n");
    EXPECT_EQ(with_body("Subject: s\r\n", "new\r\n"), "Subject: s\r\n\r\nnew\r\n");
    EXPECT_EQ(with_body("\r\nold\r\n", "new"), "\r\nnew\r\n");
}

// A delivery fault with one field changed from the healthy default.
template <class F> faults::delivery_fault fault(F change)
{
    faults::delivery_fault d;
    change(d);
    return d;
}

class delivered_test : public ::testing::Test {
protected:
    std::string add(faults::delivery_fault d, std::string data = "Subject: s\r\n\r\nb\r\n")
    {
        mock::captured_message m;
        m.rcpt_to = {"bob@example.com"};
        m.data = std::move(data);
        m.received_at = wall_;
        m.delivery = d;
        return store_.add(std::move(m));
    }
    std::vector<std::string> pop3_ids()
    {
        std::vector<std::string> out;
        for (const auto& e : pop3_.open("bob")) {
            out.push_back(e.id);
        }
        return out;
    }
    std::size_t imap_count(folder_id f) { return imap_.read("bob", f, false).messages.size(); }

    std::chrono::system_clock::time_point wall_ =
        std::chrono::sys_days(std::chrono::year(2024) / 2 / 12);
    mock::message_store store_;
    mock::pop3::store_maildrop maildrops_{store_, nullptr};
    mock::pop3::delivered_maildrop pop3_{maildrops_, [this] {
                                             return wall_;
                                         }};
    mock::imap::store_mailbox imap_{maildrops_, 7, mock::imap::fault_policy(), [this] {
                                        return wall_;
                                    }};
};

TEST_F(delivered_test, a_message_delivered_nowhere_is_in_no_mailbox_but_in_the_store)
{
    add(fault([](auto& d) { d.to = destination::nowhere; }));
    EXPECT_TRUE(pop3_ids().empty());
    EXPECT_EQ(imap_count(folder_id::inbox), 0u);
    EXPECT_EQ(imap_count(folder_id::junk), 0u);
    EXPECT_EQ(store_.list().size(), 1u);
}

TEST_F(delivered_test, a_late_message_appears_when_it_is_due)
{
    const auto id = add(fault([](auto& d) { d.after = 30s; }));
    EXPECT_TRUE(pop3_ids().empty());
    EXPECT_EQ(imap_count(folder_id::inbox), 0u);
    wall_ += 29s;
    EXPECT_TRUE(pop3_ids().empty());
    wall_ += 1s;
    EXPECT_EQ(pop3_ids(), std::vector<std::string>{id});
    EXPECT_EQ(imap_count(folder_id::inbox), 1u);
}

TEST_F(delivered_test, junk_is_an_imap_folder_pop3_never_shows)
{
    add(fault([](auto& d) { d.to = destination::junk; }));
    EXPECT_TRUE(pop3_ids().empty());
    EXPECT_EQ(imap_count(folder_id::inbox), 0u);
    EXPECT_EQ(imap_count(folder_id::junk), 1u);
}

TEST_F(delivered_test, twice_is_two_copies_and_deleting_one_removes_the_message)
{
    const auto id = add(fault([](auto& d) { d.copies = 2; }));
    EXPECT_EQ(pop3_ids(), (std::vector<std::string>{id, id + ".2"}));
    EXPECT_EQ(imap_count(folder_id::inbox), 2u);
    pop3_.remove("bob", {id + ".2"});
    EXPECT_TRUE(pop3_ids().empty());
    EXPECT_EQ(imap_count(folder_id::inbox), 0u);
}

TEST_F(delivered_test, changed_content_is_what_both_serve_and_the_store_keeps_the_original)
{
    add(fault([](auto& d) {
        d.subject = "[changed] s";
        d.body = "other";
    }));
    const auto drop = pop3_.open("bob");
    ASSERT_EQ(drop.size(), 1u);
    EXPECT_EQ(drop[0].message->data, "Subject: [changed] s\r\n\r\nother\r\n");
    const auto inbox = imap_.read("bob", folder_id::inbox, false).messages;
    ASSERT_EQ(inbox.size(), 1u);
    EXPECT_EQ(inbox[0].content->data, "Subject: [changed] s\r\n\r\nother\r\n");
    EXPECT_EQ(store_.list().at(0)->data, "Subject: s\r\n\r\nb\r\n");
}

TEST_F(delivered_test, without_a_fault_one_copy_in_inbox_at_once)
{
    mock::captured_message m;
    m.rcpt_to = {"bob@example.com"};
    m.data = "Subject: s\r\n\r\nb\r\n";
    m.received_at = wall_;
    const auto id = store_.add(std::move(m));
    EXPECT_EQ(pop3_ids(), std::vector<std::string>{id});
    EXPECT_EQ(imap_count(folder_id::inbox), 1u);
}

} // namespace
