#include "smtp/command.hpp"
#include "smtp/error.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using smtp::verb;
using smtp::wire_errc;

const std::vector<std::pair<verb, std::string_view>> every_verb{
    {verb::helo, "HELO"}, {verb::ehlo, "EHLO"}, {verb::mail, "MAIL"}, {verb::rcpt, "RCPT"},
    {verb::data, "DATA"}, {verb::rset, "RSET"}, {verb::noop, "NOOP"}, {verb::quit, "QUIT"},
    {verb::vrfy, "VRFY"}, {verb::expn, "EXPN"}, {verb::help, "HELP"}, {verb::starttls, "STARTTLS"},
    {verb::auth, "AUTH"}, {verb::bdat, "BDAT"},
};

// Every mix of upper and lower case of `name` (RFC 5321 §2.4: verbs are case-insensitive).
std::vector<std::string> every_case(std::string_view name)
{
    std::vector<std::string> out;
    for (unsigned mask = 0; mask < (1u << name.size()); ++mask) {
        std::string s(name);
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (mask & (1u << i)) {
                s[i] = static_cast<char>(s[i] - 'A' + 'a');
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

TEST(command, every_verb_in_every_case)
{
    for (const auto& [v, name] : every_verb) {
        EXPECT_EQ(smtp::to_string(v), name);
        for (const auto& spelled : every_case(name)) {
            auto c = smtp::parse_command(spelled);
            EXPECT_EQ(c.cmd, v) << spelled;
            EXPECT_EQ(c.name, name) << spelled;
            EXPECT_EQ(c.argument, "") << spelled;
        }
    }
}

TEST(command, argument_after_one_space)
{
    auto c = smtp::parse_command("ehlo client.example.org");
    EXPECT_EQ(c.cmd, verb::ehlo);
    EXPECT_EQ(c.argument, "client.example.org");

    c = smtp::parse_command("MAIL FROM:<a@b> SIZE=10");
    EXPECT_EQ(c.cmd, verb::mail);
    EXPECT_EQ(c.argument, "FROM:<a@b> SIZE=10");

    c = smtp::parse_command("VRFY  two spaces");
    EXPECT_EQ(c.cmd, verb::vrfy);
    EXPECT_EQ(c.argument, " two spaces");

    c = smtp::parse_command("QUIT ");
    EXPECT_EQ(c.cmd, verb::quit);
    EXPECT_EQ(c.argument, "");
}

TEST(command, unknown_verbs)
{
    for (std::string_view line : {"", " QUIT", "QUI", "QUITT", "MAILFROM:<a@b>", "EHLO\tx",
                                  "XCLIENT NAME=x", "STARTTL", "DATA\r", "\x01QUIT"}) {
        auto c = smtp::parse_command(line);
        EXPECT_EQ(c.cmd, verb::unknown) << line;
    }
    auto c = smtp::parse_command("xexch50 1 2");
    EXPECT_EQ(c.name, "XEXCH50");
    EXPECT_EQ(c.argument, "1 2");
    EXPECT_EQ(smtp::to_string(verb::unknown), "UNKNOWN");
}

TEST(command, phase_of_each_verb)
{
    EXPECT_EQ(smtp::phase_of(verb::helo), smtp::phase::helo);
    EXPECT_EQ(smtp::phase_of(verb::ehlo), smtp::phase::ehlo);
    EXPECT_EQ(smtp::phase_of(verb::mail), smtp::phase::mail);
    EXPECT_EQ(smtp::phase_of(verb::rcpt), smtp::phase::rcpt);
    EXPECT_EQ(smtp::phase_of(verb::data), smtp::phase::data);
    EXPECT_EQ(smtp::phase_of(verb::bdat), smtp::phase::data);
    EXPECT_EQ(smtp::phase_of(verb::rset), smtp::phase::rset);
    EXPECT_EQ(smtp::phase_of(verb::noop), smtp::phase::noop);
    EXPECT_EQ(smtp::phase_of(verb::quit), smtp::phase::quit);
    EXPECT_EQ(smtp::phase_of(verb::vrfy), smtp::phase::vrfy);
    EXPECT_EQ(smtp::phase_of(verb::starttls), smtp::phase::starttls);
    EXPECT_EQ(smtp::phase_of(verb::auth), smtp::phase::auth);
    EXPECT_FALSE(smtp::phase_of(verb::expn).has_value());
    EXPECT_FALSE(smtp::phase_of(verb::help).has_value());
    EXPECT_FALSE(smtp::phase_of(verb::unknown).has_value());
}

// ---- MAIL and RCPT paths (RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2) ----

TEST(mail_argument, plain_mailbox)
{
    auto r = smtp::parse_mail_argument("FROM:<alice@example.org>");
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->mailbox, "alice@example.org");
    EXPECT_TRUE(r->parameters.empty());
}

TEST(mail_argument, keyword_is_case_insensitive)
{
    for (std::string_view arg : {"from:<a@b.c>", "From:<a@b.c>", "fRoM:<a@b.c>"}) {
        auto r = smtp::parse_mail_argument(arg);
        ASSERT_TRUE(r.has_value()) << arg;
        EXPECT_EQ(r->mailbox, "a@b.c");
    }
    auto r = smtp::parse_rcpt_argument("to:<a@b.c>");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "a@b.c");
}

TEST(mail_argument, null_reverse_path)
{
    // RFC 5321 §4.5.5: bounces use the null reverse-path.
    auto r = smtp::parse_mail_argument("FROM:<>");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "");
    r = smtp::parse_mail_argument("FROM:<> SIZE=100");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "");
    ASSERT_NE(r->find("SIZE"), nullptr);
}

