// Fuzzes framing plus reply parsing, as the probe reads a server: no input may crash it, and
// every completed reply has a code from 200 to 599.
#include "smtp/line_framer.hpp"
#include "smtp/limits.hpp"
#include "smtp/reply_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    smtp::line_framer framer(smtp::limits::reply_line);
    smtp::reply_parser parser(50);
    framer.feed(std::string_view(reinterpret_cast<const char*>(data), size));
    while (auto line = framer.next()) {
        if (line->too_long) {
            parser.reset();
            continue;
        }
        switch (parser.feed_line(line->text)) {
        case smtp::reply_status::complete: {
            auto reply = parser.take();
            if (reply.code < 200 || reply.code > 599 || reply.lines.empty()) {
                std::abort();
            }
            (void)reply.enhanced();
            (void)reply.to_wire();
            break;
        }
        case smtp::reply_status::error:
            if (!parser.error()) {
                std::abort();
            }
            parser.reset();
            break;
        case smtp::reply_status::need_more: break;
        }
    }
    return 0;
}
