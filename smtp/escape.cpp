#include "smtp/escape.hpp"

#include "smtp/utf8.hpp"

namespace smtp {

std::string escape_bytes(std::string_view bytes, std::size_t max)
{
    std::string out;
    out.reserve((bytes.size() < max ? bytes.size() : max) + 16);
    append_escaped(out, bytes, max);
    return out;
}

namespace {

// Kept as it is: printable ASCII but the backslash.
bool kept(char ch) noexcept
{
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f && c != '\\';
}

} // namespace

void append_escaped(std::string& out, std::string_view bytes, std::size_t max)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t shown = bytes.size() < max ? bytes.size() : max;
    for (std::size_t i = 0; i < shown; ++i) {
        // What is kept as it is goes in at once, a run at a time.
        const auto run = i;
        while (i < shown && kept(bytes[i])) {
            ++i;
        }
        out.append(bytes.data() + run, i - run);
        if (i == shown) {
            break;
        }
        auto c = static_cast<unsigned char>(bytes[i]);
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
        case '\\':
            out += "\\\\";
            break;
        default:
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    if (shown < bytes.size()) {
        out += "...(";
        out += std::to_string(bytes.size() - shown);
        out += " more)";
    }
}

std::string xml_escape(std::string_view text)
{
    const auto valid = to_valid_utf8(text);
    std::string out;
    out.reserve(valid.size());
    for (const char c : valid) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        case '\t':
        case '\n':
        case '\r':
            out.push_back(c);
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                {
                    static constexpr char hex[] = "0123456789ABCDEF";
                    const auto u = static_cast<unsigned char>(c);
                    out += "\\x";
                    out += hex[u >> 4];
                    out += hex[u & 0xF];
                }
            } else {
                out.push_back(c);
            }
        }
    }
    return out;
}

} // namespace smtp
