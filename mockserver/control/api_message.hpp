#pragma once

// The control API's requests and responses as plain data, so that routing is a pure function
// with no socket and no HTTP library in sight. The Beast listener converts to and from these.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mock::control {

/// Largest request body the API accepts (413 beyond it).
inline constexpr std::size_t max_body_size = 1024 * 1024;

/// One HTTP request, as the router sees it.
struct api_request {
    /// The method in upper case, e.g. "GET".
    std::string method;
    /// The request target: path and optional query, e.g. "/api/v1/sessions?since=3".
    std::string target;
    /// The Authorization header, when the request had one.
    std::optional<std::string> authorization;
    /// The Content-Type header, when the request had one.
    std::optional<std::string> content_type;
    /// The body, exactly as received.
    std::string body;
};

/// One HTTP response, as the router builds it.
struct api_response {
    /// The HTTP status code.
    int status = 200;
    /// The Content-Type of the body.
    std::string content_type = "application/json";
    /// Extra headers, e.g. {"Allow", "GET, PUT"}.
    std::vector<std::pair<std::string, std::string>> headers;
    /// The body.
    std::string body;

    /// The value of an extra header, if set.
    std::optional<std::string> header(const std::string& name) const
    {
        for (const auto& [k, v] : headers) {
            if (k == name) {
                return v;
            }
        }
        return std::nullopt;
    }
};

/// A JSON response: `status` and the serialized `body` followed by a newline.
api_response json_response(const boost::json::value& body, int status = 200);

} // namespace mock::control
