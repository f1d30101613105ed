#include "io/endpoint.hpp"

#include <charconv>

namespace io {

namespace net = boost::asio;

boost::system::result<net::ip::tcp::endpoint> parse_endpoint(std::string_view text)
{
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || err != std::errc{} || end != port.data() + port.size() || value > 65535) {
        return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    }
    if (host == "localhost") {
        host = "127.0.0.1";
    }
    boost::system::error_code ec;
    auto address = net::ip::make_address(std::string(host), ec);
    if (ec) {
        return ec;
    }
    return net::ip::tcp::endpoint(address, static_cast<unsigned short>(value));
}

std::string to_string(const net::ip::tcp::endpoint& endpoint)
{
    const auto& address = endpoint.address();
    std::string port = std::to_string(endpoint.port());
    if (address.is_v6()) {
        return "[" + address.to_string() + "]:" + port;
    }
    return address.to_string() + ":" + port;
}

} // namespace io
