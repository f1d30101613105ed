#include "smtp/error.hpp"

namespace smtp {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design; the category
// lives in a function-local static and is never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class wire_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "smtp.wire"; }

    std::string message(int ev) const override
    {
        switch (static_cast<wire_errc>(ev)) {
        case wire_errc::line_too_long: return "line too long";
        case wire_errc::reply_too_short: return "reply line shorter than a reply code";
        case wire_errc::reply_bad_code: return "reply code is not three digits from 200 to 599";
        case wire_errc::reply_bad_separator: return "reply code not followed by space or hyphen";
        case wire_errc::reply_code_mismatch: return "multi-line reply changes its code";
        case wire_errc::reply_too_many_lines: return "multi-line reply has too many lines";
        case wire_errc::command_empty: return "empty command";
        case wire_errc::path_missing: return "missing FROM:/TO: path";
        case wire_errc::path_syntax: return "path is not of the form <mailbox>";
        case wire_errc::parameter_syntax: return "malformed ESMTP parameter";
        case wire_errc::parameter_duplicate: return "ESMTP parameter given twice";
        case wire_errc::enhanced_code_syntax: return "malformed enhanced status code";
        }
        return "unknown smtp.wire error";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& wire_category() noexcept
{
    static const wire_category_impl instance;
    return instance;
}

} // namespace smtp
