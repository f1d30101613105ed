#include "smtp/failure_kind.hpp"

namespace smtp {

std::string_view to_string(failure_kind k) noexcept
{
    switch (k) {
    case failure_kind::dns_error: return "dns_error";
    case failure_kind::refused: return "refused";
    case failure_kind::unreachable: return "unreachable";
    case failure_kind::timeout: return "timeout";
    case failure_kind::closed: return "closed";
    case failure_kind::reset: return "reset";
    case failure_kind::temp_failure: return "temp_failure";
    case failure_kind::perm_failure: return "perm_failure";
    case failure_kind::unexpected_reply: return "unexpected_reply";
    case failure_kind::protocol_error: return "protocol_error";
    case failure_kind::tls_error: return "tls_error";
    case failure_kind::capability_missing: return "capability_missing";
    case failure_kind::blocklisted: return "blocklisted";
    case failure_kind::slow: return "slow";
    case failure_kind::cert_expiring: return "cert_expiring";
    case failure_kind::not_delivered: return "not_delivered";
    case failure_kind::duplicated: return "duplicated";
    case failure_kind::altered: return "altered";
    }
    return "unknown";
}

std::optional<failure_kind> parse_failure_kind(std::string_view name) noexcept
{
    for (failure_kind k : all_failure_kinds) {
        if (to_string(k) == name) {
            return k;
        }
    }
    return std::nullopt;
}

} // namespace smtp
