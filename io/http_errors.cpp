#include "io/http_errors.hpp"

namespace io::http {

http_error_info describe(http_error e) noexcept
{
    switch (e) {
    case http_error::bad_request:
        return {400, "bad_request"};
    case http_error::bad_transfer_encoding:
        return {400, "bad_transfer_encoding"};
    case http_error::invalid_query:
        return {400, "invalid_query"};
    case http_error::unauthorized:
        return {401, "unauthorized"};
    case http_error::host_not_allowed:
        return {403, "host_not_allowed"};
    case http_error::cross_origin:
        return {403, "cross_origin"};
    case http_error::not_found:
        return {404, "not_found"};
    case http_error::method_not_allowed:
        return {405, "method_not_allowed"};
    case http_error::payload_too_large:
        return {413, "payload_too_large"};
    case http_error::unsupported_media_type:
        return {415, "unsupported_media_type"};
    case http_error::header_too_large:
        return {431, "header_too_large"};
    case http_error::internal:
        return {500, "internal"};
    }
    return {500, "internal"};
}

response make_error(http_error e, std::string_view message, std::string_view path)
{
    auto info = describe(e);
    return error_response(info.status, info.code, message, path);
}

} // namespace io::http
