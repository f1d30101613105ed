#include "faults/scenario_loader.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"
#include "mockserver/embedded_files.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace mock::control {

namespace {

// The console is a page of this origin only: it loads nothing from elsewhere, runs no inline
// script, and cannot be framed by another page.
constexpr std::string_view content_security_policy =
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view content_type_of(std::string_view name)
{
    if (name.ends_with(".html")) {
        return "text/html; charset=utf-8";
    }
    if (name.ends_with(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (name.ends_with(".css")) {
        return "text/css; charset=utf-8";
    }
    if (name.ends_with(".md")) {
        return "text/markdown; charset=utf-8";
    }
    return "application/octet-stream";
}

} // namespace

api_response get_console_file(std::string_view name)
{
    for (std::size_t i = 0; i < console_files_count; ++i) {
        const auto& f = console_files[i];
        if (f.name == name) {
            api_response r;
            r.content_type = std::string(content_type_of(name));
            r.body = std::string(f.content);
            r.headers.push_back(
                {"Content-Security-Policy", std::string(content_security_policy)});
            r.headers.push_back({"X-Content-Type-Options", "nosniff"});
            r.headers.push_back({"Referrer-Policy", "no-referrer"});
            return r;
        }
    }
    return make_error(http_error::not_found, "the console has no file '" + std::string(name) + "'",
                      "file");
}

api_response get_catalog()
{
    boost::json::array scenarios;
    for (std::size_t i = 0; i < catalog_files_count; ++i) {
        const auto& f = catalog_files[i];
        const auto s = faults::load_scenario(f.content, f.name);
        boost::json::object o;
        o["name"] = s.name;
        o["summary"] = s.summary;
        o["description"] = s.description;
        o["listener"] = faults::to_string(s.listener);
        o["rules"] = s.rules.size();
        o["yaml"] = f.content;
        scenarios.emplace_back(std::move(o));
    }
    return json_response(boost::json::object{{"scenarios", std::move(scenarios)}});
}

} // namespace mock::control
