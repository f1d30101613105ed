#include "dns/types.hpp"

#include <arpa/inet.h>

namespace dns {

std::string to_string(rr_type t)
{
    switch (t) {
    case rr_type::a:
        return "A";
    case rr_type::ns:
        return "NS";
    case rr_type::cname:
        return "CNAME";
    case rr_type::soa:
        return "SOA";
    case rr_type::ptr:
        return "PTR";
    case rr_type::mx:
        return "MX";
    case rr_type::txt:
        return "TXT";
    case rr_type::aaaa:
        return "AAAA";
    case rr_type::opt:
        return "OPT";
    case rr_type::tkey:
        return "TKEY";
    case rr_type::tsig:
        return "TSIG";
    case rr_type::ixfr:
        return "IXFR";
    case rr_type::axfr:
        return "AXFR";
    case rr_type::mailb:
        return "MAILB";
    case rr_type::maila:
        return "MAILA";
    case rr_type::any:
        return "ANY";
    }
    return "TYPE" + std::to_string(static_cast<unsigned>(t));
}

std::string to_string(rr_class c)
{
    switch (c) {
    case rr_class::in:
        return "IN";
    case rr_class::ch:
        return "CH";
    case rr_class::hs:
        return "HS";
    case rr_class::none:
        return "NONE";
    case rr_class::any:
        return "ANY";
    }
    return "CLASS" + std::to_string(static_cast<unsigned>(c));
}

std::string to_string(rcode r)
{
    switch (r) {
    case rcode::noerror:
        return "NOERROR";
    case rcode::formerr:
        return "FORMERR";
    case rcode::servfail:
        return "SERVFAIL";
    case rcode::nxdomain:
        return "NXDOMAIN";
    case rcode::notimp:
        return "NOTIMP";
    case rcode::refused:
        return "REFUSED";
    case rcode::badvers:
        return "BADVERS";
    }
    return "RCODE" + std::to_string(static_cast<unsigned>(r));
}

std::string to_string(const ip_address& a)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (const auto* v4 = std::get_if<ipv4>(&a)) {
        ::inet_ntop(AF_INET, v4->data(), text, sizeof text);
    } else {
        ::inet_ntop(AF_INET6, std::get<ipv6>(a).data(), text, sizeof text);
    }
    return text;
}

} // namespace dns
