// The message codec: every record type through the builder and the parser, name compression,
// hostile compression pointers, truncation at every octet, the limits of RFC 1035 §2.3.4, and
// the EDNS0 OPT record (RFC 6891).
#include "dns/error.hpp"
#include "dns/message_builder.hpp"
#include "dns/message_parser.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace dns;
using bytes = std::vector<std::uint8_t>;

name n(std::string_view text)
{
    return *name::parse(text);
}

// A header for a query with one question, then `rest`.
bytes query_with(std::initializer_list<std::uint8_t> counts_and_body)
{
    bytes out = {0x12, 0x34, 0x01, 0x00};
    out.insert(out.end(), counts_and_body);
    return out;
}

void append(bytes& b, std::string_view s)
{
    b.insert(b.end(), s.begin(), s.end());
}

message sample()
{
    message m;
    m.header.id = 0xbeef;
    m.header.qr = true;
    m.header.aa = true;
    m.header.rd = true;
    m.header.cd = true;
    m.header.rcode = 3;
    m.questions.push_back({n("Example.TEST"), rr_type::any, rr_class::in});
    const auto owner = n("example.test");
    m.answers = {
        {owner, rr_type::a, rr_class::in, 60, a_data{{127, 0, 0, 1}}},
        {owner, rr_type::aaaa, rr_class::in, 60,
         aaaa_data{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}},
        {owner, rr_type::ns, rr_class::in, 60, ns_data{n("ns.example.test")}},
        {owner, rr_type::cname, rr_class::in, 60, cname_data{n("alias.example.test")}},
        {owner, rr_type::ptr, rr_class::in, 60, ptr_data{n("host.example.test")}},
        {owner, rr_type::mx, rr_class::in, 60, mx_data{10, n("mx.example.test")}},
        {owner, rr_type::txt, rr_class::in, 60, txt_data{{"v=spf1 ", "-all", ""}}},
        {owner, static_cast<rr_type>(65280), rr_class::in, 60, opaque_data{{1, 2, 3}}},
        // A of class CH is class-specific RDATA: kept as octets.
        {owner, rr_type::a, rr_class::ch, 0, opaque_data{{9, 9}}},
    };
    m.authority = {{owner, rr_type::soa, rr_class::in, 300,
                    soa_data{n("ns.example.test"), n("hostmaster.example.test"), 7, 1, 2, 3, 4}}};
    m.additional = {{n("mx.example.test"), rr_type::a, rr_class::in, 60, a_data{{127, 0, 0, 2}}}};
    edns opt;
    opt.udp_payload_size = 4096;
    opt.extended_rcode = 1;
    opt.dnssec_ok = true;
    opt.options = {{10, {1, 2, 3, 4, 5, 6, 7, 8}}, {12, {}}};
    m.opt = opt;
    return m;
}

TEST(dns_codec, every_record_type_survives_a_round_trip)
{
    const auto m = sample();
    auto wire = encode(m);
    ASSERT_TRUE(wire) << wire.error().message();
    auto back = parse_message(*wire);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, m);
    EXPECT_EQ(back->rcode(), static_cast<rcode>(1 << 4 | 3));
    EXPECT_EQ(back->opt->options.size(), 2u);
    for (std::size_t i = 0; i < m.answers.size(); ++i) {
        EXPECT_EQ(back->answers[i], m.answers[i]) << to_string(m.answers[i]);
    }
    // The question keeps the case it was asked in.
    EXPECT_TRUE(back->questions[0].qname.identical(n("Example.TEST")));
}

TEST(dns_codec, records_print_in_master_file_form)
{
    const auto m = sample();
    EXPECT_EQ(to_string(m.answers[5]), "example.test. 60 IN MX 10 mx.example.test.");
    EXPECT_EQ(to_string(m.answers[6]), "example.test. 60 IN TXT \"v=spf1 \" \"-all\" \"\"");
    EXPECT_EQ(to_string(m.answers[7]), "example.test. 60 IN TYPE65280 \\# 3 010203");
    EXPECT_EQ(to_string(m.answers[1]), "example.test. 60 IN AAAA ::1");
    EXPECT_EQ(to_string(m.authority[0]),
              "example.test. 300 IN SOA ns.example.test. hostmaster.example.test. 7 1 2 3 4");
}

