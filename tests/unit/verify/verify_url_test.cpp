// Parsing --verify URLs: schemes, default ports, percent-decoding, and each error.

#include "verify/verify_error.hpp"
#include "verify/verify_target.hpp"

#include <gtest/gtest.h>

namespace {

using namespace verify;
using proto = verify_target::protocol;

TEST(VerifyUrl, ParsesEverySchemeWithItsDefaultPort)
{
    const std::pair<const char*, std::pair<proto, std::uint16_t>> cases[] = {
        {"pop3://u:p@mail.example", {proto::pop3, 110}},
        {"pop3s://u:p@mail.example", {proto::pop3s, 995}},
        {"imap://u:p@mail.example", {proto::imap, 143}},
        {"imaps://u:p@mail.example/", {proto::imaps, 993}},
        {"IMAPS://u:p@mail.example", {proto::imaps, 993}},
    };
    for (const auto& [url, expected] : cases) {
        auto t = parse_verify_url(url);
        ASSERT_TRUE(t) << url << ": " << t.error().message();
        EXPECT_EQ(t->proto, expected.first) << url;
        EXPECT_EQ(t->port, expected.second) << url;
        EXPECT_EQ(t->host, "mail.example");
        EXPECT_EQ(t->user, "u");
        EXPECT_EQ(t->password, "p");
        EXPECT_FALSE(t->insecure);
    }
    EXPECT_TRUE(uses_tls(proto::pop3s));
    EXPECT_TRUE(uses_tls(proto::imaps));
    EXPECT_FALSE(uses_tls(proto::pop3));
    EXPECT_FALSE(uses_tls(proto::imap));
}

TEST(VerifyUrl, DecodesCredentialsAndReadsPortsAndAddresses)
{
    auto t = parse_verify_url("pop3://probe%40example.test:s3cr%40t%25p%3A%26ss@127.0.0.1:40110");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->user, "probe@example.test");
    EXPECT_EQ(t->password, "s3cr@t%p:&ss");
    EXPECT_EQ(t->host, "127.0.0.1");
    EXPECT_EQ(t->port, 40110);

    auto v6 = parse_verify_url("imaps://u:p@[::1]:9993?insecure");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 9993);
    EXPECT_TRUE(v6->insecure);

    auto off = parse_verify_url("imaps://u:p@h?insecure=0");
    ASSERT_TRUE(off);
    EXPECT_FALSE(off->insecure);
    auto on = parse_verify_url("imaps://u:p@h?insecure=true");
    ASSERT_TRUE(on);
    EXPECT_TRUE(on->insecure);

    auto empty_password = parse_verify_url("pop3://u:@h");
    ASSERT_TRUE(empty_password);
    EXPECT_EQ(empty_password->password, "");
}

TEST(VerifyUrl, SaysWhatIsWrong)
{
    const std::pair<const char*, verify_errc> cases[] = {
        {"", verify_errc::url_syntax},
        {"not a url", verify_errc::url_syntax},
        {"pop3://u:p%zz@h", verify_errc::url_syntax},
        {"http://u:p@h", verify_errc::url_scheme},
        {"smtp://u:p@h", verify_errc::url_scheme},
        {"pop3://h", verify_errc::url_credentials},
        {"pop3://u@h", verify_errc::url_credentials},
        {"pop3://:p@h", verify_errc::url_credentials},
        {"pop3://u:p@", verify_errc::url_host},
        {"pop3://u:p@h:0", verify_errc::url_port},
        {"pop3://u:p@h:65536", verify_errc::url_port},
        {"pop3://u:p@h:", verify_errc::url_port},
        {"imap://u:p@h/INBOX", verify_errc::url_path},
        {"imap://u:p@h?mailbox=x", verify_errc::url_syntax},
        {"imap://u:p@h?insecure=maybe", verify_errc::url_syntax},
    };
    for (const auto& [url, expected] : cases) {
        auto t = parse_verify_url(url);
        ASSERT_FALSE(t) << url;
        EXPECT_EQ(t.error(), expected) << url << ": " << t.error().message();
        EXPECT_EQ(std::string(t.error().category().name()), "smtp.verify");
        EXPECT_EQ(t.error().message().find("p@"), std::string::npos); // never echoes secrets
    }
}

} // namespace
