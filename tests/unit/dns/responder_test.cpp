// The responder: answers from zone data (AA, NODATA vs NXDOMAIN with the SOA, ANY, unknown
// types, case echoed), DNSBL lookups for IPv4 and IPv6 (RFC 5782), every fault decision,
// truncation to the UDP payload size, and malformed or unusual queries.
#include "dns/error.hpp"
#include "dns/message_builder.hpp"
#include "dns/message_parser.hpp"
#include "dns/mock_zones.hpp"
#include "dns/responder.hpp"
#include "dns/reverse_name.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace dns;
using namespace std::chrono_literals;
using bytes = std::vector<std::uint8_t>;

name n(std::string_view text)
{
    return *name::parse(text);
}

const ipv6 loopback6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

zone_set mock_data()
{
    mock_names names;
    names.hostname = n("mock.example.test");
    names.addresses = {ipv4{127, 0, 0, 1}, loopback6};
    names.mail_domain = n("example.test");
    names.blocklists = {n("zen.example"), n("bl.example.test")};
    auto zones = make_zone_set(names);
    EXPECT_TRUE(zones) << zones.error().message();
    // A name with records of many sizes, for truncation.
    zone big(n("big.test"), soa_data{n("mock.example.test"), n("hostmaster.big.test")});
    for (int i = 0; i < 40; ++i) {
        big.add({n("txt.big.test"), rr_type::txt, rr_class::in, 60,
                 txt_of(std::string(40, static_cast<char>('a' + i % 26)) + std::to_string(i))});
    }
    big.add({n("deep.below.big.test"), rr_type::a, rr_class::in, 60, a_data{{127, 0, 0, 9}}});
    zones->zones.push_back(std::move(big));
    return *zones;
}

bytes ask(std::string_view qname, rr_type type, std::optional<edns> opt = std::nullopt,
          rr_class klass = rr_class::in)
{
    message m;
    m.header.id = 0x4242;
    m.header.rd = true;
    m.questions.push_back({n(qname), type, klass});
    m.opt = std::move(opt);
    return *encode(m);
}

class dns_responder : public ::testing::Test {
protected:
    responder r{mock_data()};
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();

    reply_action act(const bytes& query, transport via = transport::udp,
                     const fault_decisions& faults = {})
    {
        return r.respond({query, via, ipv4{127, 0, 0, 1}, now},
                         [&](const dns::query&) { return faults; });
    }

    // The answer's message, checked to be an answer to 0x4242 sent at once.
    message answer(const bytes& query, transport via = transport::udp,
                   const fault_decisions& faults = {})
    {
        const auto a = act(query, via, faults);
        EXPECT_EQ(a.what, reply_action::kind::send) << a.note;
        std::span<const std::uint8_t> wire = a.bytes;
        if (via == transport::tcp) {
            EXPECT_GE(wire.size(), 2u);
            EXPECT_EQ(static_cast<std::size_t>(wire[0] << 8 | wire[1]), wire.size() - 2);
            wire = wire.subspan(2);
        } else {
            EXPECT_LE(wire.size(), 1232u);
        }
        auto m = parse_message(wire);
        EXPECT_TRUE(m) << m.error().to_string();
        if (!m) {
            return {};
        }
        EXPECT_TRUE(m->header.qr);
        EXPECT_EQ(m->header.id, 0x4242);
        return *m;
    }
};

std::vector<std::string> texts(const std::vector<resource_record>& records)
{
    std::vector<std::string> out;
    for (const auto& rr : records) {
        out.push_back(to_string(rr));
    }
    return out;
}

