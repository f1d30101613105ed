#include "prober/target.hpp"

#include "smtp/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace prober {
namespace {

namespace errc = boost::system::errc;

boost::system::result<std::uint16_t> parse_port(std::string_view s)
{
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) {
        return boost::system::error_code(make_error_code(errc::invalid_argument));
    }
    return static_cast<std::uint16_t>(v);
}

} // namespace

boost::system::result<target_address> parse_target(std::string_view text)
{
    text = smtp::trim_blanks(text);
    target_address t;
    if (text.empty()) {
        return boost::system::error_code(make_error_code(errc::invalid_argument));
    }
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close == 1) {
            return boost::system::error_code(make_error_code(errc::invalid_argument));
        }
        t.host = std::string(text.substr(1, close - 1));
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return boost::system::error_code(make_error_code(errc::invalid_argument));
            }
            auto port = parse_port(rest.substr(1));
            if (!port) {
                return port.error();
            }
            t.port = *port;
        }
        return t;
    }
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
        t.host = std::string(text); // a bare IPv6 literal
        return t;
    }
    t.host = std::string(text.substr(0, colon));
    if (t.host.empty()) {
        return boost::system::error_code(make_error_code(errc::invalid_argument));
    }
    if (colon != std::string_view::npos) {
        auto port = parse_port(text.substr(colon + 1));
        if (!port) {
            return port.error();
        }
        t.port = *port;
    }
    return t;
}

boost::system::result<std::vector<target_address>> parse_targets_file(std::string_view text,
                                                                      std::size_t& bad_line)
{
    std::vector<target_address> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto lf = text.find('\n');
        auto line = smtp::trim_blanks(text.substr(0, lf));
        text = lf == std::string_view::npos ? std::string_view() : text.substr(lf + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        auto t = parse_target(line);
        if (!t) {
            bad_line = line_no;
            return t.error();
        }
        out.push_back(std::move(*t));
    }
    return out;
}

boost::system::result<verify_spec> parse_verify_url(std::string_view text)
{
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) {
        return parsed.error();
    }
    const auto& url = *parsed;
    verify_spec spec;
    spec.scheme = std::string(url.scheme());
    std::uint16_t default_port = 0;
    if (spec.scheme == "pop3") {
        default_port = 110;
    } else if (spec.scheme == "pop3s") {
        default_port = 995;
    } else if (spec.scheme == "imap") {
        default_port = 143;
    } else if (spec.scheme == "imaps") {
        default_port = 993;
    } else {
        return boost::system::error_code(make_error_code(errc::protocol_not_supported));
    }
    if (!url.has_authority() || url.host().empty() || !url.has_userinfo()) {
        return boost::system::error_code(make_error_code(errc::invalid_argument));
    }
    spec.user = url.user();
    spec.password = url.password();
    spec.host = std::string(url.encoded_host_address());
    if (!spec.host.empty() && spec.host.front() == '[') {
        spec.host = spec.host.substr(1, spec.host.size() - 2);
    }
    spec.port = default_port;
    if (url.has_port()) {
        auto port = parse_port(url.port());
        if (!port) {
            return port.error();
        }
        spec.port = *port;
    }
    spec.url = std::string(text);
    spec.display = spec.scheme + "://" + spec.user + "@" + std::string(url.encoded_host_address()) +
                   ':' + std::to_string(spec.port);
    return spec;
}

} // namespace prober
