#include "io/dns_error.hpp"

namespace io {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design; the category
// lives in a function-local static and is never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class dns_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "io.dns"; }

    std::string message(int ev) const override
    {
        switch (static_cast<dns_errc>(ev)) {
        case dns_errc::nxdomain:
            return "no such domain (NXDOMAIN)";
        case dns_errc::no_data:
            return "no record of the requested type";
        case dns_errc::server_failure:
            return "DNS server failure (SERVFAIL)";
        case dns_errc::refused:
            return "DNS query refused (REFUSED)";
        case dns_errc::timeout:
            return "no answer from the DNS server";
        case dns_errc::unreachable:
            return "DNS server unreachable";
        case dns_errc::bad_response:
            return "malformed DNS answer";
        case dns_errc::bad_name:
            return "not a valid DNS name";
        case dns_errc::not_implemented:
            return "query not implemented by the DNS server (NOTIMP)";
        case dns_errc::resolver_failure:
            return "DNS resolver could not be set up";
        }
        return "unknown io.dns error";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& dns_category() noexcept
{
    static const dns_category_impl instance;
    return instance;
}

bool is_transient(dns_errc e) noexcept
{
    return e == dns_errc::timeout || e == dns_errc::unreachable || e == dns_errc::server_failure;
}

} // namespace io