TEST(dns_codec, names_are_compressed_against_earlier_names_ignoring_case)
{
    message m;
    m.questions.push_back({n("MAIL.example.test"), rr_type::mx});
    m.answers.push_back(
        {n("mail.example.test"), rr_type::mx, rr_class::in, 1, mx_data{5, n("mx.EXAMPLE.test")}});
    auto wire = encode(m);
    ASSERT_TRUE(wire);
    // Header 12, question 19 + 4; owner: a pointer to offset 12; the exchange: "mx" and a
    // pointer to "example.test" at offset 17.
    const std::size_t owner_at = 12 + 19 + 4;
    EXPECT_EQ((*wire)[owner_at], 0xc0);
    EXPECT_EQ((*wire)[owner_at + 1], 12);
    const std::size_t exchange_at = owner_at + 2 + 10 + 2;
    EXPECT_EQ((*wire)[exchange_at], 2);
    EXPECT_EQ((*wire)[exchange_at + 3], 0xc0);
    EXPECT_EQ((*wire)[exchange_at + 4], 17);
    EXPECT_EQ(wire->size(), exchange_at + 5);
    // Compressed names read back as written first: the question's case (RFC 4343 §4).
    auto back = parse_message(*wire);
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->answers[0].owner.identical(n("MAIL.example.test")));
    EXPECT_EQ(std::get<mx_data>(back->answers[0].data).exchange.to_string(), "mx.example.test");
}

TEST(dns_codec, a_pointer_must_point_to_a_prior_name)
{
    // Question name at 12 is a pointer to itself.
    auto self = query_with({0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1});
    EXPECT_EQ(parse_message(self).error().code, errc::pointer_loop);
    EXPECT_EQ(parse_message(self).error().offset, 12u);
    // "a" then a pointer back to the start of the same name: a loop through a label.
    auto through_label = query_with({0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 12, 0, 1, 0, 1});
    EXPECT_EQ(parse_message(through_label).error().code, errc::pointer_loop);
    EXPECT_EQ(parse_message(through_label).error().offset, 14u);
    // A forward pointer, even to a valid name further on.
    auto forward = query_with({0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 18, 0, 1, 0, 1, 1, 'a', 0});
    EXPECT_EQ(parse_message(forward).error().code, errc::pointer_loop);
    // Two pointers pointing at each other: 12 -> 14 and 14 -> 12.
    auto mutual = query_with({0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1});
    EXPECT_EQ(parse_message(mutual).error().code, errc::pointer_loop);
    EXPECT_EQ(parse_message(mutual).error().offset, 12u);
}

TEST(dns_codec, a_pointer_outside_the_message_is_refused)
{
    auto past_end = query_with({0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 200, 0, 1, 0, 1});
    EXPECT_EQ(parse_message(past_end).error().code, errc::pointer_out_of_range);
    auto far = query_with({0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 1, 0, 1});
    EXPECT_EQ(parse_message(far).error().code, errc::pointer_out_of_range);
    // Into the header.
    auto header = query_with({0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 4, 0, 1, 0, 1});
    EXPECT_EQ(parse_message(header).error().code, errc::pointer_out_of_range);
    // A pointer cut after its first octet.
    auto cut = query_with({0, 1, 0, 0, 0, 0, 0, 0, 0xc0});
    EXPECT_EQ(parse_message(cut).error().code, errc::truncated);
}

TEST(dns_codec, reserved_label_types_are_refused)
{
    for (std::uint8_t type : {0x40, 0x41, 0x80, 0xbf}) {
        auto q = query_with({0, 1, 0, 0, 0, 0, 0, 0, type, 'a', 0, 0, 1, 0, 1});
        EXPECT_EQ(parse_message(q).error().code, errc::bad_label_type) << int(type);
    }
}

