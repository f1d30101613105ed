// Fuzzes the access middleware of every HTTP service: arbitrary request heads (method, version,
// header fields with any bytes) never crash it, and a Transfer-Encoding other than exactly
// `chunked` is always refused with the connection closed (no request smuggling).
#include "io/http_access.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool framed_safely(const io::http::request& r)
{
    auto te = io::http::combined_header(r.headers, "Transfer-Encoding");
    if (!te) {
        return true;
    }
    std::string_view v = *te;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    if (v.size() != 7) {
        return false;
    }
    for (std::size_t i = 0; i < 7; ++i) {
        if ((v[i] | 0x20) != "chunked"[i]) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    static const char* methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    io::http::request r;
    r.method = methods[data[0] % 7];
    r.version = (data[0] & 0x80) ? 10 : 11;
    r.target = "/api/v1/health";
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    // One header field per line, "Name: value".
    while (!rest.empty()) {
        auto eol = rest.find('\n');
        auto line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        r.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    io::http::access_policy policy;
    policy.allowed_hosts = {"mock.example"};
    policy.bearer_token = (data[0] & 0x40) ? "s3cret" : "";
    for (const auto& conn :
         {io::http::connection_info{"127.0.0.1", 8025}, io::http::connection_info{"::1", 80}}) {
        auto refusal = io::http::screen(r, conn, policy);
        if (refusal && (refusal->status < 400 || refusal->status > 499)) {
            std::abort();
        }
        if (!framed_safely(r) && !(refusal && refusal->close)) {
            std::abort(); // a body that cannot be framed would be read as a second request
        }
    }
    return 0;
}
