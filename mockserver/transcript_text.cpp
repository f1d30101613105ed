#include "mockserver/transcript_text.hpp"

#include <fmt/format.h>

namespace mock {

std::string escape_for_transcript(std::string_view line)
{
    std::string out;
    out.reserve(line.size());
    for (char c : line) {
        auto u = static_cast<unsigned char>(c);
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (u < 0x20 || u == 0x7F) {
            out += fmt::format("\\x{:02x}", u);
        } else {
            out += c; // UTF-8 (RFC 6531) passes through
        }
    }
    return out;
}

} // namespace mock