TEST(dns_codec, names_over_255_octets_are_refused_even_through_pointers)
{
    // A 255-octet name is fine: 3 labels of 63, one of 61.
    const std::string l63(63, 'x');
    const auto longest = n(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'y'));
    message m;
    m.questions.push_back({longest, rr_type::a});
    auto wire = encode(m);
    ASSERT_TRUE(wire);
    EXPECT_TRUE(parse_message(*wire));
    // The same labels in wire form with a 62-octet last label: 256 octets.
    bytes over = query_with({0, 1, 0, 0, 0, 0, 0, 0});
    for (int i = 0; i < 3; ++i) {
        over.push_back(63);
        append(over, l63);
    }
    over.push_back(62);
    append(over, std::string(62, 'y'));
    over.insert(over.end(), {0, 0, 1, 0, 1});
    EXPECT_EQ(parse_message(over).error().code, errc::name_too_long);
    // Built up from pointers: each name adds 63 octets before pointing at the previous one.
    bytes chain = query_with({0, 5, 0, 0, 0, 0, 0, 0});
    std::size_t previous = 0;
    for (int i = 0; i < 5; ++i) {
        const std::size_t here = chain.size();
        chain.push_back(63);
        append(chain, l63);
        if (i == 0) {
            chain.push_back(0);
        } else {
            chain.push_back(static_cast<std::uint8_t>(0xc0 | previous >> 8));
            chain.push_back(static_cast<std::uint8_t>(previous & 0xff));
        }
        chain.insert(chain.end(), {0, 1, 0, 1});
        previous = here;
    }
    const auto error = parse_message(chain).error();
    EXPECT_EQ(error.code, errc::name_too_long);
}

TEST(dns_codec, every_cut_of_a_message_is_refused_as_truncated)
{
    auto wire = encode(sample());
    ASSERT_TRUE(wire);
    for (std::size_t len = 0; len < wire->size(); ++len) {
        const auto cut = parse_message(std::span(wire->data(), len));
        ASSERT_FALSE(cut) << len;
        // A cut inside an RDATA whose RDLENGTH runs past the end is also a truncation.
        EXPECT_TRUE(cut.error().code == errc::truncated) << len << ": " << cut.error().to_string();
        EXPECT_LE(cut.error().offset, len);
    }
}

TEST(dns_codec, octets_after_the_last_record_are_refused)
{
    auto wire = encode(sample());
    ASSERT_TRUE(wire);
    wire->push_back(0);
    EXPECT_EQ(parse_message(*wire).error().code, errc::trailing_data);
    EXPECT_EQ(parse_message(*wire).error().offset, wire->size() - 1);
}

TEST(dns_codec, counts_larger_than_the_message_cost_nothing)
{
    auto q = query_with({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 0, 1});
    const auto error = parse_message(q).error();
    EXPECT_EQ(error.code, errc::truncated);
    EXPECT_EQ(error.offset, q.size());
}

TEST(dns_codec, rdata_must_match_its_type_and_length)
{
    auto record = [](std::uint16_t type, std::initializer_list<std::uint8_t> rdata) {
        bytes b = query_with({0, 0, 0, 1, 0, 0, 0, 0, 0});
        b.insert(b.end(),
                 {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type & 0xff), 0,
                  1, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(rdata.size())});
        b.insert(b.end(), rdata);
        return b;
    };
    EXPECT_TRUE(parse_message(record(1, {127, 0, 0, 1})));
    EXPECT_EQ(parse_message(record(1, {127, 0, 0})).error().code, errc::bad_rdata);
    EXPECT_EQ(parse_message(record(1, {127, 0, 0, 1, 1})).error().code, errc::bad_rdata);
    EXPECT_EQ(parse_message(record(28, {0, 0, 0, 1})).error().code, errc::bad_rdata);
    // TXT: a string running past RDLENGTH, and an empty RDATA.
    EXPECT_EQ(parse_message(record(16, {5, 'a', 'b'})).error().code, errc::bad_rdata);
    EXPECT_EQ(parse_message(record(16, {})).error().code, errc::bad_rdata);
    EXPECT_TRUE(parse_message(record(16, {0})));
    // MX: the name must end inside RDLENGTH.
    EXPECT_EQ(parse_message(record(15, {0, 1, 1, 'a'})).error().code, errc::bad_rdata);
    EXPECT_TRUE(parse_message(record(15, {0, 1, 1, 'a', 0})));
    // SOA: two names and five numbers.
    EXPECT_EQ(parse_message(record(6, {0, 0, 0, 0, 0, 1})).error().code, errc::bad_rdata);
    // Unknown types take any RDATA.
    EXPECT_TRUE(parse_message(record(99, {1, 2, 3})));
}

TEST(dns_codec, reads_the_edns0_opt_record)
{
    // dig's query for example.test A with EDNS0, DO and a COOKIE option.
    bytes q = query_with({0, 1, 0, 0, 0, 0, 0, 1});
    append(q, std::string_view("\7example\4test\0\0\1\0\1", 18));
    q.insert(q.end(), {0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 12, 0, 10, 0, 8});
    q.insert(q.end(), {1, 2, 3, 4, 5, 6, 7, 8});
    auto m = parse_message(q);
    ASSERT_TRUE(m) << m.error().to_string();
    ASSERT_TRUE(m->opt);
    EXPECT_EQ(m->opt->udp_payload_size, 1232);
    EXPECT_TRUE(m->opt->dnssec_ok);
    EXPECT_EQ(m->opt->version, 0);
    ASSERT_EQ(m->opt->options.size(), 1u);
    EXPECT_EQ(m->opt->options[0].code, 10);
    EXPECT_TRUE(m->additional.empty());
}

