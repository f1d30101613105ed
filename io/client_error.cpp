#include "io/client_error.hpp"

namespace io {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design; the category
// lives in a function-local static and is never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class client_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "io.client"; }

    std::string message(int ev) const override
    {
        switch (static_cast<client_errc>(ev)) {
        case client_errc::timeout:
            return "deadline passed";
        case client_errc::no_address_of_family:
            return "no address of the requested family";
        case client_errc::bad_source_address:
            return "source address is not an IP address";
        case client_errc::bind_failed:
            return "cannot bind to the source address";
        case client_errc::ca_file_unusable:
            return "CA file unusable";
        case client_errc::not_connected:
            return "not connected";
        }
        return "unknown io.client error";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& client_category() noexcept
{
    static const client_category_impl instance;
    return instance;
}

} // namespace io