TEST(rcpt_argument, null_path_is_refused)
{
    auto r = smtp::parse_rcpt_argument("TO:<>");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), wire_errc::path_syntax);
}

TEST(rcpt_argument, postmaster_without_domain)
{
    // RFC 5321 §4.5.1: <Postmaster> is accepted, case-insensitively, for RCPT only.
    for (std::string_view arg : {"TO:<Postmaster>", "TO:<postmaster>", "TO:<POSTMASTER>"}) {
        auto r = smtp::parse_rcpt_argument(arg);
        ASSERT_TRUE(r.has_value()) << arg;
        EXPECT_EQ(r->mailbox, arg.substr(4, arg.size() - 5));
    }
    EXPECT_TRUE(smtp::parse_rcpt_argument("TO:<postmaster@example.org>").has_value());
    EXPECT_FALSE(smtp::parse_mail_argument("FROM:<postmaster>").has_value());
    EXPECT_FALSE(smtp::parse_rcpt_argument("TO:<postmast>").has_value());
}

TEST(mail_argument, source_route_is_accepted_and_ignored)
{
    // RFC 5321 §4.1.2 and Appendix C: the route is obsolete; servers accept and ignore it.
    auto r = smtp::parse_rcpt_argument("TO:<@relay1.example,@relay2.example:bob@example.org>");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "bob@example.org");
    r = smtp::parse_mail_argument("FROM:<@relay.example:alice@example.org> BODY=8BITMIME");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "alice@example.org");
    ASSERT_NE(r->find("BODY"), nullptr);

    for (std::string_view bad : {"FROM:<@relay.example>", "FROM:<@relay.example:>", "FROM:<@:a@b>",
                                 "FROM:<@relay example:a@b>"}) {
        EXPECT_FALSE(smtp::parse_mail_argument(bad).has_value()) << bad;
    }
}

TEST(mail_argument, quoted_local_part)
{
    // RFC 5321 §4.1.2: Quoted-string local parts may hold spaces, '@', '<' and '>'.
    for (std::string_view mailbox :
         {R"("john doe"@example.org)", R"("a@b"@example.org)", R"("x>y"@example.org)",
          R"("<odd>"@example.org)", R"("back\"slash"@example.org)", R"("a\\b"@example.org)"}) {
        auto r = smtp::parse_mail_argument("FROM:<" + std::string(mailbox) + "> SIZE=5");
        ASSERT_TRUE(r.has_value()) << mailbox;
        EXPECT_EQ(r->mailbox, mailbox);
        ASSERT_NE(r->find("SIZE"), nullptr) << mailbox;
        EXPECT_EQ(r->find("SIZE")->value, "5");
    }
    for (std::string_view bad :
         {R"(FROM:<"unterminated@example.org>)", "FROM:<\"ctl\x01\"@example.org>"}) {
        EXPECT_FALSE(smtp::parse_mail_argument(bad).has_value()) << bad;
    }
}

TEST(mail_argument, address_literal_and_utf8)
{
    auto r = smtp::parse_rcpt_argument("TO:<root@[127.0.0.1]>");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "root@[127.0.0.1]");
    r = smtp::parse_rcpt_argument("TO:<root@[IPv6:::1]>");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "root@[IPv6:::1]");
    // RFC 6531 §3.3: with SMTPUTF8 the mailbox may be UTF-8.
    r = smtp::parse_mail_argument("FROM:<j\xc3\xb6rg@b\xc3\xbc"
                                  "cher.example> SMTPUTF8");
    ASSERT_TRUE(r.has_value());
    EXPECT_NE(r->find("SMTPUTF8"), nullptr);
}

