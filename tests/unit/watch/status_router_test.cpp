#include "watch/status_router.hpp"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace watch;
using ::testing::HasSubstr;

io::http::response get(std::string method, std::string target, const watch_view& view)
{
    io::http::request r;
    r.method = std::move(method);
    r.target = std::move(target);
    return route_status_request(r, view);
}

watch_view sample_view()
{
    watch_view v;
    target_view t;
    t.name = "mx1";
    t.state.status = prober::probe_status::critical;
    t.state.type = state_type::soft;
    t.state.attempt = 2;
    t.state.checks = 9;
    t.max_attempts = 3;
    v.targets.push_back(t);
    v.notifiers["hook"].sent = 4;
    v.notifiers["hook"].failed = 1;
    return v;
}

TEST(StatusRouter, Metrics)
{
    auto r = get("GET", "/metrics", sample_view());
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(r.content_type, HasSubstr("text/plain"));
    EXPECT_THAT(r.body, HasSubstr("smtp_watch_state{target=\"mx1\",type=\"SOFT\"} 2\n"));
    EXPECT_THAT(r.body, HasSubstr("smtp_watch_check_attempt{target=\"mx1\"} 2\n"));
    EXPECT_THAT(r.body, HasSubstr("smtp_watch_checks_total{target=\"mx1\"} 9\n"));
    EXPECT_THAT(r.body, HasSubstr("smtp_watch_notifications_sent_total{notifier=\"hook\"} 4\n"));
    EXPECT_THAT(r.body, HasSubstr("smtp_watch_notifications_failed_total{notifier=\"hook\"} 1\n"));
}

TEST(StatusRouter, StatusDocument)
{
    auto r = get("GET", "/api/v1/status?x=1", sample_view());
    EXPECT_EQ(r.status, 200);
    auto j = boost::json::parse(r.body);
    EXPECT_EQ(j.at("targets").at(0).at("name"), "mx1");
    EXPECT_EQ(j.at("targets").at(0).at("state_type"), "SOFT");
    EXPECT_EQ(j.at("notifiers").at("hook").at("sent"), 4);
}

TEST(StatusRouter, Errors)
{
    EXPECT_EQ(get("GET", "/nope", sample_view()).status, 404);
    auto r = get("POST", "/metrics", sample_view());
    EXPECT_EQ(r.status, 405);
    EXPECT_THAT(r.body, HasSubstr("\"code\":\"method_not_allowed\""));
    EXPECT_EQ(r.header("Allow"), std::optional<std::string_view>("GET, HEAD"));
    EXPECT_EQ(get("HEAD", "/api/v1/health", sample_view()).status, 200);
    EXPECT_EQ(get("GET", "/metrics?target=mx1", sample_view()).status, 200)
        << "a scrape may carry query parameters";
}

} // namespace
