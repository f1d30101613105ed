// Reading a document file is bounded: regular files only, checked before anything is read, and
// at most 1 MiB. A FIFO with no writer and /dev/zero are refused at once.
#include "config/document_file.hpp"
#include "config/error.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class document_file : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() /
               ("config_document_file_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& name, const std::string& text)
    {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }

    static std::string refusal(const fs::path& file)
    {
        try {
            config::read_document_file(file);
        } catch (const config::error& e) {
            EXPECT_EQ(e.file, file.string());
            EXPECT_EQ(e.line, 0);
            return e.message;
        }
        ADD_FAILURE() << "read " << file;
        return {};
    }

    fs::path dir_;
};

TEST_F(document_file, reads_a_regular_file)
{
    const std::string text = "name: x\nrules: []\n";
    EXPECT_EQ(config::read_document_file(write("a.yaml", text)), text);
    EXPECT_EQ(config::read_document_file(write("empty.yaml", "")), "");
    const std::string full(config::max_document_size, 'x');
    EXPECT_EQ(config::read_document_file(write("full.yaml", full)).size(), full.size());
}

TEST_F(document_file, refuses_a_file_over_the_limit_before_reading_it)
{
    const auto big = write("big.yaml", std::string(config::max_document_size + 1, 'x'));
    EXPECT_THAT(refusal(big), HasSubstr("over the limit of 1048576 octets (it has 1048577)"));
}

TEST_F(document_file, refuses_a_fifo_without_waiting_for_a_writer)
{
    const auto fifo = dir_ / "pipe.yaml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THAT(refusal(fifo), HasSubstr("it is a FIFO; give a regular file"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(document_file, refuses_devices_and_directories)
{
    EXPECT_THAT(refusal("/dev/zero"), HasSubstr("it is a device; give a regular file"));
    EXPECT_THAT(refusal(dir_), HasSubstr("it is a directory"));
    EXPECT_THAT(refusal(dir_ / "missing.yaml"), HasSubstr("cannot read the file: No such file"));
}

} // namespace
