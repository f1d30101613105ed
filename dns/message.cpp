#include "dns/message.hpp"

#include <cstdio>

namespace dns {
namespace {

std::string fqdn(const name& n)
{
    return n.is_root() ? "." : n.to_string() + ".";
}

// A character-string in master-file form: quoted, with `"` and `\` escaped and octets outside
// 0x20-0x7E as \DDD (RFC 1035 §5.1).
std::string quoted(const std::string& s)
{
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c > 0x7e) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03u", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

struct rdata_text {
    std::string operator()(const a_data& d) const { return to_string(ip_address(d.address)); }
    std::string operator()(const aaaa_data& d) const { return to_string(ip_address(d.address)); }
    std::string operator()(const ns_data& d) const { return fqdn(d.host); }
    std::string operator()(const cname_data& d) const { return fqdn(d.target); }
    std::string operator()(const ptr_data& d) const { return fqdn(d.target); }
    std::string operator()(const mx_data& d) const
    {
        return std::to_string(d.preference) + " " + fqdn(d.exchange);
    }
    std::string operator()(const txt_data& d) const
    {
        std::string out;
        for (const auto& s : d.strings) {
            out += (out.empty() ? "" : " ") + quoted(s);
        }
        return out;
    }
    std::string operator()(const soa_data& d) const
    {
        return fqdn(d.mname) + " " + fqdn(d.rname) + " " + std::to_string(d.serial) + " " +
               std::to_string(d.refresh) + " " + std::to_string(d.retry) + " " +
               std::to_string(d.expire) + " " + std::to_string(d.minimum);
    }
    // RFC 3597 §5: \# length hex.
    std::string operator()(const opaque_data& d) const
    {
        std::string out = "\\# " + std::to_string(d.octets.size());
        if (!d.octets.empty()) {
            out += ' ';
        }
        for (auto b : d.octets) {
            char buf[3];
            std::snprintf(buf, sizeof buf, "%02x", b);
            out += buf;
        }
        return out;
    }
};

} // namespace

txt_data txt_of(std::string_view text)
{
    txt_data out;
    do {
        const auto piece = text.substr(0, 255);
        out.strings.emplace_back(piece);
        text.remove_prefix(piece.size());
    } while (!text.empty());
    return out;
}

std::string to_string(const resource_record& rr)
{
    return fqdn(rr.owner) + " " + std::to_string(rr.ttl) + " " + to_string(rr.klass) + " " +
           to_string(rr.type) + " " + std::visit(rdata_text{}, rr.data);
}

} // namespace dns
