#include "verify/client_action.hpp"

#include "verify/verify_error.hpp"

#include <cstdio>

namespace verify {

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

void append_capped(std::vector<std::string>& lines, std::size_t& dropped, std::string entry,
                   std::size_t max)
{
    if (lines.size() < max) {
        lines.push_back(std::move(entry));
        return;
    }
    ++dropped;
    lines.back() = "event: " + std::to_string(dropped) + " more transcript lines not kept";
}

std::string io_failure_text(const boost::system::error_code& ec, std::string_view command)
{
    if (ec == verify_errc::timeout) {
        return "no response to " + std::string(command);
    }
    if (ec == verify_errc::closed) {
        return "connection closed awaiting " + std::string(command);
    }
    return "I/O error awaiting " + std::string(command) + ": " + ec.message();
}

} // namespace verify
