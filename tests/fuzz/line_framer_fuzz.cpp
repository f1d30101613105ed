// Fuzzes the line framer: any bytes, cut into any chunks, never grow the buffer past the limit
// and always come out as lines that contain no LF.
#include "smtp/line_framer.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) {
        return 0;
    }
    // The first byte picks the limit, the second the chunk size.
    std::size_t limit = 3 + data[0] * 4;
    std::size_t chunk = 1 + data[1];
    std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
    smtp::line_framer framer(limit);
    while (!input.empty()) {
        auto piece = input.substr(0, chunk);
        input.remove_prefix(piece.size());
        framer.feed(piece);
        while (auto line = framer.next()) {
            if (line->text.find('\n') != std::string_view::npos || line->text.size() + 1 > limit) {
                std::abort();
            }
        }
        // A partial line is bounded by the limit (plus a CR that may start the CRLF).
        if (framer.buffered() > limit + 1) {
            std::abort();
        }
    }
    return 0;
}
