// The IMAP server's parts on their own: the command reader (literals, limits, every split), the
// argument reader (strings, numbers, sequence sets, dates), SEARCH criteria, FETCH items, the
// message text helpers, ENVELOPE and the response queue.
#include "mockserver/imap/command_parser.hpp"
#include "mockserver/imap/command_reader.hpp"
#include "mockserver/imap/envelope.hpp"
#include "mockserver/imap/fetch_items.hpp"
#include "mockserver/imap/message_text.hpp"
#include "mockserver/imap/mime_structure.hpp"
#include "mockserver/imap/response_queue.hpp"
#include "mockserver/imap/search.hpp"

#include <gtest/gtest.h>

using namespace mock::imap;
using namespace std::chrono_literals;

namespace {

// Every event the reader gives for `input` fed in pieces of `chunk` octets, as text.
std::vector<std::string> events(std::string_view input, std::size_t chunk, input_limits limits = {})
{
    command_reader reader(limits);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < input.size(); i += chunk) {
        reader.feed(input.substr(i, chunk));
        for (;;) {
            auto e = reader.next();
            if (std::holds_alternative<need_input>(e)) {
                break;
            }
            if (auto* c = std::get_if<command_text>(&e)) {
                out.push_back("command:" + c->text);
            } else if (auto* l = std::get_if<literal_wanted>(&e)) {
                out.push_back("literal:" + std::to_string(l->size));
            } else {
                auto& r = std::get<command_refused>(e);
                out.push_back("refused:" + r.tag + ":" + std::to_string(static_cast<int>(r.error)) +
                              ":" + std::to_string(r.size));
            }
        }
    }
    return out;
}

TEST(imap_command_reader, frames_commands_and_literals_at_every_split)
{
    const std::string input = "a1 NOOP\r\na2 LOGIN {3}\r\nbob {2+}\r\npw\r\n\r\na3 X\nz";
    const std::vector<std::string> expected = {
        "command:a1 NOOP", "literal:3", "command:a2 LOGIN {3}\r\nbob {2+}\r\npw", "command:a3 X"};
    for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
        EXPECT_EQ(events(input, chunk), expected) << "chunk " << chunk;
    }
}

TEST(imap_command_reader, refuses_what_is_over_the_limits)
{
    input_limits limits;
    limits.line = 10;
    limits.literal = 4;
    limits.command = 30;
    const auto line = static_cast<int>(input_error::line_too_long);
    const auto literal = static_cast<int>(input_error::literal_too_long);
    const auto command = static_cast<int>(input_error::command_too_long);
    for (std::size_t chunk : {1u, 3u, 100u}) {
        EXPECT_EQ(events("t1 0123456789\r\nt2 x\r\n", chunk, limits),
                  (std::vector<std::string>{"refused:t1:" + std::to_string(line) + ":0",
                                            "command:t2 x"}));
        // A long first line without a space in its start has no tag to answer with.
        EXPECT_EQ(events("0123456789012345\r\n", chunk, limits),
                  (std::vector<std::string>{"refused:*:" + std::to_string(line) + ":0"}));
        EXPECT_EQ(events("t3 {5}\r\nt4 {4}\r\nabcd\r\n", chunk, limits),
                  (std::vector<std::string>{"refused:t3:" + std::to_string(literal) + ":5",
                                            "literal:4", "command:t4 {4}\r\nabcd"}));
        // A non-synchronizing literal over the limit is read and dropped.
        EXPECT_EQ(events("t5 {5+}\r\n{x}\r\n\r\nt6 y\r\n", chunk, limits),
                  (std::vector<std::string>{"refused:t5:" + std::to_string(literal) + ":5",
                                            "command:t6 y"}));
        EXPECT_EQ(
            events("t7 {4+}\r\nabcd {4+}\r\nabcd {4+}\r\nabcd {4}\r\nt8 z\r\n", chunk, limits),
            (std::vector<std::string>{"refused:t7:" + std::to_string(command) + ":0",
                                      "command:t8 z"}));
        // An over-long line ending with a literal: the "{n+}" octets are skipped.
        EXPECT_EQ(
            events("t9 0123456789 {3+}\r\nabc\r\nu1 {2}\r\n", chunk, limits),
            (std::vector<std::string>{"refused:t9:" + std::to_string(line) + ":0", "literal:2"}));
    }
}

