#include "io/http_access.hpp"

#include "io/http_errors.hpp"
#include "smtp/ascii.hpp"

#include <arpa/inet.h>
#include <array>
#include <charconv>
#include <cstring>
#include <openssl/crypto.h>
#include <variant>

namespace io::http {

namespace {

// A host and port as they appear in Host or Origin (RFC 3986 §3.2.2, §3.2.3).
struct authority {
    std::string host; // without brackets; names in lower case, without a trailing dot
    std::uint16_t port = 0;
};

std::optional<std::uint16_t> parse_port(std::string_view text) noexcept
{
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || text.size() > 5 || ec != std::errc{} || end != text.data() + text.size() ||
        value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

std::optional<authority> parse_authority(std::string_view text, std::uint16_t default_port)
{
    authority out;
    std::string_view host;
    std::string_view rest;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
    } else {
        auto colon = text.find(':');
        host = text.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
    }
    if (host.empty()) {
        return std::nullopt;
    }
    out.port = default_port;
    if (!rest.empty()) {
        if (rest.front() != ':') {
            return std::nullopt;
        }
        rest.remove_prefix(1);
        if (!rest.empty()) { // "host:" means the default port (RFC 3986 §3.2.3)
            auto port = parse_port(rest);
            if (!port) {
                return std::nullopt;
            }
            out.port = *port;
        }
    }
    for (char c : host) {
        if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '@' || c == '\x7f') {
            return std::nullopt;
        }
    }
    out.host = smtp::to_lower(host);
    if (out.host.size() > 1 && out.host.back() == '.') {
        out.host.pop_back();
    }
    return out;
}

// An IP literal as 16 bytes (IPv4 as an IPv4-mapped IPv6 address), so that different spellings
// of the same address compare equal.
std::optional<std::array<unsigned char, 16>> ip_bytes(const std::string& text)
{
    std::array<unsigned char, 16> out{};
    unsigned char v4[4];
    if (::inet_pton(AF_INET, text.c_str(), v4) == 1) {
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, v4, 4);
        return out;
    }
    if (::inet_pton(AF_INET6, text.c_str(), out.data()) == 1) {
        return out;
    }
    return std::nullopt;
}

bool same_host(const std::string& a, const std::string& b)
{
    auto ia = ip_bytes(a);
    auto ib = ip_bytes(b);
    if (ia || ib) {
        return ia && ib && *ia == *ib;
    }
    return a == b;
}

std::uint16_t default_port(std::string_view scheme) noexcept
{
    return smtp::iequals(scheme, "https") ? 443 : 80;
}

// RFC 9112 §6.1, §6.3: only a final `chunked` lets the body be framed; we decode no other
// coding, so `chunked` must be the only one.
std::optional<response> check_framing(const request& head)
{
    auto te = combined_header(head.headers, "Transfer-Encoding");
    if (!te) {
        return std::nullopt;
    }
    std::string why;
    if (!smtp::iequals(smtp::trim_blanks(*te), "chunked")) {
        why = "Transfer-Encoding '" + *te + "' cannot be framed: only 'chunked' is accepted";
    } else if (head.header("Content-Length")) {
        why = "Transfer-Encoding and Content-Length together are ambiguous framing";
    } else if (head.version < 11) {
        why = "Transfer-Encoding in an HTTP/1.0 request cannot be framed";
    } else {
        return std::nullopt;
    }
    auto r = make_error(http_error::bad_transfer_encoding, why + " (RFC 9112 section 6.3)",
                        "Transfer-Encoding");
    r.close = true;
    return r;
}

