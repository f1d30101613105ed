#include "io/http_message.hpp"

#include "smtp/ascii.hpp"

#include "json/json_text.hpp"
#include <boost/json/object.hpp>

namespace io::http {

std::optional<std::string_view> find_header(const std::vector<header_field>& fields,
                                            std::string_view name)
{
    for (const auto& f : fields) {
        if (smtp::iequals(f.name, name)) {
            return std::string_view(f.value);
        }
    }
    return std::nullopt;
}

std::optional<std::string> combined_header(const std::vector<header_field>& fields,
                                           std::string_view name)
{
    std::optional<std::string> out;
    for (const auto& f : fields) {
        if (!smtp::iequals(f.name, name)) {
            continue;
        }
        if (out) {
            *out += ", ";
            *out += f.value;
        } else {
            out = f.value;
        }
    }
    return out;
}

std::string collect_body(response& r)
{
    if (!r.stream) {
        return r.body;
    }
    std::string out;
    for (auto piece = r.stream->next(); !piece.empty(); piece = r.stream->next()) {
        out += piece;
    }
    return out;
}

std::string error_body(std::string_view code, std::string_view message, std::string_view path)
{
    boost::json::object error;
    error["code"] = code;
    error["message"] = message;
    error["path"] = path;
    boost::json::object body;
    body["error"] = std::move(error);
    auto text = json_text::serialize(body);
    text += '\n';
    return text;
}

response error_response(int status, std::string_view code, std::string_view message,
                        std::string_view path)
{
    response r;
    r.status = status;
    r.body = error_body(code, message, path);
    return r;
}

} // namespace io::http