TEST(mail_argument, malformed_mailboxes)
{
    for (std::string_view bad : {"FROM:<alice>", "FROM:<@example.org>", "FROM:<alice@>",
                                 "FROM:<a b@example.org>", "FROM:<a@b@c>", "FROM:<a@exa mple.org>",
                                 "FROM:<a\x7f@b>", "FROM:<a\t@b>", "FROM:<<a@b>>", "FROM:<a<@b>"}) {
        auto r = smtp::parse_mail_argument(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error(), wire_errc::path_syntax) << bad;
    }
}

TEST(mail_argument, missing_or_wrong_prefix)
{
    for (std::string_view bad : {"", "FROM", "FROM:", "FROM: ", "TO:<a@b>", "FRM:<a@b>", "<a@b>",
                                 " FROM:<a@b>", "FROM <a@b>"}) {
        auto r = smtp::parse_mail_argument(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error(), wire_errc::path_missing) << bad;
    }
    auto r = smtp::parse_rcpt_argument("FROM:<a@b>");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), wire_errc::path_missing);
}

TEST(mail_argument, missing_brackets)
{
    for (std::string_view bad : {"FROM:alice@example.org", "FROM:<alice@example.org",
                                 "FROM:alice@example.org>", "FROM:<", "FROM:>"}) {
        auto r = smtp::parse_mail_argument(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error(), wire_errc::path_syntax) << bad;
    }
}

TEST(mail_argument, space_after_colon_is_tolerated)
{
    // RFC 5321 §4.1.1.2 has no space there, but widely deployed clients send one.
    auto r = smtp::parse_mail_argument("FROM: <alice@example.org>");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "alice@example.org");
    r = smtp::parse_rcpt_argument("TO:  <bob@example.org> NOTIFY=NEVER");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->mailbox, "bob@example.org");
    ASSERT_NE(r->find("NOTIFY"), nullptr);
}

TEST(mail_argument, junk_after_the_path)
{
    for (std::string_view bad :
         {"FROM:<a@b>x", "FROM:<a@b>>", "FROM:<a@b><c@d>", "FROM:<a@b>SIZE=1", "FROM:<>x"}) {
        auto r = smtp::parse_mail_argument(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error(), wire_errc::path_syntax) << bad;
    }
    auto r = smtp::parse_mail_argument("FROM:<a@b>   ");
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->parameters.empty());
}

TEST(mail_argument, from_a_whole_command_line)
{
    auto c = smtp::parse_command("mail from:<\"a b\"@example.org> size=42 body=8bitmime");
    ASSERT_EQ(c.cmd, verb::mail);
    auto r = smtp::parse_mail_argument(c.argument);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->mailbox, "\"a b\"@example.org");
    ASSERT_NE(r->find("SIZE"), nullptr);
    EXPECT_EQ(r->find("SIZE")->value, "42");
    EXPECT_EQ(r->find("BODY")->value, "8bitmime");
}

// ---- ESMTP parameters (RFC 5321 §4.1.2, RFC 1870, RFC 6152, RFC 6531) ----

TEST(esmtp_parameters, size_body_smtputf8)
{
    auto r = smtp::parse_mail_argument("FROM:<a@b> SIZE=1048576 BODY=8BITMIME SMTPUTF8");
    ASSERT_TRUE(r.has_value()) << r.error().message();
    ASSERT_EQ(r->parameters.size(), 3u);
    EXPECT_EQ(r->parameters[0].keyword, "SIZE");
    EXPECT_EQ(r->parameters[0].value, "1048576");
    EXPECT_EQ(r->parameters[1].keyword, "BODY");
    EXPECT_EQ(r->parameters[1].value, "8BITMIME");
    EXPECT_EQ(r->parameters[2].keyword, "SMTPUTF8");
    EXPECT_FALSE(r->parameters[2].value.has_value());
    EXPECT_EQ(r->find("BODY"), &r->parameters[1]);
    EXPECT_EQ(r->find("AUTH"), nullptr);
}

TEST(esmtp_parameters, keywords_are_upper_cased_values_kept)
{
    auto r = smtp::parse_mail_argument("FROM:<a@b> size=10 body=7bit smtputf8 x-Custom=MiXed");
    ASSERT_TRUE(r.has_value()) << r.error().message();
    ASSERT_EQ(r->parameters.size(), 4u);
    EXPECT_EQ(r->parameters[0].keyword, "SIZE");
    EXPECT_EQ(r->parameters[1].keyword, "BODY");
    EXPECT_EQ(r->parameters[1].value, "7bit");
    EXPECT_EQ(r->parameters[2].keyword, "SMTPUTF8");
    EXPECT_EQ(r->parameters[3].keyword, "X-CUSTOM");
    EXPECT_EQ(r->parameters[3].value, "MiXed");
}

