// IMAP mailboxes over the message store: the POP3 user rule, UIDs, flags, \Recent claims, what
// expunging does to the POP3 maildrop and back, and delivery policies (Junk, held back,
// duplicated, changed, lost).
#include "imap_script.hpp"
#include "mockserver/pop3/pop3_session.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using mock::imap::flag_change;
using mock::imap::folder_id;

namespace {

class imap_store_test : public ::testing::Test {
protected:
    imap_store_test()
    {
        world_.users.add("carol", "pw");
        world_.add({"bob@example.com"}, "Subject: one\r\n\r\n1\r\n", 3h);
        world_.add({"bob@example.com", "Carol@Example.com"}, "Subject: two\r\n\r\n2\r\n", 2h);
        world_.add({"carol@other.example"}, "Subject: three\r\n\r\n3\r\n", 1h);
    }

    std::vector<std::uint32_t> uids(std::string_view user, folder_id f = folder_id::inbox)
    {
        std::vector<std::uint32_t> out;
        for (const auto& m : world_.mailboxes->read(user, f, false).messages) {
            out.push_back(m.uid);
        }
        return out;
    }

    // The POP3 STAT of `user`, e.g. "+OK 2 40".
    std::string pop3_stat(const std::string& user, const std::string& password = "x")
    {
        mock::pop3::pop3_session s(world_.maildrops, {});
        s.start({});
        std::string out;
        auto a = s.on_read("USER " + user + "\r\nPASS " + password + "\r\nSTAT\r\n", {});
        while (auto* w = std::get_if<mock::pop3::write_action>(&a)) {
            out = w->bytes;
            a = s.on_written({});
        }
        return out.substr(out.rfind("+OK"));
    }

