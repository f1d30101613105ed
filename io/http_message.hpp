#pragma once

// HTTP requests and responses as plain data, for every HTTP service and handler of the project.
// No socket and no HTTP library in sight: a handler is a function `request -> response` that
// unit tests call directly; io/http_service.hpp converts bytes to and from these.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace io::http {

/// One header field as it appeared on the wire.
struct header_field {
    /// The field name, as sent (compare case-insensitively).
    std::string name;
    /// The field value, without surrounding whitespace.
    std::string value;
};

/// Finds the first field called `name` (case-insensitive, RFC 9110 §5.1).
std::optional<std::string_view> find_header(const std::vector<header_field>& fields,
                                            std::string_view name);

/// Every value of the fields called `name`, joined with ", " as RFC 9110 §5.3 allows; nothing
/// when there is no such field.
std::optional<std::string> combined_header(const std::vector<header_field>& fields,
                                           std::string_view name);

/// One HTTP request: its head, and its body once read.
struct request {
    /// The method as sent, e.g. "GET" (methods are case-sensitive, RFC 9110 §9.1).
    std::string method;
    /// The request target: path and optional query, e.g. "/api/v1/sessions?since=3".
    std::string target;
    /// 11 for HTTP/1.1, 10 for HTTP/1.0.
    unsigned version = 11;
    /// The header fields, in order.
    std::vector<header_field> headers;
    /// The body, exactly as received (after removing the chunked framing).
    std::string body;

    /// The first field called `name`, if any.
    std::optional<std::string_view> header(std::string_view name) const
    {
        return find_header(headers, name);
    }
};

/// A body produced piece by piece, for responses too large to build at once: the service
/// pulls the next piece only when the previous one has been written, so a client that does
/// not read holds at most one piece in memory.
class body_source {
public:
    virtual ~body_source() = default;
    /// The next piece of the body; an empty string ends the body.
    virtual std::string next() = 0;
};

/// Takes over a connection after its response head was sent (e.g. a WebSocket after
/// `101 Switching Protocols`); defined by io/http_service.hpp, which runs it.
class connection_takeover;

/// Long polling: a response that waits for something to happen; defined below.
struct long_poll;

/// One HTTP response, as a handler builds it.
struct response {
    /// The status code.
    int status = 200;
    /// The Content-Type of the body.
    std::string content_type = "application/json";
    /// Extra header fields, e.g. {"Allow", "GET, PUT"}.
    std::vector<header_field> headers;
    /// The body, unless `stream` is set.
    std::string body;
    /// When set, the body is taken from here piece by piece (chunked transfer coding) and
    /// `body` is ignored.
    std::shared_ptr<body_source> stream;
    /// When set, the connection is handed to it once the head has been written.
    std::shared_ptr<connection_takeover> takeover;
    /// When set, the service answers with `poll->answer()` once `poll->ready()` holds or
    /// `poll->wait` has passed, and ignores the rest of this response.
    std::shared_ptr<const long_poll> poll;
    /// Close the connection after this response.
    bool close = false;

    /// The value of an extra header field, if set (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const
    {
        return find_header(headers, name);
    }
};

/// A response that is not due yet (long polling, e.g. `?wait=SECONDS`): the service checks
/// `ready` every few milliseconds on its own thread, without holding the connection's thread of
/// any other service, and answers with `answer()` as soon as it holds, when `wait` has passed,
/// or at once when the service stops.
struct long_poll {
    /// Whether the awaited thing happened.
    std::function<bool()> ready;
    /// Subscribes `wake`, to be called (from any thread) whenever ready() may have become true;
    /// the returned handle ends the subscription. The service checks ready() when it is
    /// called, and at the start and the end of the wait: never by polling. Empty: only then.
    std::function<std::shared_ptr<void>(std::function<void()> wake)> watch;
    /// The response, computed when it is sent.
    std::function<response()> answer;
    /// The longest wait.
    std::chrono::steady_clock::duration wait{};
};

/// Every piece of a response body: `body`, or all of `stream` (which it drains). For tests and
/// for callers that need the whole body.
std::string collect_body(response& r);

/// The error body every HTTP service of the project uses:
/// `{"error":{"code":"...","message":"...","path":"..."}}` followed by a newline. `path` names
/// the field, parameter or header at fault; empty when the whole request is.
std::string error_body(std::string_view code, std::string_view message, std::string_view path);

/// A JSON error response with that body.
response error_response(int status, std::string_view code, std::string_view message,
                        std::string_view path = "");

} // namespace io::http
