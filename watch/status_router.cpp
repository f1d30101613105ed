#include "watch/status_router.hpp"

#include "io/http_routes.hpp"

namespace watch {

namespace {

using io::http::response;
using io::http::route_call;

response text(std::string content_type, std::string body)
{
    response r;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

response metrics(const route_call&, const watch_view& v)
{
    return text("text/plain; version=0.0.4; charset=utf-8", metrics_text(v));
}

response status(const route_call&, const watch_view& v)
{
    return text("application/json", status_json(v));
}

response health(const route_call&, const watch_view&)
{
    return text("application/json", R"({"status":"ok"})");
}

const io::http::route_table<const watch_view>& routes()
{
    // Query parameters are ignored here, as Prometheus may add its own to a scrape.
    static const io::http::route_table<const watch_view> table{{
        {"GET", "/metrics", metrics, {"*"}},
        {"HEAD", "/metrics", metrics, {"*"}},
        {"GET", "/api/v1/status", status, {"*"}},
        {"HEAD", "/api/v1/status", status, {"*"}},
        {"GET", "/api/v1/health", health, {"*"}},
        {"HEAD", "/api/v1/health", health, {"*"}},
    }};
    return table;
}

} // namespace

response route_status_request(const io::http::request& request, const watch_view& view)
{
    return routes().dispatch(request, view);
}

} // namespace watch
