#include "dns/error.hpp"

#include <string>

namespace dns {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design; the category
// lives in a function-local static and is never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "dns"; }

    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::truncated:
            return "message ends inside a field";
        case errc::trailing_data:
            return "octets after the last record";
        case errc::bad_label_type:
            return "label of a reserved type";
        case errc::pointer_out_of_range:
            return "compression pointer outside the message";
        case errc::pointer_loop:
            return "compression pointer not to a prior name (a loop)";
        case errc::label_too_long:
            return "label longer than 63 octets";
        case errc::name_too_long:
            return "name longer than 255 octets";
        case errc::empty_label:
            return "empty label in a name";
        case errc::bad_escape:
            return "malformed backslash escape in a name";
        case errc::bad_rdata:
            return "RDATA does not match its type or length";
        case errc::bad_opt:
            return "misplaced or repeated OPT record";
        case errc::message_too_large:
            return "message larger than allowed";
        case errc::short_frame:
            return "TCP frame shorter than a DNS header";
        case errc::string_too_long:
            return "character-string longer than 255 octets";
        case errc::rdata_too_long:
            return "RDATA longer than 65535 octets";
        case errc::outside_zone:
            return "record owner outside the zone";
        case errc::unsupported_record:
            return "record type not served by the zone";
        }
        return "unknown dns error";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& category() noexcept
{
    static const category_impl instance;
    return instance;
}

} // namespace dns