TEST(dns_codec, refuses_an_opt_record_out_of_place)
{
    const std::initializer_list<std::uint8_t> opt = {0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0};
    // In the answer section.
    bytes in_answer = query_with({0, 0, 0, 1, 0, 0, 0, 0});
    in_answer.insert(in_answer.end(), opt);
    EXPECT_EQ(parse_message(in_answer).error().code, errc::bad_opt);
    // Twice.
    bytes twice = query_with({0, 0, 0, 0, 0, 0, 0, 2});
    twice.insert(twice.end(), opt);
    twice.insert(twice.end(), opt);
    EXPECT_EQ(parse_message(twice).error().code, errc::bad_opt);
    EXPECT_EQ(parse_message(twice).error().offset, 23u);
    // Not owned by the root.
    bytes owned = query_with({0, 0, 0, 0, 0, 0, 0, 1, 1, 'a'});
    owned.insert(owned.end(), opt);
    EXPECT_EQ(parse_message(owned).error().code, errc::bad_opt);
    // An option running past RDLENGTH.
    bytes bad_option = query_with({0, 0, 0, 0, 0, 0, 0, 1});
    bad_option.insert(bad_option.end(), {0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 5, 0, 10, 0, 8, 1});
    EXPECT_EQ(parse_message(bad_option).error().code, errc::bad_rdata);
}

TEST(dns_codec, the_builder_stays_within_its_limit_and_writes_nothing_that_does_not_fit)
{
    message_builder b(100);
    ASSERT_FALSE(b.add_question({n("example.test"), rr_type::txt}));
    const resource_record big{n("example.test"), rr_type::txt, rr_class::in, 1,
                              txt_of(std::string(100, 'x'))};
    const resource_record small{n("example.test"), rr_type::txt, rr_class::in, 1, txt_of("x")};
    const auto before = b.size();
    EXPECT_EQ(b.add(section::answer, big), errc::message_too_large);
    EXPECT_EQ(b.size(), before);
    EXPECT_FALSE(b.add(section::answer, small));
    const auto checkpoint = b.mark();
    EXPECT_FALSE(b.add(section::answer, small));
    b.rollback(checkpoint);
    auto wire = b.finish({});
    EXPECT_LE(wire.size(), 100u);
    auto back = parse_message(wire);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->answers.size(), 1u);
}

TEST(dns_codec, the_builder_refuses_what_cannot_be_written)
{
    message_builder b;
    const resource_record long_string{n("t"), rr_type::txt, rr_class::in, 1,
                                      txt_data{{std::string(256, 'x')}}};
    EXPECT_EQ(b.add(section::answer, long_string), errc::string_too_long);
    const resource_record no_string{n("t"), rr_type::txt, rr_class::in, 1, txt_data{}};
    EXPECT_EQ(b.add(section::answer, no_string), errc::bad_rdata);
    // Over 65535 octets in all.
    message m;
    for (int i = 0; i < 300; ++i) {
        m.answers.push_back({n("t"), rr_type::txt, rr_class::in, 1, txt_of(std::string(255, 'x'))});
    }
    EXPECT_EQ(encode(m).error(), errc::message_too_large);
}

TEST(dns_codec, a_header_alone_needs_twelve_octets)
{
    EXPECT_FALSE(parse_header(bytes(11, 0)));
    auto h = parse_header(bytes{0xab, 0xcd, 0x85, 0x83, 0, 0, 0, 0, 0, 0, 0, 0});
    ASSERT_TRUE(h);
    EXPECT_EQ(h->id, 0xabcd);
    EXPECT_TRUE(h->qr);
    EXPECT_TRUE(h->aa);
    EXPECT_TRUE(h->rd);
    EXPECT_EQ(h->rcode, 3);
    EXPECT_EQ(parse_message(bytes(11, 0)).error().code, errc::truncated);
    EXPECT_EQ(parse_message(bytes(65536, 0)).error().code, errc::message_too_large);
}

} // namespace
