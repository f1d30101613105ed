#include "dns/zone.hpp"

#include "dns/error.hpp"

#include <algorithm>

namespace dns {
namespace {

// Whether the RDATA alternative is the one of `type` (opaque for types not modelled).
bool rdata_matches(rr_type type, const rdata& data)
{
    switch (type) {
    case rr_type::a:
        return std::holds_alternative<a_data>(data);
    case rr_type::aaaa:
        return std::holds_alternative<aaaa_data>(data);
    case rr_type::ns:
        return std::holds_alternative<ns_data>(data);
    case rr_type::ptr:
        return std::holds_alternative<ptr_data>(data);
    case rr_type::mx:
        return std::holds_alternative<mx_data>(data);
    case rr_type::txt:
        return std::holds_alternative<txt_data>(data);
    default:
        return std::holds_alternative<opaque_data>(data);
    }
}

bool is_served_type(rr_type t)
{
    const auto v = static_cast<unsigned>(t);
    // SOA comes with the zone; CNAME would need chasing; OPT and the meta-types and
    // Q-types (128-255, RFC 6895 §3.1) are not data.
    return t != rr_type::soa && t != rr_type::cname && t != rr_type::opt && v != 0 &&
           (v < 128 || v > 255);
}

boost::system::error_code check_txt(const rdata& data)
{
    const auto* txt = std::get_if<txt_data>(&data);
    if (txt == nullptr) {
        return {};
    }
    if (txt->strings.empty()) {
        return errc::bad_rdata;
    }
    for (const auto& s : txt->strings) {
        if (s.size() > 255) {
            return errc::string_too_long;
        }
    }
    return {};
}

} // namespace

zone::zone(name apex, soa_data soa, std::uint32_t soa_ttl)
    : soa_{std::move(apex), rr_type::soa, rr_class::in, soa_ttl, std::move(soa)}
{
}

std::uint32_t zone::negative_ttl() const noexcept
{
    return std::min(soa_.ttl, std::get<soa_data>(soa_.data).minimum);
}

boost::system::error_code zone::add(resource_record rr)
{
    if (!rr.owner.is_subdomain_of(apex())) {
        return errc::outside_zone;
    }
    const bool delegation = rr.type == rr_type::ns && !(rr.owner == apex());
    if (rr.klass != rr_class::in || !is_served_type(rr.type) || delegation ||
        !rdata_matches(rr.type, rr.data)) {
        return errc::unsupported_record;
    }
    if (auto ec = check_txt(rr.data)) {
        return ec;
    }
    auto& node = nodes_[rr.owner.key()];
    const bool present = std::any_of(node.begin(), node.end(), [&](const resource_record& r) {
        return r.type == rr.type && r.data == rr.data;
    });
    if (!present) {
        node.push_back(std::move(rr));
    }
    return {};
}

void zone::remove(const name& owner)
{
    nodes_.erase(owner.key());
}

std::vector<resource_record> zone::find(const name& owner, rr_type type) const
{
    std::vector<resource_record> out;
    if (owner == apex() && (type == rr_type::soa || type == rr_type::any)) {
        out.push_back(soa_);
    }
    const auto node = nodes_.find(owner.key());
    if (node == nodes_.end()) {
        return out;
    }
    for (const auto& rr : node->second) {
        if (type == rr_type::any || rr.type == type) {
            out.push_back(rr);
        }
    }
    return out;
}

bool zone::exists(const name& owner) const
{
    if (owner == apex()) {
        return true;
    }
    for (const auto& [key, records] : nodes_) {
        if (!records.empty() && records.front().owner.is_subdomain_of(owner)) {
            return true;
        }
    }
    return false;
}

} // namespace dns
