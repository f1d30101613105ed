#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smtp {

/// Base64 (RFC 4648 §4) of `bytes`, with padding, as SASL uses it (RFC 4954 §4).
std::string base64_encode(std::string_view bytes);

/// The bytes encoded in `text`, or nothing when `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace smtp
