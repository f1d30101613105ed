#include "json/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <fmt/format.h>

namespace json_text {

namespace {

void write(std::string& out, const boost::json::value& v)
{
    switch (v.kind()) {
    case boost::json::kind::null:
        out += "null";
        break;
    case boost::json::kind::bool_:
        out += v.get_bool() ? "true" : "false";
        break;
    case boost::json::kind::int64:
        out += std::to_string(v.get_int64());
        break;
    case boost::json::kind::uint64:
        out += std::to_string(v.get_uint64());
        break;
    case boost::json::kind::double_: {
        double d = v.get_double();
        // JSON has no NaN or infinity (RFC 8259 §6).
        out += std::isfinite(d) ? fmt::format("{}", d) : "null";
        break;
    }
    case boost::json::kind::string:
        out += boost::json::serialize(v.get_string());
        break;
    case boost::json::kind::array: {
        out += '[';
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) {
                out += ',';
            }
            first = false;
            write(out, e);
        }
        out += ']';
        break;
    }
    case boost::json::kind::object: {
        out += '{';
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first) {
                out += ',';
            }
            first = false;
            out += boost::json::serialize(boost::json::string_view(kv.key()));
            out += ':';
            write(out, kv.value());
        }
        out += '}';
        break;
    }
    }
}

} // namespace

std::string serialize(const boost::json::value& v)
{
    std::string out;
    write(out, v);
    return out;
}

} // namespace json_text
