#include "smtp/sasl_plain.hpp"

#include "smtp/base64.hpp"

namespace smtp {

std::optional<sasl_plain_credentials> decode_sasl_plain(std::string_view base64)
{
    auto decoded = base64 == "=" ? std::optional<std::string>("") : base64_decode(base64);
    if (!decoded) {
        return std::nullopt;
    }
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
    const std::string_view all(*decoded);
    const auto first = all.find('\0');
    const auto second = first == std::string_view::npos ? first : all.find('\0', first + 1);
    if (second == std::string_view::npos || second == first + 1) {
        return std::nullopt;
    }
    return sasl_plain_credentials{std::string(all.substr(0, first)),
                                  std::string(all.substr(first + 1, second - first - 1)),
                                  std::string(all.substr(second + 1))};
}

std::string encode_sasl_plain(std::string_view user, std::string_view password)
{
    std::string message;
    message.reserve(user.size() + password.size() + 2);
    message += '\0';
    message += user;
    message += '\0';
    message += password;
    return base64_encode(message);
}

} // namespace smtp
