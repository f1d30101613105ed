#include "prober/error.hpp"

namespace prober {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design; the category
// lives in a function-local static and is never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class probe_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "smtp.probe"; }

    std::string message(int ev) const override
    {
        switch (static_cast<probe_errc>(ev)) {
        case probe_errc::resolve_failed:
            return "host name did not resolve";
        case probe_errc::no_address_of_family:
            return "no address of the requested family";
        case probe_errc::connection_refused:
            return "connection refused";
        case probe_errc::network_unreachable:
            return "network unreachable";
        case probe_errc::connect_timeout:
            return "connect timed out";
        case probe_errc::reply_timeout:
            return "no reply before the deadline";
        case probe_errc::total_deadline:
            return "total deadline reached";
        case probe_errc::connection_closed:
            return "connection closed by the server";
        case probe_errc::connection_reset:
            return "connection reset";
        case probe_errc::transient_reply:
            return "transient failure reply (4xx)";
        case probe_errc::permanent_reply:
            return "permanent failure reply (5xx)";
        case probe_errc::unexpected_code:
            return "unexpected reply code";
        case probe_errc::banner_mismatch:
            return "banner does not match the expected pattern";
        case probe_errc::malformed_reply:
            return "malformed reply";
        case probe_errc::bare_line_feed:
            return "reply line ended with a bare LF";
        case probe_errc::reply_line_too_long:
            return "reply line too long";
        case probe_errc::starttls_not_offered:
            return "STARTTLS not offered";
        case probe_errc::auth_not_offered:
            return "AUTH not offered";
        case probe_errc::auth_mechanism_unsupported:
            return "no supported AUTH mechanism";
        case probe_errc::tls_handshake_failed:
            return "TLS handshake failed";
        case probe_errc::certificate_rejected:
            return "certificate verification failed";
        case probe_errc::certificate_expiring:
            return "certificate expiring";
        case probe_errc::slow_response:
            return "response time over threshold";
        case probe_errc::blocklisted:
            return "rejected by a DNS blocklist";
        case probe_errc::not_delivered:
            return "message not delivered";
        case probe_errc::verify_failed:
            return "mailbox check failed";
        case probe_errc::reply_not_text:
            return "reply text is not text";
        case probe_errc::delivered_twice:
            return "message delivered more than once";
        case probe_errc::delivered_altered:
            return "message delivered changed";
        }
        return "unknown smtp.probe error";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& probe_category() noexcept
{
    static const probe_category_impl instance;
    return instance;
}

} // namespace prober
