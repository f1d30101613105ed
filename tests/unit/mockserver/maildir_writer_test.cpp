#include "mockserver/maildir_writer.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

class maildir_test : public ::testing::Test {
protected:
    maildir_test()
        : root_(fs::temp_directory_path() /
                ("smtph-maildir-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name()))
    {
        fs::remove_all(root_);
    }
    ~maildir_test() override { fs::remove_all(root_); }

    static std::string read(const fs::path& p)
    {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }

    static std::size_t count(const fs::path& dir)
    {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) {
            ++n;
        }
        return n;
    }

    mock::captured_message message(std::string id, std::vector<std::string> to, std::string data)
    {
        mock::captured_message m;
        m.id = std::move(id);
        m.rcpt_to = std::move(to);
        m.data = std::move(data);
        return m;
    }

    fs::path root_;
};

TEST(maildir_names, unique_name_follows_the_maildir_spec)
{
    using namespace std::chrono;
    auto t = system_clock::time_point(microseconds(1796000000123456));
    auto name = mock::maildir_writer::unique_name(t, 4242, 7, "mx.example/a:b", 321);
    EXPECT_EQ(name, "1796000000.M123456P4242Q7.mx.example\\057a\\072b,S=321");
}

TEST(maildir_names, mailbox_names_are_safe_directory_names)
{
    EXPECT_EQ(mock::maildir_writer::mailbox_name("Bob@Example.COM"), "bob@example.com");
    EXPECT_EQ(mock::maildir_writer::mailbox_name("../etc/passwd"), "_.._etc_passwd");
    EXPECT_EQ(mock::maildir_writer::mailbox_name(".hidden"), "_.hidden");
    EXPECT_EQ(mock::maildir_writer::mailbox_name(""), "_");
    EXPECT_EQ(mock::maildir_writer::mailbox_name(std::string("a\nb", 3)), "a_b");
}

TEST_F(maildir_test, delivers_one_file_per_recipient_into_new)
{
    mock::maildir_writer w(root_);
    const std::string data = "Subject: x\r\n\r\n.dot line\r\nend\r\n";
    auto files = w.write(message("1", {"a@example.com", "B@example.com", "a@EXAMPLE.com"}, data));
    ASSERT_EQ(files.size(), 2u); // a@example.com given twice gets one copy
    for (const char* box : {"a@example.com", "b@example.com"}) {
        for (const char* sub : {"tmp", "new", "cur"}) {
            EXPECT_TRUE(fs::is_directory(root_ / box / sub)) << box << "/" << sub;
        }
        EXPECT_EQ(count(root_ / box / "tmp"), 0u) << "tmp/ must be empty after delivery";
        EXPECT_EQ(count(root_ / box / "new"), 1u);
        auto file = fs::directory_iterator(root_ / box / "new")->path();
        EXPECT_EQ(read(file), data) << "byte-exact";
        EXPECT_TRUE(std::regex_match(
            file.filename().string(),
            std::regex(R"(\d+\.M\d+P\d+Q\d+\..+,S=)" + std::to_string(data.size()))))
            << file;
    }
}

TEST_F(maildir_test, names_are_unique_across_many_deliveries)
{
    mock::maildir_writer w(root_);
    std::set<std::string> names;
    for (int i = 0; i < 50; ++i) {
        auto files = w.write(message(std::to_string(i), {"u@x"}, "m\r\n"));
        ASSERT_EQ(files.size(), 1u);
        names.insert(files[0].filename().string());
    }
    EXPECT_EQ(names.size(), 50u);
    EXPECT_EQ(count(root_ / "u@x" / "new"), 50u);
}

TEST_F(maildir_test, remove_takes_one_recipients_copy_also_from_cur)
{
    mock::maildir_writer w(root_);
    auto files = w.write(message("9", {"a@x", "b@x"}, "m\r\n"));
    ASSERT_EQ(files.size(), 2u);
    EXPECT_TRUE(w.remove("9", "A@X"));
    EXPECT_EQ(count(root_ / "a@x" / "new"), 0u);
    EXPECT_EQ(count(root_ / "b@x" / "new"), 1u);
    EXPECT_FALSE(w.remove("9", "a@x"));
    // A reader moved it to cur/ and flagged it as seen.
    auto moved = root_ / "b@x" / "cur" / (files[1].filename().string() + ":2,S");
    fs::rename(files[1], moved);
    EXPECT_TRUE(w.remove("9", "b@x"));
    EXPECT_FALSE(fs::exists(moved));
}

TEST_F(maildir_test, failure_to_write_throws)
{
    mock::maildir_writer w(root_);
    // A file where the mailbox directory should be.
    std::ofstream(root_ / "blocked@x") << "x";
    EXPECT_THROW(w.write(message("1", {"blocked@x"}, "m\r\n")), std::system_error);
}

TEST_F(maildir_test, a_failure_removes_the_copies_already_made)
{
    mock::maildir_writer w(root_);
    std::ofstream(root_ / "blocked@x") << "x";
    EXPECT_THROW(w.write(message("1", {"first@x", "blocked@x"}, "m\r\n")), std::system_error);
    EXPECT_EQ(count(root_ / "first@x" / "new"), 0u);
    EXPECT_EQ(count(root_ / "first@x" / "tmp"), 0u);
    EXPECT_FALSE(w.remove("1", "first@x"));
}

} // namespace