// The authority this request is addressed to: its Host, checked against where it arrived.
std::variant<authority, response> check_host(const request& head, const connection_info& conn,
                                             const access_policy& policy)
{
    std::size_t count = 0;
    std::string_view value;
    for (const auto& f : head.headers) {
        if (smtp::iequals(f.name, "Host")) {
            ++count;
            value = f.value;
        }
    }
    const auto port = default_port(policy.scheme);
    if (count == 0) {
        if (head.version >= 11) {
            return make_error(http_error::bad_request,
                              "an HTTP/1.1 request needs a Host header (RFC 9112 section 3.2)",
                              "Host");
        }
        return authority{conn.local_address, conn.local_port};
    }
    auto parsed = count == 1 ? parse_authority(smtp::trim_blanks(value), port) : std::nullopt;
    if (!parsed) {
        return make_error(http_error::bad_request,
                          count == 1 ? "the Host header '" + std::string(value) + "' is malformed"
                                     : "the request has more than one Host header",
                          "Host");
    }
    bool known = same_host(parsed->host, conn.local_address) || parsed->host == "localhost";
    for (const auto& name : policy.allowed_hosts) {
        known = known || same_host(parsed->host, smtp::to_lower(name));
    }
    if (!known || parsed->port != conn.local_port) {
        return make_error(http_error::host_not_allowed,
                          "Host '" + std::string(value) +
                              "' is not this service's address or an allowed name",
                          "Host");
    }
    return *parsed;
}

std::optional<response> check_origin(const request& head, const authority& own,
                                     const access_policy& policy)
{
    auto origin = combined_header(head.headers, "Origin");
    if (!origin) {
        return std::nullopt; // not sent by a browser, or a same-origin GET
    }
    auto text = std::string_view(*origin);
    auto sep = text.find("://");
    bool same = false;
    if (sep != std::string_view::npos) {
        auto scheme = text.substr(0, sep);
        auto parsed = parse_authority(text.substr(sep + 3), default_port(scheme));
        same = parsed && smtp::iequals(scheme, policy.scheme) &&
               same_host(parsed->host, own.host) && parsed->port == own.port;
    }
    if (same) {
        return std::nullopt;
    }
    return make_error(http_error::cross_origin,
                      "requests from the origin '" + *origin +
                          "' are refused: only this service's own origin may use it",
                      "Origin");
}

std::optional<response> check_token(const request& head, const access_policy& policy)
{
    if (policy.bearer_token.empty()) {
        return std::nullopt;
    }
    auto given = head.header("Authorization");
    if (given) {
        std::string_view value = *given;
        constexpr std::string_view scheme = "bearer ";
        if (smtp::istarts_with(value, scheme)) {
            value = smtp::trim_blanks(value.substr(scheme.size()));
            const auto& token = policy.bearer_token;
            // Constant time, so the token cannot be guessed byte by byte from response times.
            if (value.size() == token.size() &&
                CRYPTO_memcmp(value.data(), token.data(), token.size()) == 0) {
                return std::nullopt;
            }
        }
    }
    auto r = make_error(http_error::unauthorized,
                        given ? "the bearer token is wrong"
                              : "this service needs 'Authorization: Bearer TOKEN'",
                        "Authorization");
    r.headers.push_back({"WWW-Authenticate", "Bearer realm=\"" + policy.realm + "\""});
    return r;
}

std::optional<response> check_content_type(const request& head)
{
    if (!is_state_change(head.method)) {
        return std::nullopt;
    }
    auto type = head.header("Content-Type");
    if (type) {
        auto media = smtp::trim_blanks(type->substr(0, type->find(';')));
        if (smtp::iequals(media, "application/json") || smtp::iequals(media, "application/yaml")) {
            return std::nullopt;
        }
    }
    return make_error(http_error::unsupported_media_type,
                      head.method +
                          " needs 'Content-Type: application/json' or "
                          "'Content-Type: application/yaml'" +
                          (type ? ", not '" + std::string(*type) + "'" : std::string()),
                      "Content-Type");
}

} // namespace

bool is_state_change(std::string_view method) noexcept
{
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::optional<response> screen(const request& head, const connection_info& connection,
                               const access_policy& policy)
{
    if (auto refused = check_framing(head)) {
        return refused;
    }
    auto host = check_host(head, connection, policy);
    if (auto* refused = std::get_if<response>(&host)) {
        return std::move(*refused);
    }
    if (auto refused = check_origin(head, std::get<authority>(host), policy)) {
        return refused;
    }
    if (auto refused = check_token(head, policy)) {
        return refused;
    }
    return check_content_type(head);
}

} // namespace io::http
