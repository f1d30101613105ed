#include "dns/mock_zones.hpp"

#include "dns/reverse_name.hpp"

namespace dns {
namespace {

boost::system::result<zone> new_zone(const name& apex, const mock_names& names)
{
    auto rname = names.mail_domain.prepend("hostmaster");
    if (!rname) {
        return rname.error();
    }
    soa_data soa;
    soa.mname = names.hostname;
    soa.rname = *rname;
    soa.minimum = names.ttl;
    zone z(apex, std::move(soa), names.ttl);
    if (auto ec = z.add({apex, rr_type::ns, rr_class::in, names.ttl, ns_data{names.hostname}})) {
        return ec;
    }
    return z;
}

boost::system::error_code add_addresses(zone& z, const mock_names& names)
{
    for (const auto& a : names.addresses) {
        resource_record rr{names.hostname, rr_type::a, rr_class::in, names.ttl, a_data{}};
        if (const auto* v4 = std::get_if<ipv4>(&a)) {
            rr.data = a_data{*v4};
        } else {
            rr.type = rr_type::aaaa;
            rr.data = aaaa_data{std::get<ipv6>(a)};
        }
        if (auto ec = z.add(std::move(rr))) {
            return ec;
        }
    }
    return {};
}

} // namespace

boost::system::result<zone_set> make_zone_set(const mock_names& names)
{
    zone_set out;
    auto domain = new_zone(names.mail_domain, names);
    if (!domain) {
        return domain.error();
    }
    const auto& apex = names.mail_domain;
    for (auto rr :
         {resource_record{apex, rr_type::mx, rr_class::in, names.ttl, mx_data{10, names.hostname}},
          resource_record{apex, rr_type::txt, rr_class::in, names.ttl, txt_of("v=spf1 mx -all")}}) {
        if (auto ec = domain->add(std::move(rr))) {
            return ec;
        }
    }
    if (names.hostname.is_subdomain_of(apex)) {
        if (auto ec = add_addresses(*domain, names)) {
            return ec;
        }
    } else {
        auto host = new_zone(names.hostname, names);
        if (!host) {
            return host.error();
        }
        if (auto ec = add_addresses(*host, names)) {
            return ec;
        }
        out.zones.push_back(std::move(*host));
    }
    out.zones.insert(out.zones.begin(), std::move(*domain));
    for (const auto& a : names.addresses) {
        const auto owner = ptr_name(a);
        if (out.zone_of(owner) != nullptr) {
            continue; // the same address twice
        }
        auto reverse = new_zone(owner, names);
        if (!reverse) {
            return reverse.error();
        }
        reverse->add({owner, rr_type::ptr, rr_class::in, names.ttl, ptr_data{names.hostname}});
        out.zones.push_back(std::move(*reverse));
    }
    for (const auto& bl : names.blocklists) {
        auto apex_data = new_zone(bl, names);
        if (!apex_data) {
            return apex_data.error();
        }
        out.blocklists.emplace_back(std::move(*apex_data), names.ttl);
    }
    return out;
}

} // namespace dns