TEST_F(dns_responder, answers_the_mock_names_authoritatively)
{
    auto m = answer(ask("mock.example.test", rr_type::a));
    EXPECT_EQ(m.rcode(), rcode::noerror);
    EXPECT_TRUE(m.header.aa);
    EXPECT_FALSE(m.header.ra);
    EXPECT_TRUE(m.header.rd); // copied (RFC 1035 §4.1.1)
    EXPECT_EQ(texts(m.answers), std::vector<std::string>{"mock.example.test. 60 IN A 127.0.0.1"});
    EXPECT_TRUE(m.authority.empty());

    m = answer(ask("mock.example.test", rr_type::aaaa));
    EXPECT_EQ(texts(m.answers), std::vector<std::string>{"mock.example.test. 60 IN AAAA ::1"});

    // The MX, with the exchanger's addresses in the additional section.
    m = answer(ask("example.test", rr_type::mx));
    EXPECT_EQ(texts(m.answers),
              std::vector<std::string>{"example.test. 60 IN MX 10 mock.example.test."});
    EXPECT_EQ(texts(m.additional), (std::vector<std::string>{"mock.example.test. 60 IN A 127.0.0.1",
                                                             "mock.example.test. 60 IN AAAA ::1"}));
    m = answer(ask("example.test", rr_type::txt));
    EXPECT_EQ(texts(m.answers),
              std::vector<std::string>{"example.test. 60 IN TXT \"v=spf1 mx -all\""});
    m = answer(ask("1.0.0.127.in-addr.arpa", rr_type::ptr));
    EXPECT_EQ(texts(m.answers),
              std::vector<std::string>{"1.0.0.127.in-addr.arpa. 60 IN PTR mock.example.test."});
    m = answer(ask(ptr_name(loopback6).to_string(), rr_type::ptr));
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(std::get<ptr_data>(m.answers[0].data).target, n("mock.example.test"));
    m = answer(ask("example.test", rr_type::soa));
    EXPECT_EQ(texts(m.answers),
              std::vector<std::string>{"example.test. 60 IN SOA mock.example.test. "
                                       "hostmaster.example.test. 1 3600 600 86400 60"});
    m = answer(ask("example.test", rr_type::ns));
    EXPECT_EQ(texts(m.answers),
              std::vector<std::string>{"example.test. 60 IN NS mock.example.test."});
}

TEST_F(dns_responder, echoes_the_question_as_asked_and_matches_ignoring_case)
{
    auto m = answer(ask("MoCk.ExAmPlE.tEsT", rr_type::a));
    ASSERT_EQ(m.questions.size(), 1u);
    EXPECT_TRUE(m.questions[0].qname.identical(n("MoCk.ExAmPlE.tEsT")));
    ASSERT_EQ(m.answers.size(), 1u);
    // The owner is compressed against the question, so it reads as asked (RFC 4343 §4).
    EXPECT_TRUE(m.answers[0].owner.identical(n("MoCk.ExAmPlE.tEsT")));
}

TEST_F(dns_responder, tells_nodata_from_nxdomain_with_the_soa)
{
    // The name exists without MX: NODATA (RFC 2308 §2.2).
    auto m = answer(ask("mock.example.test", rr_type::mx));
    EXPECT_EQ(m.rcode(), rcode::noerror);
    EXPECT_TRUE(m.header.aa);
    EXPECT_TRUE(m.answers.empty());
    ASSERT_EQ(m.authority.size(), 1u);
    EXPECT_EQ(m.authority[0].type, rr_type::soa);
    EXPECT_EQ(m.authority[0].owner, n("example.test"));
    EXPECT_EQ(m.authority[0].ttl, 60u); // min(SOA TTL, MINIMUM), RFC 2308 §5
    // An empty non-terminal exists too (RFC 8020 §2).
    m = answer(ask("below.big.test", rr_type::a));
    EXPECT_EQ(m.rcode(), rcode::noerror);
    EXPECT_EQ(m.authority.size(), 1u);
    // A name that does not exist: NXDOMAIN (RFC 2308 §2.1).
    m = answer(ask("nothing.example.test", rr_type::a));
    EXPECT_EQ(m.rcode(), rcode::nxdomain);
    EXPECT_TRUE(m.header.aa);
    ASSERT_EQ(m.authority.size(), 1u);
    EXPECT_EQ(m.authority[0].type, rr_type::soa);
    // Nor does anything below it.
    EXPECT_EQ(answer(ask("x.nothing.example.test", rr_type::a)).rcode(), rcode::nxdomain);
}

