// Domain names: presentation form with escapes, the limits of RFC 1035 §2.3.4, and comparison
// ignoring case (RFC 4343).
#include "dns/error.hpp"
#include "dns/name.hpp"

#include <gtest/gtest.h>
#include <string>

namespace {

using dns::errc;
using dns::name;

name parsed(std::string_view text)
{
    auto n = name::parse(text);
    EXPECT_TRUE(n) << text;
    return n ? *n : name();
}

TEST(dns_name, parses_and_prints_presentation_form)
{
    EXPECT_EQ(parsed("Mail.Example.TEST").to_string(), "Mail.Example.TEST");
    EXPECT_EQ(parsed("mail.example.test.").to_string(), "mail.example.test");
    EXPECT_EQ(parsed("mail.example.test.").label_count(), 3u);
    EXPECT_TRUE(parsed(".").is_root());
    EXPECT_TRUE(parsed("").is_root());
    EXPECT_EQ(parsed(".").to_string(), ".");
    EXPECT_EQ(parsed("a.b").wire(), std::string("\1a\1b\0", 5));
}

TEST(dns_name, escapes_special_and_unprintable_octets)
{
    // A dot inside a label, a backslash, a space and a zero octet (RFC 1035 §5.1).
    const auto n = parsed("a\\.b.c\\\\d.e\\032f.\\000");
    ASSERT_EQ(n.labels().size(), 4u);
    EXPECT_EQ(n.labels()[0], "a.b");
    EXPECT_EQ(n.labels()[1], "c\\d");
    EXPECT_EQ(n.labels()[2], "e f");
    EXPECT_EQ(n.labels()[3], std::string(1, '\0'));
    EXPECT_EQ(n.to_string(), "a\\.b.c\\\\d.e\\032f.\\000");
    EXPECT_EQ(parsed(n.to_string()), n);
}

TEST(dns_name, rejects_malformed_text)
{
    EXPECT_EQ(name::parse("a..b").error(), errc::empty_label);
    EXPECT_EQ(name::parse(".a").error(), errc::empty_label);
    EXPECT_EQ(name::parse("a\\").error(), errc::bad_escape);
    EXPECT_EQ(name::parse("a\\25").error(), errc::bad_escape);
    EXPECT_EQ(name::parse("a\\256").error(), errc::bad_escape);
}

TEST(dns_name, holds_labels_to_63_and_names_to_255_octets)
{
    const std::string label63(63, 'x');
    EXPECT_TRUE(name::parse(label63 + ".test"));
    EXPECT_EQ(name::parse(std::string(64, 'x') + ".test").error(), errc::label_too_long);
    // Four labels of 63 make 4 * 64 + 1 = 257 octets; 3 of 63 and one of 61 make 255.
    const std::string at_limit =
        label63 + "." + label63 + "." + label63 + "." + std::string(61, 'y');
    ASSERT_TRUE(name::parse(at_limit));
    EXPECT_EQ(name::parse(at_limit)->wire().size(), 255u);
    EXPECT_EQ(name::parse(at_limit + "y").error(), errc::name_too_long);
    EXPECT_EQ(name::parse("z." + at_limit).error(), errc::name_too_long);
    EXPECT_EQ(parsed(at_limit.substr(2)).prepend("ab").error(), errc::name_too_long);
    EXPECT_EQ(parsed("test").prepend(std::string(64, 'x')).error(), errc::label_too_long);
    EXPECT_EQ(parsed("test").prepend("").error(), errc::empty_label);
}

TEST(dns_name, compares_ignoring_ascii_case_only)
{
    EXPECT_EQ(parsed("MAIL.example.Test"), parsed("mail.EXAMPLE.test"));
    EXPECT_FALSE(parsed("MAIL.example.Test").identical(parsed("mail.example.test")));
    EXPECT_EQ(parsed("MAIL.test").key(), parsed("mail.TEST").key());
    // Octets outside A-Z do not fold (RFC 4343 §3): 0xC9 and 0xE9 stay different.
    EXPECT_FALSE(parsed("\\201.test") == parsed("\\233.test"));
    EXPECT_FALSE(parsed("a.test") == parsed("a.test.x"));
}

TEST(dns_name, knows_its_ancestors)
{
    const auto n = parsed("2.0.0.127.Zen.Example");
    EXPECT_TRUE(n.is_subdomain_of(parsed("zen.example")));
    EXPECT_TRUE(n.is_subdomain_of(parsed(".")));
    EXPECT_TRUE(n.is_subdomain_of(n));
    EXPECT_FALSE(n.is_subdomain_of(parsed("en.example")));
    EXPECT_FALSE(parsed("zen.example").is_subdomain_of(n));
    const auto below = n.labels_below(parsed("ZEN.example"));
    ASSERT_EQ(below.size(), 4u);
    EXPECT_EQ(below[0], "2");
    EXPECT_EQ(below[3], "127");
    EXPECT_TRUE(n.labels_below(parsed("other.example")).empty());
}

TEST(dns_name, takes_only_valid_wire_forms)
{
    EXPECT_TRUE(name::from_wire(std::string("\4mail\4test\0", 11)));
    EXPECT_EQ(name::from_wire(std::string("\4mail\4te", 8)).error(), errc::truncated);
    EXPECT_EQ(name::from_wire(std::string("\x40", 1)).error(), errc::bad_label_type);
    EXPECT_EQ(name::from_wire(std::string("\0\0", 2)).error(), errc::trailing_data);
}

} // namespace
