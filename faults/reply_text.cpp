#include "faults/reply_text.hpp"

#include <string_view>

namespace faults {
namespace {

// RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39
bool is_reply_code(std::string_view s)
{
    return s.size() >= 3 && s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '5' &&
           s[2] >= '0' && s[2] <= '9';
}

constexpr std::size_t max_reply_line = 512; // RFC 5321 §4.5.3.1.5, CRLF included

} // namespace

rendered_reply render_reply(const std::vector<std::string>& lines)
{
    rendered_reply out;
    if (lines.empty()) {
        out.error = "a reply needs at least one line";
        return out;
    }
    const std::string_view first_code = std::string_view(lines.front()).substr(0, 3);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        out.bad_line = i;
        if (!is_reply_code(line) || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
            out.error = "'" + std::string(line.substr(0, 40)) +
                        "' does not start with a 3-digit reply code (RFC 5321 §4.2), e.g. "
                        "'421 4.3.2 Service shutting down'; use raw for malformed replies";
            out.wire.clear();
            return out;
        }
        if (line.substr(0, 3) != first_code) {
            out.error = "every line of a multi-line reply must have the same code (RFC 5321 "
                        "§4.2.1): '" +
                        std::string(line.substr(0, 3)) + "' after '" + std::string(first_code) +
                        "'; use raw for malformed replies";
            out.wire.clear();
            return out;
        }
        if (line.find_first_of("\r\n") != std::string_view::npos) {
            out.error = "a reply line must not contain CR or LF; give the lines as a list";
            out.wire.clear();
            return out;
        }
        const std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
        const bool last = i + 1 == lines.size();
        std::string wire_line(first_code);
        if (!last) {
            wire_line += '-';
            wire_line += text;
        } else if (line.size() > 3) {
            wire_line += ' ';
            wire_line += text;
        }
        wire_line += "\r\n";
        if (wire_line.size() > max_reply_line) {
            out.error = "a reply line is longer than 512 octets (RFC 5321 §4.5.3.1.5); use raw "
                        "for over-long replies";
            out.wire.clear();
            return out;
        }
        out.wire += wire_line;
    }
    out.bad_line = 0;
    return out;
}

std::string expand_hostname(std::string_view bytes, std::string_view hostname)
{
    std::string out;
    out.reserve(bytes.size());
    for (;;) {
        const auto at = bytes.find(hostname_placeholder);
        out += bytes.substr(0, at);
        if (at == std::string_view::npos) {
            return out;
        }
        out += hostname;
        bytes.remove_prefix(at + hostname_placeholder.size());
    }
}

} // namespace faults
