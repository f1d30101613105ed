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

std::string escape_for_transcript(std::string_view bytes, std::size_t limit)
{
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(bytes[i]);
        switch (c) {
        case '\r':
            out += "\\r";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);
            } else {
                char hex[5];
                std::snprintf(hex, sizeof hex, "\\x%02X", c);
                out += hex;
            }
        }
    }
    return out;
}

} // namespace prober::verify
