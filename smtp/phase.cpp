#include "smtp/phase.hpp"

namespace smtp {

std::string_view to_string(phase p) noexcept
{
    switch (p) {
    case phase::dns: return "dns";
    case phase::connect: return "connect";
    case phase::tls: return "tls";
    case phase::banner: return "banner";
    case phase::ehlo: return "ehlo";
    case phase::helo: return "helo";
    case phase::starttls: return "starttls";
    case phase::auth: return "auth";
    case phase::mail: return "mail";
    case phase::rcpt: return "rcpt";
    case phase::data: return "data";
    case phase::body: return "body";
    case phase::data_end: return "data_end";
    case phase::rset: return "rset";
    case phase::noop: return "noop";
    case phase::vrfy: return "vrfy";
    case phase::quit: return "quit";
    case phase::verify: return "verify";
    }
    return "unknown";
}

std::optional<phase> parse_phase(std::string_view name) noexcept
{
    for (phase p : all_phases) {
        if (to_string(p) == name) {
            return p;
        }
    }
    return std::nullopt;
}

} // namespace smtp
