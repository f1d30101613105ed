// The access middleware of every HTTP service, driven directly: framing (request smuggling),
// Host (DNS rebinding), Origin (cross-origin pages), the bearer token and the content type of
// state changes.
#include "io/http_access.hpp"
#include "io/http_errors.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace {

using io::http::access_policy;
using io::http::connection_info;
using io::http::request;
using io::http::screen;

const connection_info loopback{"127.0.0.1", 8025};

request make(std::string method, std::vector<io::http::header_field> headers, unsigned version = 11)
{
    request r;
    r.method = std::move(method);
    r.target = "/api/v1/health";
    r.version = version;
    r.headers = std::move(headers);
    return r;
}

std::string code_of(const io::http::response& r)
{
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

std::string path_of(const io::http::response& r)
{
    return std::string(boost::json::parse(r.body).at("error").at("path").as_string());
}

TEST(http_access, a_plain_local_request_passes)
{
    EXPECT_FALSE(screen(make("GET", {{"Host", "127.0.0.1:8025"}}), loopback, {}));
    EXPECT_FALSE(screen(make("GET", {{"host", "localhost:8025"}}), loopback, {}));
    EXPECT_FALSE(screen(make("GET", {{"Host", "LOCALHOST.:8025"}}), loopback, {}));
    EXPECT_FALSE(screen(make("GET", {{"Host", " 127.0.0.1:8025 "}}), loopback, {}));
    EXPECT_FALSE(screen(make("GET", {{"Host", "[::1]:8025"}}), connection_info{"::1", 8025}, {}));
    EXPECT_FALSE(screen(make("GET", {{"Host", "[0:0::1]:8025"}}), connection_info{"::1", 8025}, {}))
        << "another spelling of the same address";
}

// RFC 9112 §6.3: a Transfer-Encoding that does not end in chunked cannot be framed; answered 400
// and the connection closed, so its body is never read as a second request.
TEST(http_access, transfer_encodings_other_than_chunked_are_refused_and_closed)
{
    for (const char* te : {"xchunked", "chunked, identity", "gzip", "identity", "chunked,chunked",
                           "gzip, chunked", " chunkedx", ""}) {
        auto r = screen(make("POST", {{"Host", "127.0.0.1:8025"},
                                      {"Content-Type", "application/json"},
                                      {"Transfer-Encoding", te}}),
                        loopback, {});
        ASSERT_TRUE(r) << te;
        EXPECT_EQ(r->status, 400) << te;
        EXPECT_TRUE(r->close) << te;
        EXPECT_EQ(code_of(*r), "bad_transfer_encoding") << te;
        EXPECT_EQ(path_of(*r), "Transfer-Encoding");
    }
    // Two fields are one list (RFC 9110 §5.3): "chunked, identity".
    auto split = screen(make("GET", {{"Host", "127.0.0.1:8025"},
                                     {"Transfer-Encoding", "chunked"},
                                     {"Transfer-Encoding", "identity"}}),
                        loopback, {});
    ASSERT_TRUE(split);
    EXPECT_TRUE(split->close);
    // Chunked is framed, but not next to a Content-Length, nor in HTTP/1.0 (RFC 9112 §6.1).
    auto both = screen(make("GET", {{"Host", "127.0.0.1:8025"},
                                    {"Transfer-Encoding", "chunked"},
                                    {"Content-Length", "5"}}),
                       loopback, {});
    ASSERT_TRUE(both);
    EXPECT_TRUE(both->close);
    auto old = screen(make("GET", {{"Transfer-Encoding", "chunked"}}, 10), loopback, {});
    ASSERT_TRUE(old);
    EXPECT_TRUE(old->close);
    EXPECT_FALSE(screen(make("GET", {{"Host", "127.0.0.1:8025"}, {"Transfer-Encoding", "Chunked"}}),
                        loopback, {}));
}

// DNS rebinding: a name the attacker controls, resolved to 127.0.0.1, arrives with its own Host.
TEST(http_access, a_foreign_host_is_refused)
{
    for (const char* host :
         {"evil.example:8025", "evil.example", "127.0.0.2:8025", "127.0.0.1:8026", "127.0.0.1",
          "localhost.evil.example:8025", "[::1]:8025"}) {
        auto r = screen(make("GET", {{"Host", host}}), loopback, {});
        ASSERT_TRUE(r) << host;
        EXPECT_EQ(r->status, 403) << host;
        EXPECT_EQ(code_of(*r), "host_not_allowed") << host;
        EXPECT_EQ(path_of(*r), "Host");
        EXPECT_FALSE(r->close);
    }
}

TEST(http_access, allowed_names_are_accepted_with_the_services_port)
{
    access_policy p;
    p.allowed_hosts = {"Mock.Example"};
    const connection_info lan{"192.0.2.10", 8025};
    EXPECT_FALSE(screen(make("GET", {{"Host", "mock.example:8025"}}), lan, p));
    EXPECT_FALSE(screen(make("GET", {{"Host", "192.0.2.10:8025"}}), lan, p));
    EXPECT_TRUE(screen(make("GET", {{"Host", "mock.example:9999"}}), lan, p));
    EXPECT_TRUE(screen(make("GET", {{"Host", "other.example:8025"}}), lan, p));
    // Without a port Host means the scheme's default port.
    EXPECT_FALSE(
        screen(make("GET", {{"Host", "mock.example"}}), connection_info{"192.0.2.10", 80}, p));
}

// RFC 9112 §3.2: HTTP/1.1 needs exactly one valid Host.
TEST(http_access, a_missing_duplicated_or_malformed_host_is_400)
{
    for (auto headers : std::vector<std::vector<io::http::header_field>>{
             {},
             {{"Host", "127.0.0.1:8025"}, {"Host", "127.0.0.1:8025"}},
             {{"Host", "127.0.0.1:80x"}},
             {{"Host", "127.0.0.1:99999"}},
             {{"Host", "[::1"}},
             {{"Host", "user@127.0.0.1:8025"}},
             {{"Host", ""}}}) {
        auto r = screen(make("GET", headers), loopback, {});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 400);
        EXPECT_EQ(code_of(*r), "bad_request");
    }
    // HTTP/1.0 may leave it out; the connection's own address stands in.
    EXPECT_FALSE(screen(make("GET", {}, 10), loopback, {}));
}