TEST(esmtp_parameters, several_spaces_between_parameters)
{
    auto r = smtp::parse_mail_argument("FROM:<a@b>  SIZE=1   BODY=BINARYMIME ");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->parameters.size(), 2u);
}

TEST(esmtp_parameters, rcpt_parameters)
{
    auto r = smtp::parse_rcpt_argument("TO:<b@c> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@c");
    ASSERT_TRUE(r.has_value()) << r.error().message();
    ASSERT_EQ(r->parameters.size(), 2u);
    EXPECT_EQ(r->find("ORCPT")->value, "rfc822;b+2Bx@c");
}

TEST(esmtp_parameters, duplicates)
{
    for (std::string_view dup :
         {"FROM:<a@b> SIZE=1 SIZE=2", "FROM:<a@b> SIZE=1 size=1", "FROM:<a@b> SMTPUTF8 SMTPUTF8",
          "FROM:<a@b> BODY=7BIT X=1 body=7BIT"}) {
        auto r = smtp::parse_mail_argument(dup);
        ASSERT_FALSE(r.has_value()) << dup;
        EXPECT_EQ(r.error(), wire_errc::parameter_duplicate) << dup;
    }
}

TEST(esmtp_parameters, bad_keyword_or_value)
{
    for (std::string_view bad :
         {"FROM:<a@b> =1", "FROM:<a@b> -X=1", "FROM:<a@b> SI_ZE=1",
          "FROM:<a@b> SIZE=", "FROM:<a@b> SIZE==1", "FROM:<a@b> X=a=b", "FROM:<a@b> X=\x7f",
          "FROM:<a@b> X=\x01", "FROM:<a@b> S\xc3\xa9=1", "FROM:<a@b> SIZE=abc",
          "FROM:<a@b> SIZE=-1", "FROM:<a@b> SIZE=123456789012345678901", "FROM:<a@b> SIZE",
          "FROM:<a@b> BODY=9BIT", "FROM:<a@b> BODY", "FROM:<a@b> SMTPUTF8=yes"}) {
        auto r = smtp::parse_mail_argument(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error(), wire_errc::parameter_syntax) << bad;
    }
}

TEST(esmtp_parameters, accepted_values)
{
    for (std::string_view good :
         {"FROM:<a@b> SIZE=0", "FROM:<a@b> SIZE=12345678901234567890", "FROM:<a@b> BODY=7BIT",
          "FROM:<a@b> BODY=8bitmime", "FROM:<a@b> BODY=BINARYMIME", "FROM:<a@b> X-1=\xc3\xa9",
          "FROM:<a@b> AUTH=<>", "FROM:<a@b> RET=HDRS ENVID=abc"}) {
        auto r = smtp::parse_mail_argument(good);
        EXPECT_TRUE(r.has_value()) << good;
    }
}

TEST(mail_argument, random_arguments_hold_the_invariants)
{
    // Seeded and bounded. Whatever the bytes, a parsed path is a piece of the input, every
    // keyword is upper-case and unique, and every error is a path or parameter error.
    std::mt19937 rng(5321);
    const std::string_view pieces[] = {
        "FROM:",  "TO:",   "<",        ">",          "@",    "\"",      "\\", " ",
        "=",      ":",     ",",        "a",          "B",    ".",       "[",  "]",
        "SIZE=1", "BODY=", "smtputf8", "Postmaster", "\x01", "\xc3\xa9"};
    for (int round = 0; round < 5000; ++round) {
        std::string arg = round % 2 == 0 ? "FROM:<" : "TO:<";
        for (std::size_t n = rng() % 12; n > 0; --n) {
            arg += pieces[rng() % std::size(pieces)];
        }
        for (bool rcpt : {false, true}) {
            auto r = rcpt ? smtp::parse_rcpt_argument(arg) : smtp::parse_mail_argument(arg);
            if (!r) {
                EXPECT_TRUE(r.error() == wire_errc::path_missing ||
                            r.error() == wire_errc::path_syntax ||
                            r.error() == wire_errc::parameter_syntax ||
                            r.error() == wire_errc::parameter_duplicate)
                    << arg;
                continue;
            }
            EXPECT_NE(arg.find(r->mailbox), std::string::npos) << arg;
            EXPECT_TRUE(!r->mailbox.empty() || !rcpt) << arg;
            std::vector<std::string> seen;
            for (const auto& p : r->parameters) {
                EXPECT_FALSE(p.keyword.empty()) << arg;
                for (char c : p.keyword) {
                    EXPECT_FALSE(c >= 'a' && c <= 'z') << arg;
                }
                EXPECT_EQ(std::count(seen.begin(), seen.end(), p.keyword), 0) << arg;
                seen.push_back(p.keyword);
            }
        }
    }
}

} // namespace