TEST_F(dns_responder, refuses_names_outside_its_zones_and_other_classes)
{
    auto m = answer(ask("example.org", rr_type::a));
    EXPECT_EQ(m.rcode(), rcode::refused);
    EXPECT_FALSE(m.header.aa);
    EXPECT_TRUE(m.answers.empty());
    EXPECT_EQ(answer(ask("test", rr_type::a)).rcode(), rcode::refused);
    EXPECT_EQ(answer(ask("mock.example.test", rr_type::a, {}, rr_class::ch)).rcode(),
              rcode::refused);
    // Class ANY is looked up as IN.
    EXPECT_EQ(answer(ask("mock.example.test", rr_type::a, {}, rr_class::any)).answers.size(), 1u);
}

TEST_F(dns_responder, answers_any_with_every_rrset_and_unknown_types_with_nodata)
{
    auto m = answer(ask("example.test", rr_type::any));
    EXPECT_EQ(m.rcode(), rcode::noerror);
    std::vector<rr_type> types;
    for (const auto& rr : m.answers) {
        types.push_back(rr.type);
    }
    EXPECT_EQ(types, (std::vector<rr_type>{rr_type::soa, rr_type::ns, rr_type::mx, rr_type::txt}));
    m = answer(ask("example.test", static_cast<rr_type>(65280)));
    EXPECT_EQ(m.rcode(), rcode::noerror);
    EXPECT_TRUE(m.answers.empty());
    EXPECT_EQ(m.authority.size(), 1u);
    // Transfers are refused, obsolete types not implemented, meta-types are no questions.
    EXPECT_EQ(answer(ask("example.test", rr_type::axfr)).rcode(), rcode::refused);
    EXPECT_EQ(answer(ask("example.test", rr_type::ixfr)).rcode(), rcode::refused);
    EXPECT_EQ(answer(ask("example.test", rr_type::maila)).rcode(), rcode::notimp);
    EXPECT_EQ(answer(ask("example.test", rr_type::tsig)).rcode(), rcode::formerr);
    EXPECT_EQ(answer(ask("example.test", rr_type::opt)).rcode(), rcode::formerr);
    EXPECT_EQ(answer(ask("example.test", static_cast<rr_type>(0))).rcode(), rcode::formerr);
}

TEST_F(dns_responder, looks_up_ipv4_and_ipv6_addresses_on_a_blocklist)
{
    r.zones().blocklists[0].list(
        {ipv4{192, 0, 2, 99}, {ipv4{127, 0, 0, 2}, ipv4{127, 0, 0, 4}}, "Listed: see zen"});
    const ipv6 v6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99};
    r.zones().blocklists[0].list({v6, {ipv4{127, 0, 0, 3}}, "Listed v6"});
    const auto v4_name = reverse_name(ipv4{192, 0, 2, 99}, n("zen.example"))->to_string();
    auto m = answer(ask(v4_name, rr_type::a));
    EXPECT_TRUE(m.header.aa);
    EXPECT_EQ(texts(m.answers),
              (std::vector<std::string>{"99.2.0.192.zen.example. 60 IN A 127.0.0.2",
                                        "99.2.0.192.zen.example. 60 IN A 127.0.0.4"}));
    m = answer(ask(v4_name, rr_type::txt));
    EXPECT_EQ(texts(m.answers),
              std::vector<std::string>{"99.2.0.192.zen.example. 60 IN TXT \"Listed: see zen\""});
    const auto v6_name = reverse_name(v6, n("zen.example"))->to_string();
    m = answer(ask(v6_name, rr_type::a));
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(std::get<a_data>(m.answers[0].data).address, (ipv4{127, 0, 0, 3}));
    EXPECT_EQ(answer(ask(v6_name, rr_type::txt)).answers.size(), 1u);
    // A listed address has no other types: NODATA.
    m = answer(ask(v4_name, rr_type::aaaa));
    EXPECT_EQ(m.rcode(), rcode::noerror);
    EXPECT_TRUE(m.answers.empty());
    // Not listed: NXDOMAIN, with the zone's SOA.
    m = answer(ask("98.2.0.192.zen.example", rr_type::a));
    EXPECT_EQ(m.rcode(), rcode::nxdomain);
    ASSERT_EQ(m.authority.size(), 1u);
    EXPECT_EQ(m.authority[0].owner, n("zen.example"));
    // The names above a listed one exist (RFC 8020 §2); other names do not.
    EXPECT_EQ(answer(ask("2.0.192.zen.example", rr_type::a)).rcode(), rcode::noerror);
    EXPECT_EQ(answer(ask("not-an-address.zen.example", rr_type::a)).rcode(), rcode::nxdomain);
    // The apex has its SOA and NS.
    EXPECT_EQ(answer(ask("zen.example", rr_type::soa)).answers.size(), 1u);
    EXPECT_EQ(answer(ask("zen.example", rr_type::ns)).answers.size(), 1u);
}

