// IMAP response framing with literals (RFC 3501 §4.3, §7) and command argument encoding
// (RFC 3501 §9).

#include "verify/imap_command.hpp"
#include "verify/imap_response_reader.hpp"
#include "verify/verify_error.hpp"

#include <gtest/gtest.h>

namespace {

using namespace verify;

TEST(ImapResponseReader, JoinsLinesAroundLiterals)
{
    const std::string wire = "* 1 FETCH (A {3}\r\nx\r\n B {0}\r\n C {2}\r\n}\r)\r\n* OK next\r\n";
    for (std::size_t split = 0; split <= wire.size(); ++split) {
        imap_response_reader reader;
        std::vector<imap_response> got;
        for (const std::string_view part :
             {std::string_view(wire).substr(0, split), std::string_view(wire).substr(split)}) {
            reader.feed(part);
            for (;;) {
                auto r = reader.next();
                ASSERT_TRUE(r) << split;
                if (!*r) {
                    break;
                }
                got.push_back(std::move(**r));
            }
        }
        ASSERT_EQ(got.size(), 2u) << split;
        EXPECT_EQ(got[0].text, "* 1 FETCH (A {3} B {0} C {2})");
        EXPECT_EQ(got[0].literals, (std::vector<std::string>{"x\r\n", "", "}\r"}));
        EXPECT_EQ(got[1].text, "* OK next");
        EXPECT_TRUE(got[1].literals.empty());
    }
}

TEST(ImapResponseReader, BoundsLinesAndLiterals)
{
    {
        imap_response_reader reader;
        reader.feed(std::string(imap_response_reader::max_line_octets + 1, 'x'));
        auto r = reader.next();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), verify_errc::response_too_long);
    }
    {
        imap_response_reader reader;
        reader.feed("* 1 FETCH (BODY[] {" +
                    std::to_string(imap_response_reader::max_literal_octets + 1) + "}\r\n");
        auto r = reader.next();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), verify_errc::response_too_long);
    }
    {
        imap_response_reader reader;
        reader.feed("* 1 FETCH (BODY[] {" +
                    std::to_string(imap_response_reader::max_literal_octets) + "}\r\n");
        auto r = reader.next();
        ASSERT_TRUE(r);
        EXPECT_FALSE(*r); // allowed; waits for the octets
    }
}

TEST(ImapCommand, ChoosesAtomQuotedOrLiteral)
{
    imap_command atom;
    atom.text("a1 LOGIN ").astring("user").text(" ").astring("secret", "****").end();
    EXPECT_EQ(atom.segments, std::vector<std::string>{"a1 LOGIN user secret\r\n"});
    EXPECT_EQ(atom.transcript, "a1 LOGIN user ****");

    imap_command quoted;
    quoted.text("a1 LOGIN ").astring("us er").text(" ").astring("a\"b\\c").end();
    EXPECT_EQ(quoted.segments, std::vector<std::string>{"a1 LOGIN \"us er\" \"a\\\"b\\\\c\"\r\n"});

    imap_command literal;
    literal.text("a1 LOGIN ").astring("u\xC3\xA4").text(" ").astring("x\r\ny", "****").end();
    EXPECT_EQ(literal.segments,
              (std::vector<std::string>{"a1 LOGIN {3}\r\n", "u\xC3\xA4 {4}\r\n", "x\r\ny\r\n"}));
    EXPECT_EQ(literal.transcript, "a1 LOGIN {3}<3 octets> ****");

    imap_command empty;
    empty.text("a1 LOGIN ").astring("").text(" ").astring("x").end();
    EXPECT_EQ(empty.segments, std::vector<std::string>{"a1 LOGIN \"\" x\r\n"});
}

} // namespace
