// Route tables: patterns with path parameters, 404, 405 with Allow, and query parameters.
#include "io/http_routes.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace {

using io::http::request;
using io::http::response;
using io::http::route_call;

struct calls {
    std::vector<std::string> seen;
};

response record(const char* name, const route_call& c, calls& log)
{
    log.seen.push_back(std::string(name) + ":" + std::string(c.params.get("id")) + ":" +
                       std::string(c.params.get("part")));
    response r;
    r.body = name;
    return r;
}

const io::http::route_table<calls>& table()
{
    static const io::http::route_table<calls> t{{
        {"GET",
         "/things",
         [](const route_call& c, calls& l) { return record("list", c, l); },
         {"since", "limit"}},
        {"POST", "/things",
         [](const route_call& c, calls& l) {
             return record("add", c, l);
         }},
        {"GET", "/things/{id}",
         [](const route_call& c, calls& l) {
             return record("get", c, l);
         }},
        {"DELETE", "/things/{id}",
         [](const route_call& c, calls& l) {
             return record("delete", c, l);
         }},
        {"GET", "/things/{id}/{part}",
         [](const route_call& c, calls& l) {
             return record("part", c, l);
         }},
        {"GET", "/things/{id}/raw",
         [](const route_call& c, calls& l) {
             return record("raw", c, l);
         }},
        {"GET", "/any", [](const route_call& c, calls& l) { return record("any", c, l); }, {"*"}},
    }};
    return t;
}

response dispatch(std::string method, std::string target, calls& log)
{
    request r;
    r.method = std::move(method);
    r.target = std::move(target);
    return table().dispatch(r, log);
}

std::string code_of(const response& r)
{
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

TEST(route_table, rows_match_in_order_with_path_parameters)
{
    calls log;
    EXPECT_EQ(dispatch("GET", "/things", log).body, "list");
    EXPECT_EQ(dispatch("GET", "/things/a%20b", log).body, "get");
    EXPECT_EQ(dispatch("DELETE", "/things/7/", log).body, "delete");
    EXPECT_EQ(dispatch("GET", "/things/7/raw", log).body, "part") << "the first row that matches";
    EXPECT_EQ(log.seen,
              (std::vector<std::string>{"list::", "get:a b:", "delete:7:", "part:7:raw"}));
}

TEST(route_table, unknown_paths_are_404)
{
    calls log;
    for (const char* t : {"/", "/thing", "/things/1/2/3", "/other?x=1"}) {
        auto r = dispatch("GET", t, log);
        EXPECT_EQ(r.status, 404) << t;
        EXPECT_EQ(code_of(r), "not_found");
    }
    EXPECT_TRUE(log.seen.empty());
}

TEST(route_table, a_known_path_with_another_method_is_405_with_allow)
{
    calls log;
    auto r = dispatch("PUT", "/things", log);
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(code_of(r), "method_not_allowed");
    EXPECT_EQ(r.header("Allow"), std::optional<std::string_view>("GET, POST"));
    auto one = dispatch("POST", "/things/3", log);
    EXPECT_EQ(one.header("Allow"), std::optional<std::string_view>("GET, DELETE"));
    EXPECT_NE(one.body.find("POST is not allowed here"), std::string::npos);
    EXPECT_EQ(dispatch("get", "/things", log).status, 405) << "methods are case-sensitive";
    EXPECT_TRUE(log.seen.empty());
}

TEST(route_table, query_parameters_are_checked_against_the_row)
{
    calls log;
    EXPECT_EQ(dispatch("GET", "/things?since=1&limit=2", log).status, 200);
    auto bad = dispatch("GET", "/things?sinse=1", log);
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(code_of(bad), "invalid_query");
    EXPECT_NE(bad.body.find("expected since, limit"), std::string::npos);
    auto none = dispatch("GET", "/things/1?x=1", log);
    EXPECT_EQ(none.status, 400);
    EXPECT_NE(none.body.find("this endpoint takes none"), std::string::npos);
    EXPECT_EQ(dispatch("GET", "/any?whatever=1&else=2", log).status, 200);
    EXPECT_EQ(dispatch("GET", "/things?since=%zz", log).status, 400) << "broken escape";
    EXPECT_EQ(dispatch("GET", "things", log).status, 400) << "not origin-form";
}

} // namespace