TEST(imap_command_reader, over_long_lines_cost_no_memory)
{
    input_limits limits;
    command_reader reader(limits);
    reader.feed("t LOGIN ");
    for (int i = 0; i < 1000; ++i) {
        reader.feed(std::string(10000, 'x'));
        EXPECT_TRUE(std::holds_alternative<need_input>(reader.next()));
        EXPECT_LE(reader.buffered(), limits.line + 2);
    }
    reader.feed(" {5}\r\n");
    auto e = reader.next();
    ASSERT_TRUE(std::holds_alternative<command_refused>(e));
    EXPECT_EQ(std::get<command_refused>(e).tag, "t");
    EXPECT_EQ(std::get<command_refused>(e).error, input_error::line_too_long);
}

TEST(imap_command_reader, reads_plain_lines_and_discards_on_request)
{
    input_limits limits;
    limits.line = 8;
    command_reader reader(limits);
    reader.feed("DONE\r\n0123456789\r\n{3}\r\nrest");
    EXPECT_EQ(reader.next_line()->text, "DONE");
    EXPECT_TRUE(reader.next_line()->too_long);
    EXPECT_EQ(reader.next_line()->text, "{3}"); // not a literal in line mode
    EXPECT_FALSE(reader.next_line());
    EXPECT_EQ(reader.discard_buffered(), 4u);
    EXPECT_EQ(reader.buffered(), 0u);
}

TEST(imap_command_tag, follows_the_grammar)
{
    EXPECT_EQ(command_tag("A001 NOOP"), "A001");
    EXPECT_EQ(command_tag("a]b NOOP"), "a]b");
    EXPECT_EQ(command_tag("NOOP"), "NOOP");
    EXPECT_EQ(command_tag("NOOP", true), "*");
    EXPECT_EQ(command_tag("a+b NOOP"), "*");
    EXPECT_EQ(command_tag("a(b NOOP"), "*");
    EXPECT_EQ(command_tag(" NOOP"), "*");
    EXPECT_EQ(command_tag(""), "*");
}

TEST(imap_arg_reader, strings_atoms_and_numbers)
{
    const std::string text("abc \"q \\\"x\\\\\" {3}\r\nl\0t 42 4294967295 4294967296 0", 49);
    arg_reader in(text);
    EXPECT_EQ(*in.astring(), "abc");
    EXPECT_TRUE(in.space());
    EXPECT_EQ(*in.astring(), "q \"x\\");
    EXPECT_TRUE(in.space());
    EXPECT_EQ(*in.string(), std::string("l\0t", 3));
    EXPECT_TRUE(in.space());
    EXPECT_EQ(*in.number(), 42u);
    EXPECT_TRUE(in.space());
    EXPECT_EQ(*in.number(), 4294967295u);
    EXPECT_TRUE(in.space());
    EXPECT_FALSE(in.number());
    EXPECT_EQ(in.error(), "expected a number at octet 37");
    arg_reader zero("0");
    EXPECT_FALSE(zero.nz_number());
    arg_reader literal("{5}\r\nabc");
    EXPECT_FALSE(literal.string());
    arg_reader plus("{2+}\r\nab");
    EXPECT_EQ(*plus.string(), "ab");
    EXPECT_TRUE(plus.end());
    arg_reader bad_literal("{2}xab");
    EXPECT_FALSE(bad_literal.astring());
    arg_reader pattern("INBOX/%*] x");
    EXPECT_EQ(*pattern.list_mailbox(), "INBOX/%*]");
}

