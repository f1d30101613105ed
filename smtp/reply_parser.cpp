#include "smtp/reply_parser.hpp"

#include "smtp/error.hpp"

#include <utility>

namespace smtp {

reply_parser::reply_parser(std::size_t max_lines) noexcept
    : max_lines_(max_lines)
{
}

void reply_parser::reset()
{
    current_ = reply{};
    complete_ = false;
    error_ = {};
}

reply_status reply_parser::feed_line(std::string_view line)
{
    // RFC 5321 §4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
    //                             Reply-code [ SP textstring ] CRLF
    auto fail = [this](wire_errc e) {
        error_ = e;
        return reply_status::error;
    };
    if (complete_) {
        reset();
    }
    if (line.size() < 3) {
        return fail(wire_errc::reply_too_short);
    }
    // RFC 5321 §4.2: the first digit is 2 to 5, the second 0 to 5, the third 0 to 9.
    if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' || line[2] < '0' ||
        line[2] > '9') {
        return fail(wire_errc::reply_bad_code);
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    bool last = true;
    std::string_view text;
    if (line.size() > 3) {
        if (line[3] == '-') {
            last = false;
        } else if (line[3] != ' ') {
            return fail(wire_errc::reply_bad_separator);
        }
        text = line.substr(4);
    }
    if (!current_.lines.empty() && current_.code != code) {
        return fail(wire_errc::reply_code_mismatch);
    }
    if (current_.lines.size() >= max_lines_) {
        return fail(wire_errc::reply_too_many_lines);
    }
    current_.code = code;
    current_.lines.emplace_back(text);
    complete_ = last;
    return last ? reply_status::complete : reply_status::need_more;
}

reply reply_parser::take()
{
    reply out = std::move(current_);
    reset();
    return out;
}

} // namespace smtp
