#include "io/http_target.hpp"

namespace io::http {

namespace {

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<request_target> parse_request_target(std::string_view target)
{
    // RFC 9112 §3.2.1: origin-form is an absolute path with an optional query.
    if (target.empty() || target.front() != '/') {
        return std::nullopt;
    }
    request_target out;
    auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string_view query =
        q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
    if (auto hash = query.find('#'); hash != std::string_view::npos) {
        query = query.substr(0, hash);
    }
    path.remove_prefix(1);
    while (!path.empty()) {
        auto slash = path.find('/');
        auto segment = path.substr(0, slash);
        auto decoded = percent_decode(segment, false);
        if (!decoded) {
            return std::nullopt;
        }
        if (!decoded->empty()) {
            out.segments.push_back(std::move(*decoded));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        if (!pair.empty()) {
            auto eq = pair.find('=');
            auto name = percent_decode(pair.substr(0, eq), true);
            auto value = percent_decode(
                eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
            if (!name || !value) {
                return std::nullopt;
            }
            out.query[std::move(*name)] = std::move(*value);
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return out;
}

} // namespace io::http
