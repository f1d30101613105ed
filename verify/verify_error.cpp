#include "verify/verify_error.hpp"

namespace verify {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design; the category
// lives in a function-local static and is never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class verify_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "smtp.verify"; }

    std::string message(int ev) const override
    {
        switch (static_cast<verify_errc>(ev)) {
        case verify_errc::url_syntax:
            return "verify URL is not a URL";
        case verify_errc::url_scheme:
            return "verify URL scheme must be pop3, pop3s, imap or imaps";
        case verify_errc::url_credentials:
            return "verify URL needs USER:PASS@ (percent-encode '@' ':' '%' as %40 %3A %25)";
        case verify_errc::url_host:
            return "verify URL names no host";
        case verify_errc::url_port:
            return "verify URL port is not a number from 1 to 65535";
        case verify_errc::url_path:
            return "verify URL must not have a path or mailbox name";
        case verify_errc::not_delivered:
            return "message not delivered before the timeout";
        case verify_errc::auth_failed:
            return "mailbox login refused";
        case verify_errc::server_rejected:
            return "mailbox server refused a command";
        case verify_errc::server_busy:
            return "mailbox temporarily unavailable";
        case verify_errc::server_bye:
            return "mailbox server ended the session (BYE)";
        case verify_errc::protocol_error:
            return "malformed mailbox server response";
        case verify_errc::response_too_long:
            return "mailbox server response too long";
        case verify_errc::timeout:
            return "no response from the mailbox server in time";
        case verify_errc::closed:
            return "mailbox server closed the connection";
        }
        return "unknown smtp.verify error";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& verify_category() noexcept
{
    static const verify_category_impl instance;
    return instance;
}

} // namespace verify
