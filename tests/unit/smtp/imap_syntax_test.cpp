// IMAP's lexical rules shared by the IMAP client and server (RFC 3501 §4, §9; RFC 7888), and the
// PLAIN SASL message (RFC 4616) that SMTP AUTH and IMAP AUTHENTICATE both carry.

#include "smtp/base64.hpp"
#include "smtp/imap_syntax.hpp"
#include "smtp/sasl_plain.hpp"

#include <gtest/gtest.h>

namespace smtp {
namespace {

TEST(imap_syntax, atoms_exclude_the_atom_specials)
{
    EXPECT_TRUE(imap::is_atom("probe@example.test"));
    EXPECT_TRUE(imap::is_atom("BODY.PEEK[HEADER"));
    EXPECT_FALSE(imap::is_atom(""));
    for (const char* s : {"a b", "a\"b", "a{b", "a]b", "a%b", "a*b", "a\\b", "a(b", "a)b"}) {
        EXPECT_FALSE(imap::is_atom(s)) << s;
    }
    EXPECT_FALSE(imap::is_atom("a\x7f"));
    EXPECT_FALSE(imap::is_atom("\xC3\xA4"));
    EXPECT_TRUE(imap::is_astring_char(']'));
    EXPECT_FALSE(imap::is_atom_char(']'));
    EXPECT_FALSE(imap::is_astring_char('{'));
}

TEST(imap_syntax, quoting_escapes_and_falls_back_to_literals)
{
    EXPECT_TRUE(imap::is_quotable("a \"b\" \\c"));
    EXPECT_FALSE(imap::is_quotable("a\r\nb"));
    EXPECT_FALSE(imap::is_quotable("\xC3\xA4"));
    EXPECT_FALSE(imap::is_quotable(std::string("a\0b", 3)));
    EXPECT_EQ(imap::quoted("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
    EXPECT_EQ(imap::string_or_literal(""), "\"\"");
    EXPECT_EQ(imap::string_or_literal("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");
    EXPECT_EQ(imap::astring("INBOX"), "INBOX");
    EXPECT_EQ(imap::astring("two words"), "\"two words\"");
    EXPECT_EQ(imap::astring("a\r\nb"), "{4}\r\na\r\nb");
}

TEST(imap_syntax, recognises_only_a_final_literal)
{
    auto h = imap::trailing_literal("* 1 FETCH (BODY[] {12}");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->size, 12u);
    EXPECT_FALSE(h->non_synchronizing);
    EXPECT_EQ(h->length, 4u);
    EXPECT_EQ(imap::trailing_literal("a1 LOGIN {0}")->size, 0u);
    h = imap::trailing_literal("a1 LOGIN {7+}");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->size, 7u);
    EXPECT_TRUE(h->non_synchronizing);
    EXPECT_EQ(h->length, 4u);
    EXPECT_EQ(imap::trailing_literal("{4294967295}")->size, 4294967295u);
    EXPECT_FALSE(imap::trailing_literal("* OK {12} later"));
    EXPECT_FALSE(imap::trailing_literal("* OK }"));
    EXPECT_FALSE(imap::trailing_literal("* OK {}"));
    EXPECT_FALSE(imap::trailing_literal("* OK {+}"));
    EXPECT_FALSE(imap::trailing_literal("* OK {1x}"));
    EXPECT_FALSE(imap::trailing_literal("* OK {1++}"));
    EXPECT_FALSE(imap::trailing_literal("* OK {99999999999}")); // over ten digits
}

TEST(sasl_plain, decodes_the_three_fields)
{
    auto c = decode_sasl_plain(base64_encode(std::string("\0bob\0secret", 11)));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "");
    EXPECT_EQ(c->authcid, "bob");
    EXPECT_EQ(c->password, "secret");
    c = decode_sasl_plain(base64_encode(std::string("admin\0bob\0", 10)));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "admin");
    EXPECT_EQ(c->password, "");
}

TEST(base64, the_test_vectors_of_rfc_4648_section_10)
{
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(plain), encoded);
        EXPECT_EQ(base64_decode(encoded), std::optional<std::string>(plain));
    }
}

TEST(sasl_plain, a_client_response_is_the_rfc_4616_example)
{
    EXPECT_EQ(encode_sasl_plain("tim", "tanstaaftanstaaf"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    auto c = decode_sasl_plain(encode_sasl_plain("bob", "s3cret"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "");
    EXPECT_EQ(c->authcid, "bob");
    EXPECT_EQ(c->password, "s3cret");
}

TEST(sasl_plain, refuses_malformed_messages)
{
    EXPECT_FALSE(decode_sasl_plain("=")); // empty response
    EXPECT_FALSE(decode_sasl_plain("not base64!"));
    EXPECT_FALSE(decode_sasl_plain(base64_encode("bob secret")));
    EXPECT_FALSE(decode_sasl_plain(base64_encode(std::string("bob\0secret", 10))));
    EXPECT_FALSE(decode_sasl_plain(base64_encode(std::string("\0\0secret", 8)))); // no authcid
}

} // namespace
} // namespace smtp