TEST(http_access, only_the_services_own_origin_is_accepted)
{
    auto with_origin = [](const char* host, const char* origin) {
        return make("GET", {{"Host", host}, {"Origin", origin}});
    };
    EXPECT_FALSE(screen(with_origin("127.0.0.1:8025", "http://127.0.0.1:8025"), loopback, {}));
    EXPECT_FALSE(screen(with_origin("localhost:8025", "http://LOCALHOST:8025"), loopback, {}));
    for (const char* origin : {"https://evil.example", "http://evil.example:8025", "null",
                               "http://127.0.0.1:8026", "https://127.0.0.1:8025",
                               "http://localhost:8025", "http://127.0.0.1:8025/x", "garbage"}) {
        auto r = screen(with_origin("127.0.0.1:8025", origin), loopback, {});
        ASSERT_TRUE(r) << origin;
        EXPECT_EQ(r->status, 403) << origin;
        EXPECT_EQ(code_of(*r), "cross_origin") << origin;
        EXPECT_EQ(path_of(*r), "Origin");
    }
    // Default ports are the same origin whether written or not.
    EXPECT_FALSE(screen(make("GET", {{"Host", "localhost"}, {"Origin", "http://localhost:80"}}),
                        connection_info{"127.0.0.1", 80}, {}));
}

TEST(http_access, the_bearer_token_is_checked_when_set)
{
    access_policy p;
    p.bearer_token = "s3cret";
    p.realm = "smtp-mock";
    auto with_auth = [](std::optional<std::string> auth) {
        std::vector<io::http::header_field> h{{"Host", "127.0.0.1:8025"}};
        if (auth) {
            h.push_back({"Authorization", *auth});
        }
        return make("GET", h);
    };
    auto none = screen(with_auth(std::nullopt), loopback, p);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    EXPECT_EQ(code_of(*none), "unauthorized");
    EXPECT_EQ(none->header("WWW-Authenticate"),
              std::optional<std::string_view>("Bearer realm=\"smtp-mock\""));
    for (const char* wrong :
         {"Bearer wrong", "Bearer s3cre", "Basic s3cret", "s3cret", "Bearer s3cretx"}) {
        auto r = screen(with_auth(wrong), loopback, p);
        ASSERT_TRUE(r) << wrong;
        EXPECT_EQ(r->status, 401) << wrong;
    }
    EXPECT_FALSE(screen(with_auth("Bearer s3cret"), loopback, p));
    EXPECT_FALSE(screen(with_auth("bearer   s3cret"), loopback, p));
    EXPECT_FALSE(screen(with_auth("Bearer anything"), loopback, {})) << "no token, no check";
}

// A cross-origin page can send a state change without asking first only with text/plain, a
// form encoding or multipart; JSON or YAML makes the browser ask, and the answer is no.
TEST(http_access, state_changes_need_a_json_or_yaml_content_type)
{
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
        auto bare = screen(make(method, {{"Host", "127.0.0.1:8025"}}), loopback, {});
        ASSERT_TRUE(bare) << method;
        EXPECT_EQ(bare->status, 415);
        EXPECT_EQ(code_of(*bare), "unsupported_media_type");
        EXPECT_EQ(path_of(*bare), "Content-Type");
        for (const char* type :
             {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
              "application/jsonx", "text/yaml"}) {
            EXPECT_TRUE(screen(make(method, {{"Host", "127.0.0.1:8025"}, {"Content-Type", type}}),
                               loopback, {}))
                << method << " " << type;
        }
        for (const char* type :
             {"application/json", "Application/JSON; charset=utf-8", "application/yaml"}) {
            EXPECT_FALSE(screen(make(method, {{"Host", "127.0.0.1:8025"}, {"Content-Type", type}}),
                                loopback, {}))
                << method << " " << type;
        }
    }
    EXPECT_FALSE(screen(make("GET", {{"Host", "127.0.0.1:8025"}, {"Content-Type", "text/plain"}}),
                        loopback, {}));
    EXPECT_TRUE(io::http::is_state_change("POST"));
    EXPECT_FALSE(io::http::is_state_change("HEAD"));
}

TEST(http_errors, every_kind_has_a_status_and_a_code)
{
    using io::http::http_error;
    for (int k = 0; k <= static_cast<int>(http_error::internal); ++k) {
        auto info = io::http::describe(static_cast<http_error>(k));
        EXPECT_GE(info.status, 400);
        EXPECT_LT(info.status, 600);
        EXPECT_FALSE(info.code.empty());
    }
    auto r = io::http::make_error(http_error::method_not_allowed, "no \"way\"", "x");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, R"({"error":{"code":"method_not_allowed","message":"no \"way\"","path":"x"}})"
                      "\n");
}

} // namespace
