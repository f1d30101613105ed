#include "dns/reverse_name.hpp"

#include "dns/error.hpp"

#include <string>

namespace dns {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

std::optional<std::uint8_t> decimal_octet(std::string_view label)
{
    if (label.empty() || label.size() > 3 || (label.size() > 1 && label[0] == '0')) {
        return std::nullopt;
    }
    unsigned v = 0;
    for (char c : label) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 255) {
        return std::nullopt;
    }
    return static_cast<std::uint8_t>(v);
}

std::optional<std::uint8_t> nibble(std::string_view label)
{
    if (label.size() != 1) {
        return std::nullopt;
    }
    const char c = label[0];
    if (c >= '0' && c <= '9') {
        return static_cast<std::uint8_t>(c - '0');
    }
    if (c >= 'a' && c <= 'f') {
        return static_cast<std::uint8_t>(c - 'a' + 10);
    }
    if (c >= 'A' && c <= 'F') {
        return static_cast<std::uint8_t>(c - 'A' + 10);
    }
    return std::nullopt;
}

} // namespace

boost::system::result<name> reverse_name(const ip_address& address, const name& zone)
{
    name out = zone;
    auto push = [&](std::string_view label) -> boost::system::error_code {
        auto next = out.prepend(label);
        if (!next) {
            return next.error();
        }
        out = std::move(*next);
        return {};
    };
    // The most significant part goes next to the zone, so it is prepended first.
    if (const auto* v4 = std::get_if<ipv4>(&address)) {
        for (auto octet : *v4) {
            if (auto ec = push(std::to_string(octet))) {
                return ec;
            }
        }
        return out;
    }
    for (auto octet : std::get<ipv6>(address)) {
        const char high[] = {hex_digits[octet >> 4], 0};
        const char low[] = {hex_digits[octet & 0xf], 0};
        if (auto ec = push(high)) {
            return ec;
        }
        if (auto ec = push(low)) {
            return ec;
        }
    }
    return out;
}

std::optional<ip_address> reverse_address(const name& qname, const name& zone)
{
    if (!qname.is_subdomain_of(zone)) {
        return std::nullopt;
    }
    const auto labels = qname.labels_below(zone);
    if (labels.size() == 4) {
        ipv4 out{};
        for (std::size_t i = 0; i < 4; ++i) {
            const auto octet = decimal_octet(labels[3 - i]);
            if (!octet) {
                return std::nullopt;
            }
            out[i] = *octet;
        }
        return out;
    }
    if (labels.size() == 32) {
        ipv6 out{};
        for (std::size_t i = 0; i < 16; ++i) {
            const auto high = nibble(labels[31 - 2 * i]);
            const auto low = nibble(labels[30 - 2 * i]);
            if (!high || !low) {
                return std::nullopt;
            }
            out[i] = static_cast<std::uint8_t>(*high << 4 | *low);
        }
        return out;
    }
    return std::nullopt;
}

name ptr_name(const ip_address& address)
{
    const auto zone =
        name::parse(std::holds_alternative<ipv4>(address) ? "in-addr.arpa" : "ip6.arpa");
    // 64 octets of nibbles plus ip6.arpa stay far below 255.
    return *reverse_name(address, *zone);
}

} // namespace dns