TEST(imap_sequence_set, parses_and_resolves)
{
    arg_reader in("1,3:5,*,9:7,2:* x");
    auto set = in.sequence();
    ASSERT_TRUE(set);
    EXPECT_TRUE(in.space());
    ASSERT_EQ(set->ranges().size(), 5u);
    EXPECT_TRUE(set->exceeds(8));
    EXPECT_FALSE(set->exceeds(9));
    auto r = set->resolve(20);
    ASSERT_EQ(r.size(), 1u); // everything merges into 1:20
    EXPECT_EQ(r[0].first, 1u);
    EXPECT_EQ(r[0].last, 20u);
    arg_reader gaps("10,1:2,4,3,12:*");
    r = gaps.sequence()->resolve(11);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].first, 1u);
    EXPECT_EQ(r[0].last, 4u);
    EXPECT_EQ(r[1].first, 10u);
    EXPECT_EQ(r[1].last, 12u); // "12:*" with 11 the largest is 11:12
    arg_reader star("*");
    auto s = star.sequence();
    EXPECT_TRUE(s->resolve(0).empty()); // "*" of an empty folder
    EXPECT_TRUE(s->contains(7, 7));
    EXPECT_FALSE(s->contains(6, 7));
    for (const char* bad : {"", "0", "1:", ":2", "1,,2", "a", "1:0", "4294967296"}) {
        arg_reader b(bad);
        EXPECT_FALSE(b.sequence()) << bad;
    }
}

TEST(imap_arg_reader, dates)
{
    using std::chrono::day;
    using std::chrono::month;
    using std::chrono::year;
    arg_reader in("1-Feb-2024 \"29-feb-2024\" 31-Apr-2024");
    EXPECT_EQ(*in.date(), std::chrono::sys_days(year(2024) / month(2) / day(1)));
    EXPECT_TRUE(in.space());
    EXPECT_EQ(*in.date(), std::chrono::sys_days(year(2024) / month(2) / day(29)));
    EXPECT_TRUE(in.space());
    EXPECT_FALSE(in.date());
    for (const char* bad :
         {"1-Feb-24", "1 Feb 2024", "\"1-Feb-2024", "100-Feb-2024", "1-Febr-2024", "1-Feb-20245"}) {
        arg_reader b(bad);
        EXPECT_FALSE(b.date() && b.end()) << bad;
    }
}

TEST(imap_message_text, splits_and_selects_header_fields)
{
    const std::string m = "Subject: a\r\n b\r\nFrom : x\r\nX-Empty:\r\n\r\nbody\r\n\r\nmore";
    auto parts = split_message(m);
    EXPECT_EQ(parts.header, "Subject: a\r\n b\r\nFrom : x\r\nX-Empty:\r\n\r\n");
    EXPECT_EQ(parts.body, "body\r\n\r\nmore");
    EXPECT_EQ(header_values(parts.header, "subject"), std::vector<std::string>{"a b"});
    EXPECT_EQ(header_values(parts.header, "FROM"), std::vector<std::string>{"x"});
    EXPECT_EQ(header_values(parts.header, "X-Empty"), std::vector<std::string>{""});
    EXPECT_TRUE(header_values(parts.header, "To").empty());
    EXPECT_EQ(header_subset(parts.header, {"from", "x-empty"}, false),
              "From : x\r\nX-Empty:\r\n\r\n");
    EXPECT_EQ(header_subset(parts.header, {"from", "x-empty"}, true), "Subject: a\r\n b\r\n\r\n");
    EXPECT_EQ(split_message("Subject: no body").header, "Subject: no body");
    EXPECT_EQ(split_message("A: b\n\nbody").body, "body");
    EXPECT_EQ(header_subset("Bad line\r\nA: 1", {"a"}, false), "A: 1\r\n\r\n");
}

TEST(imap_message_text, origination_dates)
{
    using std::chrono::day;
    using std::chrono::month;
    using std::chrono::year;
    EXPECT_EQ(*message_date("Tue, 1 Jul 2003 10:52:37 +0200"),
              std::chrono::sys_days(year(2003) / month(7) / day(1)));
    EXPECT_EQ(*message_date("1 jul 03 10:52 GMT"),
              std::chrono::sys_days(year(2003) / month(7) / day(1)));
    EXPECT_EQ(*message_date("  5 Dec 1999"),
              std::chrono::sys_days(year(1999) / month(12) / day(5)));
    EXPECT_FALSE(message_date("yesterday"));
    EXPECT_FALSE(message_date("31 Feb 2024 00:00"));
    EXPECT_FALSE(message_date("Tue, 1 Julyish 2003"));
}

