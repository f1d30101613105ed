#include "dns/lookup.hpp"

#include "dns/reverse_name.hpp"

#include <algorithm>

namespace dns {
namespace {

bool wants(const question& q, rr_type t)
{
    return q.qtype == t || q.qtype == rr_type::any;
}

// NODATA or NXDOMAIN, with the SOA to cache it by (RFC 2308 §3, §5).
void negative(const zone& z, rcode code, resolution& r)
{
    r.rcode = code;
    auto soa = z.soa();
    soa.ttl = z.negative_ttl();
    r.authority.push_back(std::move(soa));
}

void push_unique(std::vector<resource_record>& to, resource_record rr)
{
    if (std::find(to.begin(), to.end(), rr) == to.end()) {
        to.push_back(std::move(rr));
    }
}

// The addresses of the MX and NS targets in the answer, where we hold them (RFC 1035 §3.3.9,
// §3.3.11: additional section processing).
void add_additional(const zone_set& zones, resolution& r)
{
    std::vector<name> targets;
    for (const auto& rr : r.answers) {
        if (const auto* mx = std::get_if<mx_data>(&rr.data)) {
            targets.push_back(mx->exchange);
        } else if (const auto* ns = std::get_if<ns_data>(&rr.data)) {
            targets.push_back(ns->host);
        }
    }
    for (const auto& target : targets) {
        for (auto type : {rr_type::a, rr_type::aaaa}) {
            for (auto& rr : zones.find(target, type)) {
                if (std::find(r.answers.begin(), r.answers.end(), rr) == r.answers.end()) {
                    push_unique(r.additional, std::move(rr));
                }
            }
        }
    }
}

// A mail domain without its MX: its other records, plus, when it has no addresses of its own,
// those of its mail exchangers under its own name (RFC 5321 §5.1 implicit MX).
std::vector<resource_record> implicit_mx(const zone& z, const zone_set& zones, const question& q)
{
    std::vector<resource_record> out = z.find(q.qname, q.qtype);
    std::erase_if(out, [](const resource_record& rr) { return rr.type == rr_type::mx; });
    for (auto type : {rr_type::a, rr_type::aaaa}) {
        if (!wants(q, type) || !z.find(q.qname, type).empty()) {
            continue;
        }
        for (const auto& mx : z.find(q.qname, rr_type::mx)) {
            for (auto rr : zones.find(std::get<mx_data>(mx.data).exchange, type)) {
                rr.owner = q.qname;
                rr.ttl = mx.ttl;
                push_unique(out, std::move(rr));
            }
        }
    }
    return out;
}

void zone_answer(const zone& z, const zone_set& zones, const question& q,
                 const fault_decisions& faults, resolution& r)
{
    const bool mail_domain = !z.find(q.qname, rr_type::mx).empty();
    if (mail_domain && faults.mx == mx_fault::nxdomain) {
        negative(z, rcode::nxdomain, r);
        return;
    }
    auto records = mail_domain && faults.mx == mx_fault::a_only ? implicit_mx(z, zones, q)
                                                                : z.find(q.qname, q.qtype);
    if (mail_domain && faults.mx == mx_fault::null_mx) {
        // RFC 7505 §3: the domain's one MX names the root, with preference 0.
        std::erase_if(records, [](const resource_record& rr) { return rr.type == rr_type::mx; });
        if (wants(q, rr_type::mx)) {
            // find() answers a new vector: keep the value, not a reference into it.
            const auto ttl = z.find(q.qname, rr_type::mx).front().ttl;
            records.push_back({q.qname, rr_type::mx, rr_class::in, ttl, mx_data{0, name()}});
        }
    }
    if (!records.empty()) {
        r.answers = std::move(records);
        add_additional(zones, r);
        return;
    }
    negative(z, z.exists(q.qname) ? rcode::noerror : rcode::nxdomain, r);
}

resource_record dnsbl_record(const dnsbl_zone& bl, const name& owner, rdata data, rr_type t)
{
    return {owner, t, rr_class::in, bl.ttl(), std::move(data)};
}

// The A and TXT records of a listing (RFC 5782 §2.1, §2.2), as far as the question wants them.
void listing_answer(const dnsbl_zone& bl, const question& q, const std::vector<ipv4>& codes,
                    const std::string& reason, resolution& r)
{
    if (wants(q, rr_type::a)) {
        for (const auto& code : codes) {
            r.answers.push_back(dnsbl_record(bl, q.qname, a_data{code}, rr_type::a));
        }
    }
    if (wants(q, rr_type::txt) && !reason.empty()) {
        r.answers.push_back(dnsbl_record(bl, q.qname, txt_of(reason), rr_type::txt));
    }
    if (r.answers.empty()) {
        negative(bl.apex_data(), rcode::noerror, r);
    }
}

// Whether `qname` is above some listed address's name: an empty non-terminal (RFC 8020 §2).
bool above_a_listing(const dnsbl_zone& bl, const name& qname, const fault_decisions& faults)
{
    auto above = [&](const dnsbl_listing& l) {
        const auto n = reverse_name(l.address, bl.apex());
        return n && n->is_subdomain_of(qname);
    };
    return std::any_of(bl.listings().begin(), bl.listings().end(), above) ||
           std::any_of(faults.listed.begin(), faults.listed.end(), above);
}

void dnsbl_answer(const dnsbl_zone& bl, const question& q, const fault_decisions& faults,
                  resolution& r)
{
    if (faults.dnsbl_error) {
        const ipv4 code{127, 255, 255, faults.dnsbl_error->code};
        listing_answer(bl, q, {code}, reason_of(*faults.dnsbl_error), r);
        return;
    }
    if (!faults.dnsbl_wildcard.empty()) {
        listing_answer(bl, q, faults.dnsbl_wildcard, {}, r);
        return;
    }
    const dnsbl_listing* listing = nullptr;
    if (const auto address = reverse_address(q.qname, bl.apex())) {
        for (const auto& l : faults.listed) {
            if (l.address == *address) {
                listing = &l;
                break;
            }
        }
        if (listing == nullptr) {
            listing = bl.find(*address);
        }
    }
    if (listing != nullptr) {
        listing_answer(bl, q, listing->codes, listing->reason, r);
        return;
    }
    negative(bl.apex_data(),
             above_a_listing(bl, q.qname, faults) ? rcode::noerror : rcode::nxdomain, r);
}

// The RCODE for the question types and classes that are not looked up in zone data.
std::optional<rcode> refusal(const question& q)
{
    if (q.qclass != rr_class::in && q.qclass != rr_class::any) {
        return rcode::refused; // we serve class IN only
    }
    switch (q.qtype) {
    case rr_type::opt:
    case rr_type::tsig:
    case rr_type::tkey:
        return rcode::formerr; // pseudo- and meta-types are not questions (RFC 6895 §3.1)
    case rr_type::axfr:
    case rr_type::ixfr:
        return rcode::refused; // no zone transfers
    case rr_type::maila:
    case rr_type::mailb:
        return rcode::notimp; // obsolete (RFC 1035 §3.2.3)
    default:
        break;
    }
    if (static_cast<unsigned>(q.qtype) == 0) {
        return rcode::formerr; // type 0 is reserved (RFC 6895 §3.1)
    }
    return std::nullopt;
}

} // namespace

resolution lookup(const zone_set& zones, const question& q, const fault_decisions& faults)
{
    resolution r;
    if (const auto refused = refusal(q)) {
        r.rcode = *refused;
        return r;
    }
    const auto* bl = zones.blocklist_of(q.qname);
    const auto* z = zones.zone_of(q.qname);
    if (bl == nullptr && z == nullptr) {
        r.rcode = rcode::refused; // not a zone of ours: we are not a resolver
        return r;
    }
    r.authoritative = true;
    if (bl != nullptr && !(q.qname == bl->apex())) {
        dnsbl_answer(*bl, q, faults, r);
    } else {
        zone_answer(bl != nullptr ? bl->apex_data() : *z, zones, q, faults, r);
    }
    return r;
}

} // namespace dns
