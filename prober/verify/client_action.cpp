#include "prober/verify/client_action.hpp"

#include <cstdio>

namespace prober::verify {

std::string_view to_string(check_status s) noexcept
{
    switch (s) {
    case check_status::found:
        return "found";
    case check_status::not_found:
        return "not_found";
    case check_status::failed:
        return "failed";
    }
    return "failed";
}


} // namespace prober::verify