TEST_F(dns_responder, blocklists_hold_the_rfc5782_test_entries)
{
    auto m = answer(ask("2.0.0.127.zen.example", rr_type::a));
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(std::get<a_data>(m.answers[0].data).address, (ipv4{127, 0, 0, 2}));
    EXPECT_EQ(answer(ask("1.0.0.127.zen.example", rr_type::a)).rcode(), rcode::nxdomain);
    const ipv6 mapped2{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2};
    const ipv6 mapped1{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    EXPECT_EQ(answer(ask(reverse_name(mapped2, n("bl.example.test"))->to_string(), rr_type::a))
                  .answers.size(),
              1u);
    EXPECT_EQ(
        answer(ask(reverse_name(mapped1, n("bl.example.test"))->to_string(), rr_type::a)).rcode(),
        rcode::nxdomain);
}

TEST_F(dns_responder, the_listed_fault_lists_an_address_with_its_reason)
{
    fault_decisions listed;
    listed.listed = {{ipv4{127, 0, 0, 1}, {ipv4{127, 0, 0, 2}}, "Blocked: see example"}};
    const std::string qname = "1.0.0.127.zen.example";
    auto m = answer(ask(qname, rr_type::a), transport::udp, listed);
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(std::get<a_data>(m.answers[0].data).address, (ipv4{127, 0, 0, 2}));
    m = answer(ask(qname, rr_type::txt), transport::udp, listed);
    EXPECT_EQ(texts(m.answers), std::vector<std::string>{
                                    "1.0.0.127.zen.example. 60 IN TXT \"Blocked: see example\""});
    // Also on the other blocklist; and not without the fault.
    EXPECT_EQ(
        answer(ask("1.0.0.127.bl.example.test", rr_type::a), transport::udp, listed).answers.size(),
        1u);
    EXPECT_EQ(answer(ask(qname, rr_type::a)).rcode(), rcode::nxdomain);
    // A reason longer than a character-string is cut into several (RFC 1035 §3.3.14).
    listed.listed[0].reason = std::string(300, 'r');
    m = answer(ask(qname, rr_type::txt), transport::udp, listed);
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(std::get<txt_data>(m.answers[0].data).strings.size(), 2u);
}

TEST_F(dns_responder, the_zone_error_fault_answers_the_127_255_255_codes_for_every_name)
{
    for (std::uint8_t code :
         {dnsbl_typing_error, std::uint8_t{253}, dnsbl_public_resolver, dnsbl_excessive_queries}) {
        fault_decisions broken;
        broken.dnsbl_error = dnsbl_error{code, ""};
        for (const char* qname :
             {"2.0.0.127.zen.example", "1.0.0.127.zen.example", "anything.zen.example"}) {
            auto m = answer(ask(qname, rr_type::a), transport::udp, broken);
            EXPECT_EQ(m.rcode(), rcode::noerror);
            ASSERT_EQ(m.answers.size(), 1u) << qname;
            EXPECT_EQ(std::get<a_data>(m.answers[0].data).address, (ipv4{127, 255, 255, code}));
            m = answer(ask(qname, rr_type::txt), transport::udp, broken);
            ASSERT_EQ(m.answers.size(), 1u);
            EXPECT_EQ(std::get<txt_data>(m.answers[0].data).strings[0].rfind("Error: ", 0), 0u);
        }
    }
    fault_decisions broken;
    broken.dnsbl_error = dnsbl_error{dnsbl_public_resolver, ""};
    auto m = answer(ask("1.0.0.127.zen.example", rr_type::txt), transport::udp, broken);
    EXPECT_EQ(std::get<txt_data>(m.answers[0].data).strings[0],
              "Error: query via public/open resolver");
    // The apex and the other zones are unchanged.
    EXPECT_EQ(answer(ask("zen.example", rr_type::soa), transport::udp, broken).answers.size(), 1u);
    EXPECT_EQ(answer(ask("mock.example.test", rr_type::a), transport::udp, broken).answers[0].type,
              rr_type::a);
}

TEST_F(dns_responder, a_wildcard_zone_answers_every_address_and_no_txt)
{
    // A lapsed blocklist domain parked with a wildcard (check_rbl#18): even the RFC 5782 §5
    // test entry 127.0.0.1, which must never be listed, gets an A record.
    fault_decisions parked;
    parked.dnsbl_wildcard = {ipv4{127, 0, 0, 2}, ipv4{127, 0, 0, 10}};
    for (const char* qname : {"1.0.0.127.zen.example", "4.3.2.1.zen.example"}) {
        auto m = answer(ask(qname, rr_type::a), transport::udp, parked);
        EXPECT_EQ(m.rcode(), rcode::noerror);
        ASSERT_EQ(m.answers.size(), 2u) << qname;
        EXPECT_EQ(std::get<a_data>(m.answers[1].data).address, (ipv4{127, 0, 0, 10}));
        m = answer(ask(qname, rr_type::txt), transport::udp, parked);
        EXPECT_EQ(m.rcode(), rcode::noerror);
        EXPECT_TRUE(m.answers.empty()) << qname;
    }
    EXPECT_EQ(answer(ask("zen.example", rr_type::soa), transport::udp, parked).answers.size(), 1u);
}

TEST_F(dns_responder, the_mx_faults_remove_the_domain_or_only_its_mx)
{
    fault_decisions gone;
    gone.mx = mx_fault::nxdomain;
    for (auto type : {rr_type::mx, rr_type::a, rr_type::txt}) {
        auto m = answer(ask("example.test", type), transport::udp, gone);
        EXPECT_EQ(m.rcode(), rcode::nxdomain);
        EXPECT_EQ(m.authority.size(), 1u);
    }
    // The mail exchanger itself still resolves.
    EXPECT_EQ(answer(ask("mock.example.test", rr_type::a), transport::udp, gone).answers.size(),
              1u);

    fault_decisions a_only;
    a_only.mx = mx_fault::a_only;
    auto m = answer(ask("example.test", rr_type::mx), transport::udp, a_only);
    EXPECT_EQ(m.rcode(), rcode::noerror);
    EXPECT_TRUE(m.answers.empty());
    m = answer(ask("example.test", rr_type::a), transport::udp, a_only);
    EXPECT_EQ(texts(m.answers), std::vector<std::string>{"example.test. 60 IN A 127.0.0.1"});
    m = answer(ask("example.test", rr_type::aaaa), transport::udp, a_only);
    EXPECT_EQ(texts(m.answers), std::vector<std::string>{"example.test. 60 IN AAAA ::1"});
    m = answer(ask("example.test", rr_type::any), transport::udp, a_only);
    for (const auto& rr : m.answers) {
        EXPECT_NE(rr.type, rr_type::mx);
    }
    EXPECT_EQ(m.answers.size(), 5u); // SOA NS TXT A AAAA
    // Without the fault the domain has no address.
    EXPECT_TRUE(answer(ask("example.test", rr_type::a)).answers.empty());

    // RFC 7505: the null MX "0 ." in place of the MX records; the other records stay.
    fault_decisions null_mx;
    null_mx.mx = mx_fault::null_mx;
    m = answer(ask("example.test", rr_type::mx), transport::udp, null_mx);
    EXPECT_EQ(m.rcode(), rcode::noerror);
    EXPECT_EQ(texts(m.answers), std::vector<std::string>{"example.test. 60 IN MX 0 ."});
    EXPECT_TRUE(m.additional.empty());
    m = answer(ask("example.test", rr_type::txt), transport::udp, null_mx);
    EXPECT_EQ(m.answers.size(), 1u);
}

TEST_F(dns_responder, rcode_faults_answer_without_records_and_without_authority)
{
    for (auto code : {rcode::servfail, rcode::refused}) {
        fault_decisions failing;
        failing.rcode = code;
        const auto a = act(ask("mock.example.test", rr_type::a), transport::udp, failing);
        EXPECT_EQ(a.note, to_string(code) + " (fault)");
        auto m = answer(ask("mock.example.test", rr_type::a), transport::udp, failing);
        EXPECT_EQ(m.rcode(), code);
        EXPECT_FALSE(m.header.aa);
        EXPECT_TRUE(m.answers.empty());
        EXPECT_EQ(m.questions.size(), 1u);
    }
}

TEST_F(dns_responder, timeout_and_slow_faults_are_actions_for_the_driver)
{
    fault_decisions silent;
    silent.no_answer = true;
    auto a = act(ask("mock.example.test", rr_type::a), transport::udp, silent);
    EXPECT_EQ(a.what, reply_action::kind::ignore);
    EXPECT_TRUE(a.bytes.empty());
    EXPECT_EQ(a.note, "no answer (fault)");

    fault_decisions slow;
    slow.delay = 1500ms;
    a = act(ask("mock.example.test", rr_type::a), transport::tcp, slow);
    EXPECT_EQ(a.what, reply_action::kind::send);
    EXPECT_EQ(a.at, now + 1500ms);
    EXPECT_EQ(act(ask("mock.example.test", rr_type::a)).at, now);
}

TEST_F(dns_responder, the_truncation_fault_forces_tcp)
{
    fault_decisions truncating;
    truncating.truncate_udp = true;
    auto m = answer(ask("mock.example.test", rr_type::a), transport::udp, truncating);
    EXPECT_TRUE(m.header.tc);
    EXPECT_TRUE(m.answers.empty());
    EXPECT_EQ(m.questions.size(), 1u);
    m = answer(ask("mock.example.test", rr_type::a), transport::tcp, truncating);
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.answers.size(), 1u);
}

