#include "smtp/ascii.hpp"
#include "verify/verify_error.hpp"
#include "verify/verify_target.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>
#include <optional>

namespace verify {
namespace {

std::optional<verify_target::protocol> parse_scheme(std::string_view s) noexcept
{
    using p = verify_target::protocol;
    for (auto proto : {p::pop3, p::pop3s, p::imap, p::imaps}) {
        if (smtp::iequals(s, to_string(proto))) {
            return proto;
        }
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(verify_target::protocol p) noexcept
{
    switch (p) {
    case verify_target::protocol::pop3:
        return "pop3";
    case verify_target::protocol::pop3s:
        return "pop3s";
    case verify_target::protocol::imap:
        return "imap";
    case verify_target::protocol::imaps:
        return "imaps";
    }
    return "pop3";
}

std::uint16_t default_port(verify_target::protocol p) noexcept
{
    // RFC 1939 §3, RFC 3501 §2.1, RFC 8314 §7.
    switch (p) {
    case verify_target::protocol::pop3:
        return 110;
    case verify_target::protocol::pop3s:
        return 995;
    case verify_target::protocol::imap:
        return 143;
    case verify_target::protocol::imaps:
        return 993;
    }
    return 110;
}

bool uses_tls(verify_target::protocol p) noexcept
{
    return p == verify_target::protocol::pop3s || p == verify_target::protocol::imaps;
}

boost::system::result<verify_target> parse_verify_url(std::string_view url)
{
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        // A bad percent-escape in the user info is the likeliest cause when the rest is fine.
        return make_error_code(verify_errc::url_syntax);
    }
    const boost::urls::url_view u = *parsed;

    verify_target t;
    auto proto = parse_scheme(u.scheme());
    if (!proto) {
        return make_error_code(verify_errc::url_scheme);
    }
    t.proto = *proto;

    if (!u.has_userinfo() || !u.has_password() || u.encoded_user().empty()) {
        return make_error_code(verify_errc::url_credentials);
    }
    t.user = u.user();
    t.password = u.password();

    if (u.encoded_host().empty()) {
        return make_error_code(verify_errc::url_host);
    }
    t.host = u.host_address();

    t.port = default_port(t.proto);
    if (u.has_port()) {
        const std::string_view p = u.port();
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
        if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || value == 0 ||
            value > 65535) {
            return make_error_code(verify_errc::url_port);
        }
        t.port = static_cast<std::uint16_t>(value);
    }

    if (!u.encoded_path().empty() && u.encoded_path() != "/") {
        return make_error_code(verify_errc::url_path);
    }

    if (u.has_query()) {
        for (auto param : u.params()) {
            const bool on = !param.has_value || param.value == "1" ||
                            smtp::iequals(param.value, "true") || smtp::iequals(param.value, "yes");
            const bool off =
                param.has_value && (param.value == "0" || smtp::iequals(param.value, "false") ||
                                    smtp::iequals(param.value, "no"));
            if (param.key != "insecure" || (!on && !off)) {
                return make_error_code(verify_errc::url_syntax);
            }
            t.insecure = on;
        }
    }
    return t;
}

} // namespace verify
