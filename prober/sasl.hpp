#pragma once

#include <string>
#include <string_view>

namespace prober {

/// Base64 with padding (RFC 4648 §4), as SASL over SMTP uses it (RFC 4954 §4).
std::string base64_encode(std::string_view data);

/// The initial response of AUTH PLAIN: base64("" NUL user NUL password) (RFC 4616 §2).
std::string sasl_plain_response(std::string_view user, std::string_view password);

} // namespace prober