TEST_F(dns_responder, truncates_to_512_octets_or_the_edns0_payload_size)
{
    // 40 TXT records of about 55 octets: 2.2 kB.
    auto m = answer(ask("txt.big.test", rr_type::txt));
    EXPECT_TRUE(m.header.tc);
    EXPECT_TRUE(m.answers.empty()); // the one RRset does not fit: none of it is sent
    EXPECT_LE(encode(m)->size(), 512u);

    edns big_buffer;
    big_buffer.udp_payload_size = 4096;
    auto a = act(ask("txt.big.test", rr_type::txt, big_buffer));
    EXPECT_LE(a.bytes.size(), 1232u); // ours is the smaller
    EXPECT_NE(a.note.find("TC: the answer does not fit in 1232 octets"), std::string::npos);
    m = answer(ask("txt.big.test", rr_type::txt, big_buffer));
    EXPECT_TRUE(m.header.tc);
    ASSERT_TRUE(m.opt); // kept in a truncated answer (RFC 6891 §7)
    EXPECT_EQ(m.opt->udp_payload_size, 1232);

    // Over TCP all of it.
    m = answer(ask("txt.big.test", rr_type::txt), transport::tcp);
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.answers.size(), 40u);

    // A payload size below 512 counts as 512 (RFC 6891 §6.2.5).
    edns tiny;
    tiny.udp_payload_size = 100;
    m = answer(ask("example.test", rr_type::mx, tiny));
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.answers.size(), 1u);
}

