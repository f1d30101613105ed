#include "json/json_text.hpp"

#include "smtp/utf8.hpp"

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
    case boost::json::kind::string: {
        // RFC 8259 §8.1: JSON text is UTF-8. Bytes that are not (a peer's, a file's) become
        // U+FFFD rather than making the whole document unreadable.
        const auto& str = v.get_string();
        const std::string_view text(str.data(), str.size());
        out += smtp::is_valid_utf8(text)
                   ? boost::json::serialize(str)
                   : boost::json::serialize(boost::json::string_view(smtp::to_valid_utf8(text)));
        break;
    }
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
            const std::string_view key(kv.key().data(), kv.key().size());
            out += smtp::is_valid_utf8(key)
                       ? boost::json::serialize(boost::json::string_view(kv.key()))
                       : boost::json::serialize(boost::json::string_view(smtp::to_valid_utf8(key)));
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
