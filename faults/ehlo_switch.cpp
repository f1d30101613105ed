#include "faults/ehlo_switch.hpp"

#include "faults/address_fault.hpp"
#include "smtp/ascii.hpp"

#include <string>

namespace faults {
namespace {

// The extension a switch withholds, or nothing when `token` is not an extension switch.
std::optional<std::string> withheld(std::string_view token)
{
    if (token == "nostarttls") {
        return "STARTTLS"; // RFC 3207
    }
    if (token == "noauth") {
        return "AUTH"; // RFC 4954
    }
    return std::nullopt;
}

// `switches` as a whole (tokens joined by "+"), or nothing when one of them is no switch.
std::optional<action> decode_switches(std::string_view switches)
{
    action a;
    std::string faults; // the address-fault tokens, decoded together
    std::string_view rest = switches;
    while (true) {
        const auto plus = rest.find('+');
        const auto token = rest.substr(0, plus);
        if (auto extension = withheld(token)) {
            a.withhold.push_back(std::move(*extension));
        } else {
            faults += (faults.empty() ? "" : "+") + std::string(token);
        }
        if (plus == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(plus + 1);
    }
    if (!faults.empty()) {
        auto f = decode_address_fault(faults, "Failure requested by the EHLO name");
        if (!f) {
            return std::nullopt;
        }
        a.delay = f->delay;
        a.send = std::move(f->send);
        a.end = f->end;
    }
    return a;
}

} // namespace

std::optional<action> decode_ehlo_switch(std::string_view name)
{
    const std::string text = smtp::to_lower(name);
    // The shortest prefix ending before a "." (or the whole name) that is made of switches.
    for (std::size_t end = text.find('.');; end = text.find('.', end + 1)) {
        const auto prefix = std::string_view(text).substr(0, end);
        if (!prefix.empty()) {
            if (auto a = decode_switches(prefix)) {
                return a;
            }
        }
        if (end == std::string::npos) {
            return std::nullopt;
        }
    }
}

} // namespace faults