TEST_F(dns_responder, leaves_out_additional_records_that_do_not_fit_without_tc)
{
    // MX answers whose additional addresses cannot all fit in 512 octets.
    zone many(n("many.test"), soa_data{n("ns.many.test"), n("hostmaster.many.test")});
    for (int i = 0; i < 12; ++i) {
        const auto host = n("mx-" + std::to_string(i) + ".many.test");
        many.add({n("many.test"), rr_type::mx, rr_class::in, 60,
                  mx_data{static_cast<std::uint16_t>(i), host}});
        many.add({host, rr_type::aaaa, rr_class::in, 60, aaaa_data{loopback6}});
    }
    r.zones().zones.push_back(std::move(many));
    auto m = answer(ask("many.test", rr_type::mx));
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.answers.size(), 12u);
    EXPECT_LT(m.additional.size(), 12u);
    EXPECT_GT(m.additional.size(), 0u);
}

TEST_F(dns_responder, speaks_edns0_when_asked)
{
    edns opt;
    opt.udp_payload_size = 1400;
    opt.dnssec_ok = true;
    opt.options = {{10, {1, 2, 3, 4, 5, 6, 7, 8}}}; // a client COOKIE, ignored (RFC 7873)
    auto m = answer(ask("mock.example.test", rr_type::a, opt));
    ASSERT_TRUE(m.opt);
    EXPECT_EQ(m.opt->version, 0);
    EXPECT_TRUE(m.opt->dnssec_ok); // RFC 3225 §3
    EXPECT_TRUE(m.opt->options.empty());
    EXPECT_EQ(m.answers.size(), 1u);
    EXPECT_FALSE(answer(ask("mock.example.test", rr_type::a)).opt);
    // Version 1 is answered BADVERS (RFC 6891 §6.1.3): RCODE 16 across header and OPT.
    opt.version = 1;
    m = answer(ask("mock.example.test", rr_type::a, opt));
    EXPECT_EQ(m.rcode(), rcode::badvers);
    EXPECT_EQ(m.header.rcode, 0);
    ASSERT_TRUE(m.opt);
    EXPECT_EQ(m.opt->version, 0);
}

