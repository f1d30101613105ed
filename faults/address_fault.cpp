#include "faults/address_fault.hpp"

#include "config/duration.hpp"
#include "faults/limits.hpp"
#include "smtp/ascii.hpp"
#include "smtp/reply.hpp"

#include <string>

namespace faults {
namespace {

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// "550" or "550-5.1.1": a 4xx or 5xx code (RFC 5321 §4.2.1), and the enhanced status code
// (RFC 3463 §2) whose class must agree with it; without one, "X.0.0".
std::optional<std::string> failure_reply(std::string_view value, std::string_view why)
{
    const auto code_text = value.substr(0, 3);
    if (code_text.size() != 3 || (code_text[0] != '4' && code_text[0] != '5') ||
        !is_digit(code_text[1]) || !is_digit(code_text[2])) {
        return std::nullopt;
    }
    std::string enhanced = std::string(1, code_text[0]) + ".0.0";
    if (value.size() > 3) {
        const auto given = value.substr(4);
        if (value[3] != '-' || given.size() < 5 || given.size() > 11 || given[0] != code_text[0] ||
            given[1] != '.' || given.find_first_not_of("0123456789.") != std::string_view::npos) {
            return std::nullopt;
        }
        enhanced = std::string(given);
    }
    const int code = (code_text[0] - '0') * 100 + (code_text[1] - '0') * 10 + (code_text[2] - '0');
    return smtp::make_reply(code, enhanced, why);
}

// Adds one token's instructions to `a`; false when the token is not one of the grammar.
bool apply_token(std::string_view token, std::string_view why, action& a)
{
    if (token == "hang") {
        a.end = ending::hang;
    } else if (token == "drop") {
        a.end = ending::close_fin;
    } else if (token == "reset") {
        a.end = ending::close_rst;
    } else if (token.substr(0, 5) == "fail-") {
        auto reply = failure_reply(token.substr(5), why);
        if (!reply) {
            return false;
        }
        a.send = std::move(*reply);
    } else if (token.substr(0, 6) == "delay-") {
        const auto d = config::parse_duration(token.substr(6));
        if (!d || *d > limits::max_duration) {
            return false;
        }
        a.delay = *d;
    } else {
        return false;
    }
    return true;
}

} // namespace

std::optional<action> decode_address_fault(std::string_view local_part, std::string_view why)
{
    const std::string text = smtp::to_lower(local_part);
    std::string_view rest = text;
    action a;
    while (true) {
        const auto plus = rest.find('+');
        if (!apply_token(rest.substr(0, plus), why, a)) {
            return std::nullopt;
        }
        if (plus == std::string_view::npos) {
            return a;
        }
        rest.remove_prefix(plus + 1);
    }
}

} // namespace faults