TEST(imap_envelope, address_lists)
{
    auto list = parse_address_list(
        "\"Doe, John\" <john@example.com>, plain@example.org (comment), Team: a@x, b@y;, "
        "<@route.example:c@z>, undisclosed");
    ASSERT_EQ(list.size(), 8u);
    EXPECT_EQ(*list[0].name, "Doe, John");
    EXPECT_EQ(*list[0].mailbox, "john");
    EXPECT_EQ(*list[0].host, "example.com");
    EXPECT_FALSE(list[1].name);
    EXPECT_EQ(*list[1].mailbox, "plain");
    EXPECT_EQ(*list[2].mailbox, "Team"); // the group starts
    EXPECT_FALSE(list[2].host);
    EXPECT_EQ(*list[3].mailbox, "a");
    EXPECT_EQ(*list[4].host, "y");
    EXPECT_FALSE(list[5].mailbox); // the group ends
    EXPECT_EQ(*list[6].route, "@route.example");
    EXPECT_EQ(*list[6].mailbox, "c");
    EXPECT_EQ(*list[7].host, "MISSING_DOMAIN");
    EXPECT_TRUE(parse_address_list("  ").empty());
}

TEST(imap_envelope, envelope_of_a_header)
{
    EXPECT_EQ(envelope_of("Subject: caf\xC3\xA9\r\nFrom: a@b\r\nSender: s@t\r\nBcc: x@y\r\n"
                          "In-Reply-To: <p@q>\r\n\r\n"),
              "(NIL {5}\r\ncaf\xC3\xA9 ((NIL NIL \"a\" \"b\")) ((NIL NIL \"s\" \"t\")) "
              "((NIL NIL \"a\" \"b\")) NIL NIL ((NIL NIL \"x\" \"y\")) \"<p@q>\" NIL)");
    EXPECT_EQ(envelope_of(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
    EXPECT_EQ(nstring(std::string("a\"b")), "\"a\\\"b\"");
}

TEST(imap_mime, malformed_multiparts_fall_back_to_plain_text)
{
    // No boundary parameter: RFC 2045 §5.2's default.
    auto p = parse_mime("Content-Type: multipart/mixed\r\n\r\nbody\r\n");
    EXPECT_EQ(p.type, "TEXT");
    EXPECT_TRUE(p.children.empty());
    // No closing boundary: the last part runs to the end; a part without a header.
    p = parse_mime("Content-Type: Multipart/Digest; Boundary=\"b b\" (comment)\r\n\r\n"
                   "--b b\r\n\r\nFrom: x@y\r\n\r\nhi\r\n--b b  \r\nContent-Type: text/x(y)\r\n\r\n"
                   "last");
    EXPECT_EQ(p.type, "MULTIPART");
    EXPECT_EQ(p.subtype, "DIGEST");
    ASSERT_EQ(p.children.size(), 2u);
    EXPECT_EQ(p.children[0].type, "MESSAGE"); // the digest default
    EXPECT_EQ(p.children[0].header, "\r\n");
    EXPECT_EQ(p.children[0].body, "From: x@y\r\n\r\nhi");
    ASSERT_NE(inner_message(p.children[0]), nullptr);
    EXPECT_EQ(inner_message(p.children[0])->body, "hi");
    EXPECT_EQ(p.children[1].subtype, "X");
    EXPECT_EQ(p.children[1].body, "last");
    EXPECT_EQ(find_part(p, {2})->body, "last");
    EXPECT_EQ(find_part(p, {1, 1})->body, "hi");
    EXPECT_EQ(find_part(p, {3}), nullptr);
    EXPECT_EQ(find_part(p, {2, 2}), nullptr);
    // A multipart without a single boundary line has no parts.
    EXPECT_EQ(parse_mime("Content-Type: multipart/mixed; boundary=z\r\n\r\nno parts").type, "TEXT");
}

TEST(imap_mime, nesting_and_part_counts_are_bounded)
{
    std::string deep = "Content-Type: multipart/mixed; boundary=b0\r\n\r\n";
    for (int i = 0; i < 200; ++i) {
        deep += "--b" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=b" +
                std::to_string(i + 1) + "\r\n\r\n";
    }
    auto p = parse_mime(deep, 16, 1000);
    std::size_t depth = 0;
    for (const mime_part* q = &p; !q->children.empty(); q = &q->children.front()) {
        ++depth;
    }
    EXPECT_LE(depth, 16u);
    EXPECT_LT(body_structure(p, true).size(), 16u * 200u);
    std::string wide = "Content-Type: multipart/mixed; boundary=w\r\n\r\n";
    for (int i = 0; i < 5000; ++i) {
        wide += "--w\r\n\r\nx\r\n";
    }
    EXPECT_EQ(parse_mime(wide, 16, 1000).children.size(), 1000u);
}

TEST(imap_fetch_items, parses_items_and_labels)
{
    arg_reader in(" (uid BODY.PEEK[HEADER.FIELDS.NOT (\"X Y\" b)]<0.10> body[] RFC822.HEADER)");
    auto req = parse_fetch(in, false);
    ASSERT_TRUE(req) << in.error();
    ASSERT_EQ(req->items.size(), 4u);
    EXPECT_EQ(req->items[0].label, "UID");
    EXPECT_EQ(req->items[1].label, "BODY[HEADER.FIELDS.NOT (\"X Y\" b)]<0>");
    EXPECT_EQ(req->items[1].part, section_part::header_fields_not);
    EXPECT_TRUE(req->items[1].peek);
    EXPECT_EQ(req->items[1].length, 10u);
    EXPECT_EQ(req->items[2].label, "BODY[]");
    EXPECT_FALSE(req->items[2].peek);
    EXPECT_TRUE(req->items[3].peek);
    EXPECT_TRUE(req->sets_seen);
    EXPECT_FALSE(req->has_flags);
    arg_reader uid(" FLAGS");
    req = parse_fetch(uid, true);
    ASSERT_EQ(req->items.size(), 2u);
    EXPECT_EQ(req->items[0].label, "UID");
    EXPECT_TRUE(req->has_flags);
    EXPECT_FALSE(req->sets_seen);
    for (const char* bad :
         {" ", " ()", " BODY[", " BODY[TEXT", " BODY[]<", " BODY[]<1.0>", " BODY[HEADER.FIELDS]",
          " FLAGS FLAGS", " (FLAGS", " BODY[0]", " BODY[1.]", " BODY[MIME]", " BODY[1.FOO]",
          " BODY[4294967296]", " BODY[1.2.HEADER.FIELDS]", " (ALL)", " BINARY[]"}) {
        arg_reader b(bad);
        EXPECT_FALSE(parse_fetch(b, false)) << bad;
    }
}

TEST(imap_fetch_items, formats_flags_and_dates)
{
    EXPECT_EQ(flags_text(0, false), "()");
    EXPECT_EQ(flags_text(0, true), "(\\Recent)");
    EXPECT_EQ(flags_text(all_flags, true),
              "(\\Seen \\Answered \\Flagged \\Deleted \\Draft \\Recent)");
    using std::chrono::day;
    using std::chrono::month;
    using std::chrono::year;
    EXPECT_EQ(internal_date_text(std::chrono::sys_days(year(1996) / month(7) / day(7)) + 2h +
                                 44min + 25s + 999ms),
              "\" 7-Jul-1996 02:44:25 +0000\"");
    EXPECT_EQ(internal_date_text(std::chrono::sys_days(year(2024) / month(12) / day(31))),
              "\"31-Dec-2024 00:00:00 +0000\"");
}

TEST(imap_search, parses_criteria)
{
    arg_reader in(" CHARSET \"UTF-8\" OR (SEEN UID 1:*) NOT HEADER X-Y \"\" 1,2");
    auto p = parse_search(in);
    ASSERT_TRUE(p) << in.error();
    EXPECT_EQ(*p->charset, "UTF-8");
    ASSERT_EQ(p->key.children.size(), 2u); // OR takes the NOT as its second key
    const auto& either = p->key.children[0];
    EXPECT_EQ(either.what, search_key::test::either);
    EXPECT_EQ(either.children[0].children.size(), 2u);
    EXPECT_EQ(either.children[1].what, search_key::test::negate);
    EXPECT_EQ(either.children[1].children[0].field, "X-Y");
    EXPECT_EQ(p->key.children[1].what, search_key::test::sequence);
    // A key inside three lists is four deep.
    const std::string deep_text = " " + std::string(4, '(') + "ALL" + std::string(4, ')');
    arg_reader deep(deep_text);
    EXPECT_FALSE(parse_search(deep, 4));
    const std::string ok_text = " " + std::string(3, '(') + "ALL" + std::string(3, ')');
    arg_reader ok(ok_text);
    EXPECT_TRUE(parse_search(ok, 4));
}

TEST(imap_search, matches_messages)
{
    const std::string content = "Subject: Weekly Report\r\nFrom: Ann <ann@x.org>\r\n"
                                "Date: 3 Mar 2024 23:30 -0800\r\n\r\nnumbers inside\r\n";
    const search_subject m{4,         40,
                           flag_seen, true,
                           content,   std::chrono::sys_days(std::chrono::year(2024) / 3 / 4) + 7h};
    const search_bounds bounds{4, 40};
    auto check = [&](const std::string& criteria) {
        const std::string text = " " + criteria;
        arg_reader in(text);
        auto p = parse_search(in);
        EXPECT_TRUE(p) << criteria << ": " << in.error();
        return p && matches(p->key, m, bounds);
    };
    EXPECT_TRUE(check("SUBJECT report"));
    EXPECT_TRUE(check("FROM ANN@X"));
    EXPECT_FALSE(check("FROM bob"));
    EXPECT_TRUE(check("BODY NUMBERS"));
    EXPECT_FALSE(check("BODY weekly"));
    EXPECT_TRUE(check("TEXT weekly"));
    EXPECT_TRUE(check("SEEN RECENT"));
    EXPECT_FALSE(check("NEW"));
    EXPECT_TRUE(check("ON 4-Mar-2024"));
    EXPECT_TRUE(check("SENTON 3-Mar-2024")); // the sender's own date
    EXPECT_TRUE(check("*"));
    EXPECT_TRUE(check("UID *"));
    EXPECT_FALSE(check("UID 1:39"));
    EXPECT_TRUE(check("OR 1 4"));
    EXPECT_TRUE(check("LARGER 10 SMALLER 1000"));
    EXPECT_FALSE(check("SENTBEFORE 3-Mar-2024"));
    EXPECT_FALSE(check("HEADER Date nothing"));
}

TEST(imap_response_queue, hands_out_bounded_chunks)
{
    auto m = std::make_shared<mock::captured_message>();
    m->data = std::string(100, 'x');
    response_queue q;
    q.text("* 1 FETCH (");
    q.text("BODY[] {100}\r\n");
    q.view(m, std::string_view(m->data).substr(10, 50));
    q.text(")\r\n");
    q.view(m, std::string_view(m->data).substr(0, 0));
    EXPECT_EQ(q.size(), 11u + 14u + 50u + 3u);
    std::string all;
    while (!q.empty()) {
        auto chunk = q.take(16);
        EXPECT_LE(chunk.size(), 16u);
        EXPECT_FALSE(chunk.empty());
        all += chunk;
    }
    EXPECT_EQ(all, "* 1 FETCH (BODY[] {100}\r\n" + std::string(50, 'x') + ")\r\n");
    q.text("abc");
    q.clear();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.take(10), "");
}

} // namespace