TEST_F(dns_responder, answers_malformed_queries_with_formerr_and_says_where)
{
    auto q = ask("mock.example.test", rr_type::a);
    q[12] = 0xc0; // the question name becomes a pointer to offset 0x6d: past the end
    q[13] = 0x6d;
    auto a = act(q);
    EXPECT_EQ(a.what, reply_action::kind::send);
    EXPECT_EQ(a.note, "FORMERR: compression pointer outside the message at offset 12");
    auto m = parse_message(a.bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->header.id, 0x4242);
    EXPECT_EQ(m->rcode(), rcode::formerr);
    EXPECT_TRUE(m->questions.empty());

    // No question, two questions.
    message none;
    none.header.id = 0x4242;
    EXPECT_EQ(answer(*encode(none)).rcode(), rcode::formerr);
    message two = none;
    two.questions = {{n("a.example.test"), rr_type::a}, {n("b.example.test"), rr_type::a}};
    EXPECT_EQ(answer(*encode(two)).rcode(), rcode::formerr);
}

TEST_F(dns_responder, ignores_responses_and_scraps_and_refuses_other_opcodes)
{
    auto response = ask("mock.example.test", rr_type::a);
    response[2] |= 0x80;
    auto a = act(response);
    EXPECT_EQ(a.what, reply_action::kind::ignore);
    EXPECT_EQ(a.note, "ignored: a response (QR=1)");
    a = act(bytes(11, 0));
    EXPECT_EQ(a.what, reply_action::kind::ignore);

    auto update = ask("example.test", rr_type::soa);
    update[2] = static_cast<std::uint8_t>((update[2] & 0x87) | 5 << 3);
    auto m = answer(update);
    EXPECT_EQ(m.rcode(), rcode::notimp);
    EXPECT_EQ(m.header.opcode, opcode::update);
}

