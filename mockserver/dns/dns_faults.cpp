#include "mockserver/dns/dns_faults.hpp"

#include "faults/controller.hpp"

namespace mock {

dns::fault_decisions to_fault_decisions(const faults::action& a,
                                        const std::vector<dns::ip_address>& own_addresses)
{
    dns::fault_decisions d;
    d.delay = a.delay;
    d.no_answer = a.end == faults::ending::hang;
    if (!a.dns) {
        return d;
    }
    const auto& f = *a.dns;
    if (f.rcode == "SERVFAIL") {
        d.rcode = dns::rcode::servfail;
    } else if (f.rcode == "REFUSED") {
        d.rcode = dns::rcode::refused;
    }
    d.truncate_udp = f.truncate;
    switch (f.mx) {
    case faults::dns_fault::mx_answer::data:
        break;
    case faults::dns_fault::mx_answer::nxdomain:
        d.mx = dns::mx_fault::nxdomain;
        break;
    case faults::dns_fault::mx_answer::a_only:
        d.mx = dns::mx_fault::a_only;
        break;
    case faults::dns_fault::mx_answer::null_mx:
        d.mx = dns::mx_fault::null_mx;
        break;
    }
    if (!f.listed.empty()) {
        for (const auto& address : own_addresses) {
            d.listed.push_back({address, f.listed, f.listed_reason});
        }
    }
    if (f.dnsbl_error != 0) {
        d.dnsbl_error = dns::dnsbl_error{f.dnsbl_error, {}};
    }
    d.dnsbl_wildcard = f.dnsbl_wildcard;
    return d;
}

namespace {

// The decision point of a query; `type_text` and `name_text` hold the text it refers to.
faults::decision_point decision_point_of(const dns::query& q, std::string& type_text,
                                         std::string& name_text)
{
    type_text = dns::to_string(q.question.qtype);
    name_text = q.question.qname.to_string();
    faults::decision_point at;
    at.phase = smtp::phase::dns;
    at.command = type_text;
    at.argument = name_text;
    return at;
}

} // namespace

dns::fault_source dns_fault_source(faults::controller& c,
                                   std::vector<dns::ip_address> own_addresses)
{
    return [&c, own = std::move(own_addresses)](const dns::query& q) {
        std::string type_text;
        std::string name_text;
        const auto at = decision_point_of(q, type_text, name_text);
        const auto client = q.client ? dns::to_string(*q.client) : std::string();
        return to_fault_decisions(c.decide_query(at, client, q.now), own);
    };
}

} // namespace mock
