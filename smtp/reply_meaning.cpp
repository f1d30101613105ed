#include "smtp/reply_meaning.hpp"

#include "smtp/reply.hpp"

namespace smtp {

namespace {

// RFC 5321 §4.2.1, the first digit.
std::string_view first_digit(char c)
{
    switch (c) {
    case '2':
        return "2xx success";
    case '3':
        return "3xx intermediate (send the rest)";
    case '4':
        return "4xx transient failure (try again later)";
    case '5':
        return "5xx permanent failure (do not retry as is)";
    default:
        return {};
    }
}

// RFC 5321 §4.2.1, the second digit.
std::string_view second_digit(char c)
{
    switch (c) {
    case '0':
        return "about syntax";
    case '1':
        return "information";
    case '2':
        return "about the connection";
    case '3':
        return "about authentication";
    case '5':
        return "about the mail system";
    default:
        return {};
    }
}

// RFC 3463 §3.1, the class of an enhanced status code.
std::string_view enhanced_class(int klass)
{
    switch (klass) {
    case 2:
        return "success";
    case 4:
        return "persistent transient failure";
    default:
        return "permanent failure";
    }
}

// RFC 3463 §3.2, the subject of an enhanced status code.
std::string_view enhanced_subject(int subject)
{
    switch (subject) {
    case 0:
        return "other or undefined status";
    case 1:
        return "addressing status";
    case 2:
        return "mailbox status";
    case 3:
        return "mail system status";
    case 4:
        return "network and routing status";
    case 5:
        return "mail delivery protocol status";
    case 6:
        return "message content or media status";
    case 7:
        return "security or policy status";
    default:
        return "unknown subject";
    }
}

bool digit(char c)
{
    return c >= '0' && c <= '9';
}

} // namespace

std::string reply_meaning(std::string_view line)
{
    // RFC 5321 §4.2: a code (2-5, 0-5, 0-9), then SP, "-" or the end of the line.
    if (line.size() < 3 || first_digit(line[0]).empty() || line[1] < '0' || line[1] > '5' ||
        !digit(line[2]) || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        return {};
    }
    std::string out(first_digit(line[0]));
    if (const auto second = second_digit(line[1]); !second.empty()) {
        out += ", ";
        out += second;
    }
    if (line.size() > 4) {
        // RFC 3463 §2: the class of an enhanced code matches the reply's first digit.
        if (const auto code = parse_enhanced_code(line.substr(4));
            code && code->first.klass == line[0] - '0') {
            out += "; " + code->first.to_string() + ": ";
            out += enhanced_class(code->first.klass);
            out += ", ";
            out += enhanced_subject(code->first.subject);
        }
    }
    return out;
}

} // namespace smtp