TEST_F(dns_responder, bounds_udp_queries_to_512_octets_or_its_payload_size)
{
    // A query padded with an unknown additional record to just over 512 octets.
    message padded;
    padded.header.id = 0x4242;
    padded.questions.push_back({n("mock.example.test"), rr_type::a});
    padded.additional.push_back({n("pad.example.test"), static_cast<rr_type>(65280), rr_class::in,
                                 0, opaque_data{bytes(470, 0)}});
    const auto wire = *encode(padded);
    ASSERT_GT(wire.size(), 512u);
    ASSERT_LT(wire.size(), 1232u);
    auto a = act(wire);
    EXPECT_NE(a.note.find("FORMERR: a UDP query of"), std::string::npos) << a.note;
    // The same over TCP, or with EDNS0, is a query.
    EXPECT_EQ(answer(wire, transport::tcp).rcode(), rcode::noerror);
    padded.opt = edns{};
    EXPECT_EQ(answer(*encode(padded)).rcode(), rcode::noerror);
}

TEST_F(dns_responder, hands_the_fault_engine_what_it_matches_on)
{
    std::optional<query> seen;
    const auto q = ask("Example.TEST", rr_type::mx);
    r.respond({q, transport::tcp, ipv4{127, 0, 0, 7}, now}, [&](const query& asked) {
        seen = asked;
        return fault_decisions{};
    });
    ASSERT_TRUE(seen);
    EXPECT_TRUE(seen->question.qname.identical(n("Example.TEST")));
    EXPECT_EQ(seen->question.qtype, rr_type::mx);
    EXPECT_EQ(seen->transport, transport::tcp);
    EXPECT_EQ(seen->client, ip_address(ipv4{127, 0, 0, 7}));
    EXPECT_EQ(seen->now, now);
    EXPECT_EQ(seen->header.id, 0x4242);
}

TEST(dns_zone, refuses_records_it_cannot_serve)
{
    zone z(n("example.test"), soa_data{n("ns.example.test"), n("hostmaster.example.test")});
    EXPECT_EQ(z.add({n("other.test"), rr_type::a, rr_class::in, 1, a_data{}}), errc::outside_zone);
    EXPECT_EQ(z.add({n("sub.example.test"), rr_type::ns, rr_class::in, 1, ns_data{n("x.test")}}),
              errc::unsupported_record);
    EXPECT_EQ(z.add({n("www.example.test"), rr_type::cname, rr_class::in, 1,
                     cname_data{n("example.test")}}),
              errc::unsupported_record);
    EXPECT_EQ(z.add({n("example.test"), rr_type::a, rr_class::ch, 1, a_data{}}),
              errc::unsupported_record);
    EXPECT_EQ(z.add({n("example.test"), rr_type::a, rr_class::in, 1, mx_data{}}),
              errc::unsupported_record);
    EXPECT_EQ(z.add({n("example.test"), rr_type::txt, rr_class::in, 1,
                     txt_data{{std::string(256, 'x')}}}),
              errc::string_too_long);
    // A record given twice is kept once (RFC 2181 §5).
    const resource_record a{n("Host.example.test"), rr_type::a, rr_class::in, 1,
                            a_data{{127, 0, 0, 1}}};
    EXPECT_FALSE(z.add(a));
    EXPECT_FALSE(z.add(a));
    EXPECT_EQ(z.find(n("host.EXAMPLE.test"), rr_type::a).size(), 1u);
    z.remove(n("HOST.example.test"));
    EXPECT_TRUE(z.find(n("host.example.test"), rr_type::a).empty());
    EXPECT_FALSE(z.exists(n("host.example.test")));
}

} // namespace
