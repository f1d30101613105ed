#include "dns/zone_set.hpp"

namespace dns {
namespace {

// The depth of the deepest apex above `owner` in `items`, and that item.
template <typename T>
std::pair<const T*, std::size_t> deepest(const std::vector<T>& items, const name& owner)
{
    const T* best = nullptr;
    std::size_t depth = 0;
    for (const auto& item : items) {
        const std::size_t d = item.apex().label_count() + 1;
        if (d > depth && owner.is_subdomain_of(item.apex())) {
            best = &item;
            depth = d;
        }
    }
    return {best, depth};
}

} // namespace

const zone* zone_set::zone_of(const name& owner) const
{
    const auto [z, zone_depth] = deepest(zones, owner);
    const auto [bl, list_depth] = deepest(blocklists, owner);
    return zone_depth > list_depth ? z : nullptr;
}

const dnsbl_zone* zone_set::blocklist_of(const name& owner) const
{
    const auto [z, zone_depth] = deepest(zones, owner);
    const auto [bl, list_depth] = deepest(blocklists, owner);
    return list_depth >= zone_depth ? bl : nullptr;
}

std::vector<resource_record> zone_set::find(const name& owner, rr_type type) const
{
    if (const auto* z = zone_of(owner)) {
        return z->find(owner, type);
    }
    if (const auto* bl = blocklist_of(owner); bl != nullptr && owner == bl->apex()) {
        return bl->apex_data().find(owner, type);
    }
    return {};
}

} // namespace dns