    mock::test::imap_world world_;
};

TEST_F(imap_store_test, users_and_passwords_follow_the_pop3_rule)
{
    auto& box = *world_.mailboxes;
    EXPECT_TRUE(box.authenticate("bob", "anything"));
    EXPECT_TRUE(box.authenticate("carol", "pw"));
    EXPECT_FALSE(box.authenticate("carol", "wrong"));
    EXPECT_FALSE(box.authenticate("carol@example.com", "wrong"));
    EXPECT_EQ(uids("bob"), (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(uids("carol"), (std::vector<std::uint32_t>{1, 2})); // both domains
    EXPECT_EQ(uids("carol@example.com"), (std::vector<std::uint32_t>{1}));
    EXPECT_EQ(uids("CAROL@EXAMPLE.COM"), (std::vector<std::uint32_t>{1})); // the same mailbox
    EXPECT_TRUE(uids("nobody").empty());
}

TEST_F(imap_store_test, uids_validity_dates_and_new_mail)
{
    auto snap = world_.mailboxes->read("bob", folder_id::inbox, false);
    EXPECT_EQ(snap.uid_validity, 1707732000u);
    EXPECT_EQ(snap.uid_next, 3u);
    ASSERT_EQ(snap.messages.size(), 2u);
    EXPECT_EQ(snap.messages[0].internal_date, world_.wall - 3h);
    EXPECT_EQ(snap.messages[1].content->data, "Subject: two\r\n\r\n2\r\n");
    EXPECT_FALSE(snap.next_change_in);
    world_.add({"bob@example.com"}, "Subject: four\r\n\r\n", 0s);
    EXPECT_EQ(uids("bob"), (std::vector<std::uint32_t>{1, 2, 3}));
    EXPECT_TRUE(uids("bob", folder_id::junk).empty());
    mock::imap::store_mailbox zero(world_.maildrops, 0);
    EXPECT_EQ(zero.read("bob", folder_id::inbox, false).uid_validity, 1u); // nz-number
}

TEST_F(imap_store_test, recent_goes_to_the_first_session_that_claims_it)
{
    auto& box = *world_.mailboxes;
    auto peek = box.read("bob", folder_id::inbox, false);
    EXPECT_TRUE(peek.messages[0].recent && peek.messages[1].recent);
    auto claim = box.read("bob", folder_id::inbox, true);
    EXPECT_TRUE(claim.messages[0].recent && claim.messages[1].recent);
    auto again = box.read("bob", folder_id::inbox, true);
    EXPECT_FALSE(again.messages[0].recent || again.messages[1].recent);
    world_.add({"bob@example.com"}, "Subject: four\r\n\r\n", 0s);
    auto next = box.read("bob", folder_id::inbox, true);
    EXPECT_FALSE(next.messages[1].recent);
    EXPECT_TRUE(next.messages[2].recent);
    // Carol's claim on the shared message is hers alone.
    EXPECT_TRUE(box.read("carol", folder_id::inbox, true).messages[0].recent);
}

TEST_F(imap_store_test, flags_change_per_user)
{
    auto& box = *world_.mailboxes;
    using mock::imap::flag_deleted;
    using mock::imap::flag_flagged;
    using mock::imap::flag_seen;
    auto changed = box.change_flags("bob", folder_id::inbox, {1, 2, 9}, flag_change::add,
                                    flag_seen | flag_flagged);
    ASSERT_EQ(changed.size(), 2u);
    EXPECT_EQ(changed[1],
              (std::pair<std::uint32_t, mock::imap::flag_set>{2, flag_seen | flag_flagged}));
    changed = box.change_flags("bob", folder_id::inbox, {2}, flag_change::remove, flag_seen);
    EXPECT_EQ(changed[0].second, flag_flagged);
    changed = box.change_flags("bob", folder_id::inbox, {2}, flag_change::replace, flag_deleted);
    EXPECT_EQ(changed[0].second, flag_deleted);
    EXPECT_EQ(box.read("carol", folder_id::inbox, false).messages[0].flags, 0);
    EXPECT_TRUE(box.change_flags("bob", folder_id::junk, {1}, flag_change::add, flag_seen).empty());
}

TEST_F(imap_store_test, expunging_the_last_copy_removes_it_from_the_maildrop)
{
    auto& box = *world_.mailboxes;
    EXPECT_EQ(pop3_stat("bob"), "+OK 2 38\r\n");
    auto copied = box.copy("bob", folder_id::inbox, {1, 2}, folder_id::junk);
    EXPECT_EQ(copied.uid_validity, 1707732000u);
    ASSERT_EQ(copied.uids.size(), 2u);
    EXPECT_EQ(copied.uids[1], (std::pair<std::uint32_t, std::uint32_t>{2, 2}));
    // The INBOX copies go; the Junk copies keep the messages in the maildrop.
    EXPECT_EQ(box.expunge("bob", folder_id::inbox, {1, 2, 7}), (std::vector<std::uint32_t>{1, 2}));
    EXPECT_TRUE(world_.removed.empty());
    EXPECT_EQ(pop3_stat("bob"), "+OK 2 38\r\n");
    EXPECT_EQ(box.expunge("bob", folder_id::junk, {1}), (std::vector<std::uint32_t>{1}));
    ASSERT_EQ(world_.removed.size(), 1u);
    EXPECT_EQ(world_.removed[0], (std::pair<std::string, std::string>{"1", "bob@example.com"}));
    EXPECT_EQ(pop3_stat("bob"), "+OK 1 19\r\n");
    // Carol still has message 2; only Bob's copy left.
    EXPECT_EQ(uids("carol@example.com"), (std::vector<std::uint32_t>{1}));
    // Copying a folder into itself takes only what was there.
    EXPECT_EQ(box.copy("bob", folder_id::junk, {2}, folder_id::junk).uids.size(), 1u);
    EXPECT_EQ(uids("bob", folder_id::junk), (std::vector<std::uint32_t>{2, 3}));
}

TEST_F(imap_store_test, messages_removed_from_the_maildrop_leave_every_folder)
{
    auto& box = *world_.mailboxes;
    box.copy("bob", folder_id::inbox, {2}, folder_id::junk);
    world_.maildrops.remove("bob", {"2"}); // a POP3 DELE and QUIT
    EXPECT_EQ(uids("bob"), (std::vector<std::uint32_t>{1}));
    EXPECT_TRUE(uids("bob", folder_id::junk).empty());
    world_.store.clear(); // DELETE /api/v1/messages
    EXPECT_TRUE(uids("bob").empty());
    EXPECT_TRUE(uids("carol").empty());
    world_.add({"bob@example.com"}, "Subject: after\r\n\r\n", 0s);
    EXPECT_EQ(uids("bob"), (std::vector<std::uint32_t>{3})); // UIDs are never reused
}

TEST_F(imap_store_test, a_policy_puts_messages_in_junk_duplicates_changes_or_loses_them)
{
    world_.policy = [](const mock::captured_message& m, std::string_view user) {
        std::vector<mock::imap::delivery> plan;
        if (m.data.find("one") != std::string::npos) {
            plan.push_back({folder_id::junk, 0ms, nullptr});
        } else if (m.data.find("two") != std::string::npos && user == "bob") {
            auto changed = std::make_shared<mock::captured_message>(m);
            changed->data = "Subject: [SPAM] two\r\n\r\n2\r\n";
            plan.push_back({folder_id::inbox, 0ms, nullptr});
            plan.push_back({folder_id::inbox, 0ms, changed});
        } else if (m.data.find("three") == std::string::npos) {
            plan.push_back({});
        } // three: lost
        return plan;
    };
    world_.reset_mailboxes();
    auto& box = *world_.mailboxes;
    auto inbox = box.read("bob", folder_id::inbox, false);
    ASSERT_EQ(inbox.messages.size(), 2u);
    EXPECT_EQ(inbox.messages[0].content->data, "Subject: two\r\n\r\n2\r\n");
    EXPECT_EQ(inbox.messages[1].content->data, "Subject: [SPAM] two\r\n\r\n2\r\n");
    EXPECT_EQ(world_.store.find("2")->data, "Subject: two\r\n\r\n2\r\n"); // the store keeps it
    auto junk = box.read("bob", folder_id::junk, false);
    ASSERT_EQ(junk.messages.size(), 1u);
    EXPECT_EQ(junk.messages[0].content->data, "Subject: one\r\n\r\n1\r\n");
    EXPECT_TRUE(uids("carol@other.example").empty());
    EXPECT_EQ(uids("carol@example.com"), (std::vector<std::uint32_t>{1}));
    // Expunging one duplicate keeps the message in the maildrop; the second releases it.
    box.expunge("bob", folder_id::inbox, {1});
    EXPECT_TRUE(world_.removed.empty());
    box.expunge("bob", folder_id::inbox, {2});
    EXPECT_EQ(world_.removed.size(), 1u);
}

TEST_F(imap_store_test, a_held_back_delivery_arrives_when_it_falls_due)
{
    world_.policy = [](const mock::captured_message& m, std::string_view) {
        mock::imap::delivery d;
        d.delay = m.data.find("late") != std::string::npos ? 5min : 0ms;
        return std::vector<mock::imap::delivery>{d};
    };
    world_.reset_mailboxes();
    world_.add({"bob@example.com"}, "Subject: late\r\n\r\n", 60s);
    auto& box = *world_.mailboxes;
    auto snap = box.read("bob", folder_id::inbox, false);
    EXPECT_EQ(snap.messages.size(), 2u);
    ASSERT_TRUE(snap.next_change_in);
    EXPECT_EQ(*snap.next_change_in, 4min);
    world_.wall += 4min - 1ms;
    EXPECT_EQ(box.read("bob", folder_id::inbox, false).messages.size(), 2u);
    world_.wall += 1ms;
    snap = box.read("bob", folder_id::inbox, false);
    ASSERT_EQ(snap.messages.size(), 3u);
    EXPECT_EQ(snap.messages[2].internal_date, world_.wall); // delivered, not received, then
    EXPECT_FALSE(snap.next_change_in);
    // A held-back message removed from the store never arrives.
    world_.add({"bob@example.com"}, "Subject: late again\r\n\r\n", 0s);
    EXPECT_TRUE(box.read("bob", folder_id::inbox, false).next_change_in);
    world_.store.remove("5");
    EXPECT_FALSE(box.read("bob", folder_id::inbox, false).next_change_in);
}

} // namespace
