#pragma once

// The one security middleware of every HTTP service of the project (control API, watch status,
// webhook receiver, exporter). A page on any origin can make a browser send simple requests to
// 127.0.0.1, and a DNS name the page controls can be rebound to 127.0.0.1; so, before a handler
// sees a request, screen() checks, in this order:
//   1. framing: a Transfer-Encoding other than exactly `chunked` (or one next to a
//      Content-Length, or in an HTTP/1.0 request) cannot be framed safely: 400 and close
//      (RFC 9112 §6.1, §6.3), so that no body can be read as a second request;
//   2. Host: it must name the address and port the connection arrived on, `localhost`, or a
//      name the service allows, with the service's port (DNS rebinding); 400 when it is missing
//      from an HTTP/1.1 request or given twice (RFC 9112 §3.2);
//   3. Origin: when present it must be the service's own origin, scheme://host:port;
//   4. the bearer token, when the service has one (RFC 6750 §2.1, compared in constant time);
//   5. state changes (every method but GET, HEAD and OPTIONS) need Content-Type
//      application/json or application/yaml, which a cross-origin page cannot send without
//      the browser asking the service first (and it never says yes: no CORS headers).
// Pure: no socket; unit-tested directly.

#include "io/http_message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace io::http {

/// Who may use a service, beyond being able to connect to it.
struct access_policy {
    /// Names accepted in Host besides the address the connection arrived on and `localhost`,
    /// e.g. "mx.example" for a service bound to 0.0.0.0 and reached by name. Compared without
    /// case; the port in Host must still be the service's.
    std::vector<std::string> allowed_hosts;
    /// The bearer token every request must carry; empty means none is needed.
    std::string bearer_token;
    /// The realm named in `WWW-Authenticate` when the token is missing or wrong.
    std::string realm = "smtp-harness";
    /// The scheme of the service's own origin.
    std::string scheme = "http";
};

/// Where a request arrived: the local end of its connection.
struct connection_info {
    /// The local address as a literal IP without brackets, e.g. "127.0.0.1" or "::1".
    std::string local_address;
    /// The local port.
    std::uint16_t local_port = 0;
};

/// Screens a request head (its body is not needed, and is not read before this passes).
/// Returns the refusal to answer, or nothing when the request may go on to the handler. A
/// framing refusal has `close` set.
std::optional<response> screen(const request& head, const connection_info& connection,
                               const access_policy& policy);

/// Whether `method` changes state in the sense of screen() (anything but GET, HEAD, OPTIONS).
bool is_state_change(std::string_view method) noexcept;

} // namespace io::http
