#include "watch/status_router.hpp"

namespace watch {
namespace {

status_response error(int status, std::string_view code, std::string_view message,
                      std::string_view path)
{
    return {status, "application/json",
            R"({"error":{"code":")" + std::string(code) + R"(","message":")" +
                std::string(message) + R"(","path":")" + std::string(path) + R"("}})"};
}

} // namespace

status_response route_status_request(std::string_view method, std::string_view target,
                                     const watch_view& view)
{
    auto path = target.substr(0, target.find('?'));
    const bool known = path == "/metrics" || path == "/api/v1/status" || path == "/api/v1/health";
    if (!known) {
        return error(404, "not_found", "no such resource", "");
    }
    if (method != "GET" && method != "HEAD") {
        return error(405, "method_not_allowed", "only GET is allowed here", "");
    }
    if (path == "/metrics") {
        return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_text(view)};
    }
    if (path == "/api/v1/health") {
        return {200, "application/json", R"({"status":"ok"})"};
    }
    return {200, "application/json", status_json(view)};
}

} // namespace watch
