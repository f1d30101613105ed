#include "prober/dnsbl_check.hpp"

#include "dns/dnsbl_zone.hpp"
#include "dns/reverse_name.hpp"
#include "prober/probe_result.hpp"
#include "smtp/escape.hpp"

#include <algorithm>

namespace prober {
namespace {

std::string to_text(const dns::ipv4& a)
{
    return dns::to_string(dns::ip_address(a));
}

// 127.255.255.0/24: an answer about the query, not the address.
bool is_query_error(const dns::ipv4& a)
{
    return a[0] == 127 && a[1] == 255 && a[2] == 255;
}

std::string query_error_text(const dns::ipv4& a)
{
    dns::dnsbl_error e;
    e.code = a[3];
    return "the blocklist answered " + to_text(a) + ", an error about the query, not a listing (" +
           dns::reason_of(e) + ")";
}

} // namespace

std::string_view to_string(dnsbl_result::verdict v) noexcept
{
    switch (v) {
    case dnsbl_result::verdict::not_listed:
        return "not_listed";
    case dnsbl_result::verdict::listed:
        return "listed";
    case dnsbl_result::verdict::dnsbl_error:
        return "dnsbl_error";
    }
    return "dnsbl_error";
}

dnsbl_check::dnsbl_check(std::string zone, const dns::ip_address& address)
{
    while (!zone.empty() && zone.back() == '.') {
        zone.pop_back();
    }
    result_.zone = zone;
    const auto apex = dns::name::parse(zone);
    const auto name = apex ? dns::reverse_name(address, *apex) : apex;
    // RFC 5782 §5: 127.0.0.1 is never listed.
    const auto test = apex ? dns::reverse_name(dns::ipv4{127, 0, 0, 1}, *apex) : apex;
    if (zone.empty() || !name || !test) {
        fail("not a blocklist zone name: '" + zone + "'");
        return;
    }
    result_.query = name->to_string();
    test_entry_ = test->to_string();
    is_test_entry_ = result_.query == test_entry_;
}

std::optional<dnsbl_check::question> dnsbl_check::next() const
{
    switch (step_) {
    case step::address:
        return question{result_.query, false};
    case step::test_entry:
        return question{test_entry_, false};
    case step::reason:
        return question{result_.query, true};
    case step::done:
        break;
    }
    return std::nullopt;
}

void dnsbl_check::fail(std::string why)
{
    result_.outcome = dnsbl_result::verdict::dnsbl_error;
    result_.error = std::move(why);
    step_ = step::done;
}

void dnsbl_check::on_address(const dnsbl_answer& answer)
{
    using kind = dnsbl_answer::kind;
    if (answer.outcome == kind::failed) {
        fail("no answer from the blocklist: " + answer.error);
        return;
    }
    if (answer.outcome != kind::answered || answer.a.empty()) {
        result_.outcome = dnsbl_result::verdict::not_listed; // RFC 5782 §2.1
        step_ = step::done;
        return;
    }
    for (const auto& a : answer.a) {
        result_.codes.push_back(to_text(a));
    }
    const auto& codes = answer.a;
    if (auto e = std::find_if(codes.begin(), codes.end(), is_query_error); e != codes.end()) {
        fail(query_error_text(*e));
        return;
    }
    auto outside =
        std::find_if(codes.begin(), codes.end(), [](const dns::ipv4& a) { return a[0] != 127; });
    if (outside != codes.end()) {
        fail("the blocklist answered " + to_text(*outside) +
             ", not a code in 127.0.0.0/8 (RFC 5782 §2.1): a broken zone, or a lapsed domain "
             "that answers every name");
        return;
    }
    // The test entry cannot be told apart from the address when it is the address (a server
    // on loopback).
    step_ = is_test_entry_ ? step::reason : step::test_entry;
}

void dnsbl_check::on_answer(const dnsbl_answer& answer)
{
    switch (step_) {
    case step::address:
        on_address(answer);
        return;
    case step::test_entry:
        if (answer.outcome == dnsbl_answer::kind::failed) {
            fail("the listing cannot be trusted: its RFC 5782 §5 test entry 127.0.0.1 got no "
                 "answer: " +
                 answer.error);
            return;
        }
        if (answer.outcome == dnsbl_answer::kind::answered && !answer.a.empty()) {
            fail("the blocklist also lists its RFC 5782 §5 test entry 127.0.0.1, which must "
                 "never be listed: it answers every query (a dead or retired zone)");
            return;
        }
        step_ = step::reason;
        return;
    case step::reason:
        // RFC 5782 §2.2: the TXT record is optional; without one the listing stands.
        if (answer.outcome == dnsbl_answer::kind::answered && !answer.txt.empty()) {
            result_.reason = smtp::escape_bytes(answer.txt.front(), 255); // untrusted bytes
        }
        result_.outcome = dnsbl_result::verdict::listed;
        step_ = step::done;
        return;
    case step::done:
        return;
    }
}

namespace {

std::string listing_text(const dnsbl_result& v)
{
    std::string codes;
    for (const auto& c : v.codes) {
        codes += (codes.empty() ? "" : ", ") + c;
    }
    auto text = "listed on " + v.zone + " (" + codes + ")";
    if (!v.reason.empty()) {
        text += ": " + v.reason;
    }
    return text;
}

} // namespace

void judge_blocklists(probe_result& r, std::vector<dnsbl_result> verdicts)
{
    using verdict = dnsbl_result::verdict;
    auto first = [&](verdict which) {
        return std::find_if(verdicts.begin(), verdicts.end(),
                            [&](const dnsbl_result& v) { return v.outcome == which; });
    };
    const auto listed = first(verdict::listed);
    const auto broken = first(verdict::dnsbl_error);
    if (listed != verdicts.end() && r.status < probe_status::critical) {
        probe_failure f;
        f.kind = smtp::failure_kind::blocklisted;
        f.at = smtp::phase::dns;
        f.message = listing_text(*listed);
        r.failure = std::move(f);
        r.status = probe_status::critical;
    } else if (listed == verdicts.end() && broken != verdicts.end() &&
               r.status == probe_status::ok) {
        probe_failure f;
        f.kind = smtp::failure_kind::dns_error;
        f.at = smtp::phase::dns;
        f.message =
            "blocklist " + broken->zone + " is broken, so it says nothing: " + broken->error;
        r.failure = std::move(f);
        r.status = probe_status::warning;
    }
    r.dnsbl = std::move(verdicts);
}

} // namespace prober
