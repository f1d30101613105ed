// The control API's routing, driven directly: every endpoint and every error case. (The access
// rules, token included, are the service's middleware: tests/unit/io/http_access_test.cpp.)
#include "faults/controller.hpp"
#include "faults/scenario.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/endpoints.hpp"
#include "mockserver/control/router.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/server_context.hpp"
#include "mockserver/session_registry.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <vector>

using namespace std::chrono_literals;
using mock::control::api_error;
using mock::control::api_request;
using mock::control::api_response;
using mock::control::route;

namespace {

class router_test : public ::testing::Test {
protected:
    router_test()
        : controller_(faults::healthy_scenario(), 42, t0_)
    {
        state_.sessions = &sessions_;
        state_.store = &store_;
        state_.counters = &counters_;
        state_.faults = &controller_;
        state_.set_listener = [this](mock::listener_mode m) {
            modes_.push_back(m);
        };
        state_.set_mailbox_listener = [this](mock::listener_mode m) {
            mailbox_modes_.push_back(m);
        };
        state_.version = "9.9.9";
        state_.seed = 42;
        state_.started_at = t0_;
        state_.now = [this] {
            return now_;
        };
    }

    api_response call(std::string method, std::string target, std::string body = "")
    {
        api_request r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.body = std::move(body);
        auto response = route(r, state_);
        // Streamed bodies are drained here, as the service would, so tests see them whole.
        response.body = io::http::collect_body(response);
        response.stream.reset();
        return response;
    }

    static boost::json::object json(const api_response& r)
    {
        return boost::json::parse(r.body).as_object();
    }

    static std::string error_code(const api_response& r)
    {
        return std::string(json(r).at("error").at("code").as_string());
    }

    static std::string error_path(const api_response& r)
    {
        return std::string(json(r).at("error").at("path").as_string());
    }

    std::string add_message(std::string from, std::vector<std::string> to, std::string data)
    {
        mock::captured_message m;
        m.session_id = 7;
        m.mail_from = std::move(from);
        m.rcpt_to = std::move(to);
        m.data = std::move(data);
        m.received_at = std::chrono::system_clock::time_point(std::chrono::seconds(1796000000));
        m.tls = true;
        m.auth_user = "alice";
        return store_.add(std::move(m));
    }

    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::time_point(100s);
    std::chrono::steady_clock::time_point now_ = t0_ + 1500ms;
    mock::session_registry sessions_{100};
    mock::message_store store_;
    mock::server_counters counters_;
    faults::controller controller_;
    std::vector<mock::listener_mode> modes_;
    std::vector<mock::listener_mode> mailbox_modes_;
    mock::control::api_state state_;
};

TEST(api_error_table, every_kind_has_a_4xx_or_5xx_status_and_a_code)
{
    for (int k = 0; k <= static_cast<int>(api_error::not_implemented); ++k) {
        auto info = mock::control::describe(static_cast<api_error>(k));
        EXPECT_GE(info.status, 400);
        EXPECT_LT(info.status, 600);
        EXPECT_FALSE(info.code.empty());
    }
    EXPECT_EQ(mock::control::describe(api_error::not_implemented).status, 501);
    EXPECT_EQ(mock::control::describe(api_error::invalid_scenario).status, 400);
    EXPECT_EQ(mock::control::describe(api_error::invalid_value).status, 400);
    EXPECT_EQ(mock::control::describe(api_error::conflict).status, 409);
    EXPECT_EQ(mock::control::describe(api_error::malformed_json).status, 400);
}

TEST(api_error_table, error_body_has_code_message_and_path)
{
    auto r = mock::control::make_error(api_error::unknown_field, "no such field 'x'", "x");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.content_type, "application/json");
    auto body = boost::json::parse(r.body).as_object();
    const auto& e = body.at("error").as_object();
    EXPECT_EQ(e.at("code").as_string(), "unknown_field");
    EXPECT_EQ(e.at("message").as_string(), "no such field 'x'");
    EXPECT_EQ(e.at("path").as_string(), "x");
    EXPECT_EQ(body.size(), 1u);
}

TEST_F(router_test, health_reports_version_uptime_and_seed)
{
    auto r = call("GET", "/api/v1/health");
    ASSERT_EQ(r.status, 200);
    auto o = json(r);
    EXPECT_EQ(o.at("status").as_string(), "ok");
    EXPECT_EQ(o.at("version").as_string(), "9.9.9");
    EXPECT_DOUBLE_EQ(o.at("uptime_seconds").to_number<double>(), 1.5);
    EXPECT_EQ(o.at("seed").to_number<std::uint64_t>(), 42u);
}

TEST_F(router_test, unknown_paths_are_404)
{
    for (const char* t : {"/console", "/console/a/b", "/console/none.js", "/api", "/api/v1",
                          "/api/v2/health", "/api/v1/nothing", "/api/v1/health/extra", "/metrics/x",
                          "/api/v1/messages/1/raw/x", "/api/v1/rules/a/b"}) {
        auto r = call("GET", t);
        EXPECT_EQ(r.status, 404) << t;
        EXPECT_EQ(error_code(r), "not_found") << t;
    }
}

TEST_F(router_test, wrong_methods_are_405_with_allow)
{
    struct case_t {
        const char* method;
        const char* target;
        const char* allow;
    };
    for (const auto& c : std::vector<case_t>{
             {"POST", "/api/v1/health", "GET"},
             {"DELETE", "/api/v1/stats", "GET"},
             {"PUT", "/metrics", "GET"},
             {"POST", "/api/v1/scenario", "GET, PUT, DELETE"},
             {"PUT", "/api/v1/rules", "GET, POST"},
             {"PUT", "/api/v1/rules/r1", "GET, DELETE"},
             {"POST", "/api/v1/listener", "GET, PUT"},
             {"PUT", "/api/v1/sessions", "GET, DELETE"},
             {"GET", "/api/v1/reset", "POST"},
             {"DELETE", "/api/v1/sessions/1", "GET"},
             {"POST", "/api/v1/messages", "GET, DELETE"},
             {"PUT", "/api/v1/messages/1", "GET, DELETE"},
             {"DELETE", "/api/v1/messages/1/raw", "GET"},
         }) {
        auto r = call(c.method, c.target);
        EXPECT_EQ(r.status, 405) << c.method << " " << c.target;
        EXPECT_EQ(r.header("Allow"), std::optional<std::string>(c.allow)) << c.target;
        EXPECT_EQ(error_code(r), "method_not_allowed");
        EXPECT_NE(r.body.find(c.method), std::string::npos);
    }
}

TEST_F(router_test, malformed_targets_are_400)
{
    auto r = call("GET", "/api/v1/sessions?since=%zz");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_code(r), "invalid_query");
    EXPECT_EQ(call("GET", "api/v1/health").status, 400);
}

TEST_F(router_test, query_parameters_where_none_are_taken_are_400)
{
    auto r = call("GET", "/api/v1/health?verbose=1");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_code(r), "invalid_query");
    EXPECT_EQ(error_path(r), "verbose");
    EXPECT_EQ(call("GET", "/metrics?x=1").status, 400);
    EXPECT_EQ(call("GET", "/api/v1/nothing?x=1").status, 404);
}

TEST_F(router_test, sessions_list_with_since_and_limit)
{
    auto t = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        auto rec = sessions_.create("127.0.0.1:5000" + std::to_string(i), "127.0.0.1:2525", t);
        rec->add("S", "220 localhost ESMTP", t + 2ms);
        rec->add("C", "QUIT", t + 3ms);
        if (i == 1) {
            rec->finish(mock::session_outcome::quit, mock::session_closer::server, t + 4ms);
            rec->add_fired({"r1", smtp::phase::banner});
            rec->set_tls("TLSv1.3", "TLS_AES_256_GCM_SHA384");
            rec->set_auth("alice");
            rec->add_message("3");
        }
    }
    auto all = json(call("GET", "/api/v1/sessions"));
    ASSERT_EQ(all.at("sessions").as_array().size(), 5u);
    auto page = json(call("GET", "/api/v1/sessions?since=1&limit=2"));
    const auto& list = page.at("sessions").as_array();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].at("id").to_number<int>(), 2);
    EXPECT_EQ(list[1].at("id").to_number<int>(), 3);
    EXPECT_EQ(page.at("next_since").to_number<int>(), 3);
    EXPECT_EQ(page.at("next").as_string(), "/api/v1/sessions?since=3&limit=2");
    auto last = json(call("GET", "/api/v1/sessions?since=3&limit=2"));
    EXPECT_EQ(last.at("sessions").as_array().size(), 2u);
    EXPECT_EQ(last.at("next_since").to_number<int>(), 5);
    EXPECT_TRUE(last.at("next").is_null()) << "no session after 5 yet";
    EXPECT_TRUE(all.at("next").is_null());

    const auto& s = list[0].as_object();
    EXPECT_EQ(s.at("peer").as_string(), "127.0.0.1:50001");
    EXPECT_EQ(s.at("local").as_string(), "127.0.0.1:2525");
    EXPECT_EQ(s.at("outcome").as_string(), "quit");
    EXPECT_TRUE(s.at("ended_at").is_string());
    EXPECT_EQ(s.at("started_at").as_string().back(), 'Z');
    EXPECT_EQ(s.at("tls").at("version").as_string(), "TLSv1.3");
    EXPECT_EQ(s.at("auth").as_string(), "alice");
    const auto& tr = s.at("transcript").as_array();
    ASSERT_EQ(tr.size(), 2u);
    EXPECT_EQ(tr[0].at("dir").as_string(), "S");
    EXPECT_EQ(tr[0].at("text").as_string(), "220 localhost ESMTP");
    EXPECT_NEAR(tr[0].at("t_ms").to_number<double>(), 2.0, 0.001);
    EXPECT_EQ(s.at("fired").as_array()[0].at("rule").as_string(), "r1");
    EXPECT_EQ(s.at("fired").as_array()[0].at("phase").as_string(), "banner");
    EXPECT_EQ(s.at("messages").as_array()[0].as_string(), "3");

    const auto& active = list[1].as_object();
    EXPECT_EQ(active.at("outcome").as_string(), "active");
    EXPECT_TRUE(active.at("ended_at").is_null());
    EXPECT_TRUE(active.at("tls").is_null());
    EXPECT_TRUE(active.at("auth").is_null());

    auto none = json(call("GET", "/api/v1/sessions?since=5"));
    EXPECT_EQ(none.at("sessions").as_array().size(), 0u);
    EXPECT_EQ(none.at("next_since").to_number<int>(), 5);
    EXPECT_TRUE(none.at("next").is_null());
    auto one = call("GET", "/api/v1/sessions/2");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(json(one).at("id").to_number<int>(), 2);
}

TEST_F(router_test, sessions_bad_parameters_are_400_naming_the_parameter)
{
    for (const char* q : {"since=abc", "since=-1", "since=", "since=1.5"}) {
        auto r = call("GET", std::string("/api/v1/sessions?") + q);
        EXPECT_EQ(r.status, 400) << q;
        EXPECT_EQ(error_path(r), "since") << q;
    }
    for (const char* q : {"limit=0", "limit=x", "limit=-3", "limit=99999999999999999999"}) {
        auto r = call("GET", std::string("/api/v1/sessions?") + q);
        EXPECT_EQ(r.status, 400) << q;
        EXPECT_EQ(error_path(r), "limit") << q;
    }
    auto r = call("GET", "/api/v1/sessions?sinse=1");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_path(r), "sinse");
    EXPECT_NE(json(r).at("error").at("message").as_string().find("since, limit"),
              std::string::npos);
}

TEST_F(router_test, a_page_is_capped_and_streamed_piece_by_piece)
{
    mock::session_registry many(mock::control::max_sessions_page + 50);
    state_.sessions = &many;
    auto t = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < mock::control::max_sessions_page + 20; ++i) {
        auto rec = many.create("127.0.0.1:4000", "127.0.0.1:2525", t);
        for (int line = 0; line < 20; ++line) {
            rec->add("C", std::string(100, 'x'), t);
        }
    }
    api_request r;
    r.method = "GET";
    r.target = "/api/v1/sessions?limit=10000";
    auto res = route(r, state_);
    ASSERT_TRUE(res.stream);
    std::string body;
    std::size_t pieces = 0;
    std::size_t largest = 0;
    for (auto piece = res.stream->next(); !piece.empty(); piece = res.stream->next()) {
        ++pieces;
        largest = std::max(largest, piece.size());
        body += piece;
    }
    EXPECT_GT(pieces, 10u) << "pulled in pieces, not built at once";
    EXPECT_LT(largest, 128u * 1024) << "a piece is bounded whatever the page size";
    auto page = boost::json::parse(body).as_object();
    EXPECT_EQ(page.at("sessions").as_array().size(), mock::control::max_sessions_page);
    const auto last = mock::control::max_sessions_page;
    EXPECT_EQ(page.at("next_since").to_number<std::uint64_t>(), last);
    EXPECT_EQ(page.at("next").as_string(),
              "/api/v1/sessions?since=" + std::to_string(last) + "&limit=" + std::to_string(last));
}

TEST_F(router_test, unknown_session_is_404)
{
    EXPECT_EQ(call("GET", "/api/v1/sessions/99").status, 404);
    EXPECT_EQ(call("GET", "/api/v1/sessions/abc").status, 404);
}

TEST_F(router_test, messages_metadata_raw_and_delete)
{
    auto id = add_message("a@example.com", {"b@example.com", "c@example.com"},
                          "Subject: hi\r\n\r\nbody\r\n");
    auto list = json(call("GET", "/api/v1/messages"));
    const auto& ms = list.at("messages").as_array();
    ASSERT_EQ(ms.size(), 1u);
    const auto& m = ms[0].as_object();
    EXPECT_EQ(m.at("id").as_string(), id);
    EXPECT_EQ(m.at("from").as_string(), "a@example.com");
    EXPECT_EQ(m.at("to").as_array().size(), 2u);
    EXPECT_EQ(m.at("to").as_array()[1].as_string(), "c@example.com");
    EXPECT_EQ(m.at("size").to_number<int>(), 21);
    EXPECT_EQ(m.at("received_at").as_string(), "2026-11-30T00:53:20.000Z");
    EXPECT_EQ(m.at("session").to_number<int>(), 7);
    EXPECT_EQ(m.at("tls").as_bool(), true);
    EXPECT_EQ(m.at("auth").as_string(), "alice");

    auto one = call("GET", "/api/v1/messages/" + id);
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(json(one), m);

    auto raw = call("GET", "/api/v1/messages/" + id + "/raw");
    EXPECT_EQ(raw.status, 200);
    EXPECT_EQ(raw.content_type, "message/rfc822");
    EXPECT_EQ(raw.body, "Subject: hi\r\n\r\nbody\r\n");

    EXPECT_EQ(call("GET", "/api/v1/messages/999").status, 404);
    EXPECT_EQ(call("GET", "/api/v1/messages/999/raw").status, 404);
    EXPECT_EQ(call("DELETE", "/api/v1/messages/999").status, 404);

    add_message("", {"d@example.com"}, "x\r\n");
    auto del = call("DELETE", "/api/v1/messages");
    EXPECT_EQ(del.status, 200);
    EXPECT_EQ(json(del).at("deleted").to_number<int>(), 2);
    EXPECT_EQ(store_.size(), 0u);
    EXPECT_EQ(json(call("GET", "/api/v1/messages")).at("messages").as_array().size(), 0u);
}

TEST_F(router_test, messages_carry_subject_and_header_fields_unfolded)
{
    auto id = add_message("a@x", {"b@x"},
                          "Subject: a long\r\n subject\r\nX-Tag:  t1\r\nSubject: second\r\n"
                          "\r\nSubject: not a header\r\n");
    auto m = json(call("GET", "/api/v1/messages/" + id));
    EXPECT_EQ(m.at("subject").as_string(), "a long subject");
    const auto& h = m.at("headers").as_array();
    ASSERT_EQ(h.size(), 3u);
    EXPECT_EQ(h[1].at("name").as_string(), "X-Tag");
    EXPECT_EQ(h[1].at("value").as_string(), "t1");
    EXPECT_EQ(h[2].at("value").as_string(), "second");
    auto none = add_message("a@x", {"b@x"}, "no header at all\r\n");
    EXPECT_TRUE(json(call("GET", "/api/v1/messages/" + none)).at("subject").is_null());
}

TEST_F(router_test, messages_filter_by_sender_and_recipient_case_insensitively)
{
    add_message("a@x", {"b@x", "c@y"}, "1\r\n");
    add_message("d@x", {"c@y"}, "2\r\n");
    auto ids = [this](const std::string& target) {
        std::vector<std::string> out;
        const auto list = json(call("GET", target));
        for (const auto& m : list.at("messages").as_array()) {
            out.emplace_back(m.at("id").as_string());
        }
        return out;
    };
    EXPECT_EQ(ids("/api/v1/messages?to=C@Y"), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(ids("/api/v1/messages?to=b@x"), (std::vector<std::string>{"1"}));
    EXPECT_EQ(ids("/api/v1/messages?from=d@x&to=c@y"), (std::vector<std::string>{"2"}));
    EXPECT_EQ(ids("/api/v1/messages?from=z@z"), (std::vector<std::string>{}));
}

TEST_F(router_test, wait_makes_a_long_poll_that_is_ready_once_the_messages_are_there)
{
    api_request r;
    r.method = "GET";
    r.target = "/api/v1/messages?wait=2.5&count=2&to=b@x";
    auto res = route(r, state_);
    ASSERT_TRUE(res.poll);
    EXPECT_EQ(res.poll->wait, 2500ms);
    EXPECT_FALSE(res.poll->ready());
    add_message("a@x", {"b@x"}, "1\r\n");
    add_message("a@x", {"other@x"}, "2\r\n");
    EXPECT_FALSE(res.poll->ready());
    add_message("a@x", {"b@x"}, "3\r\n");
    EXPECT_TRUE(res.poll->ready());
    auto answer = res.poll->answer();
    EXPECT_EQ(boost::json::parse(io::http::collect_body(answer)).at("messages").as_array().size(),
              2u);

    r.target = "/api/v1/sessions?since=0&wait=500ms";
    auto sessions = route(r, state_);
    ASSERT_TRUE(sessions.poll);
    EXPECT_EQ(sessions.poll->wait, 500ms);
    EXPECT_FALSE(sessions.poll->ready());
    sessions_.create("127.0.0.1:1", "127.0.0.1:25", now_);
    EXPECT_TRUE(sessions.poll->ready());

    r.target = "/api/v1/messages?wait=3600";
    EXPECT_EQ(route(r, state_).poll->wait, mock::control::max_wait);
}

TEST_F(router_test, a_long_poll_is_woken_by_each_stored_message_and_each_new_session)
{
    api_request r;
    r.method = "GET";
    r.target = "/api/v1/messages?wait=10&to=b@x";
    auto messages = route(r, state_);
    ASSERT_TRUE(messages.poll && messages.poll->watch);
    int woken = 0;
    auto subscription = messages.poll->watch([&] { ++woken; });
    add_message("a@x", {"other@x"}, "1\r\n");
    add_message("a@x", {"b@x"}, "2\r\n");
    EXPECT_EQ(woken, 2);
    subscription.reset();
    add_message("a@x", {"b@x"}, "3\r\n");
    EXPECT_EQ(woken, 2);

    r.target = "/api/v1/sessions?wait=10";
    auto sessions = route(r, state_);
    ASSERT_TRUE(sessions.poll && sessions.poll->watch);
    subscription = sessions.poll->watch([&] { ++woken; });
    sessions_.create("127.0.0.1:1", "127.0.0.1:25", now_);
    EXPECT_EQ(woken, 3);
}

TEST_F(router_test, a_bad_wait_or_count_is_a_400_naming_the_parameter)
{
    for (const char* t : {"/api/v1/messages?wait=soon", "/api/v1/messages?wait=-1",
                          "/api/v1/sessions?wait=", "/api/v1/messages?count=x"}) {
        auto r = call("GET", t);
        EXPECT_EQ(r.status, 400) << t;
        EXPECT_EQ(error_code(r), "invalid_query") << t;
        EXPECT_EQ(error_path(r),
                  std::string(t).find("count") != std::string::npos ? "count" : "wait")
            << t;
    }
}

TEST_F(router_test, deleted_sessions_are_neither_listed_nor_found)
{
    sessions_.create("127.0.0.1:1", "127.0.0.1:25", now_);
    sessions_.create("127.0.0.1:2", "127.0.0.1:25", now_);
    auto d = call("DELETE", "/api/v1/sessions");
    EXPECT_EQ(json(d).at("deleted").to_number<int>(), 2);
    EXPECT_EQ(json(call("DELETE", "/api/v1/sessions")).at("deleted").to_number<int>(), 0);
    EXPECT_EQ(call("GET", "/api/v1/sessions/2").status, 404);
    EXPECT_TRUE(json(call("GET", "/api/v1/sessions")).at("sessions").as_array().empty());
    sessions_.create("127.0.0.1:3", "127.0.0.1:25", now_);
    const auto page = json(call("GET", "/api/v1/sessions?since=0"));
    const auto& listed = page.at("sessions").as_array();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].at("id").to_number<int>(), 3);
}

TEST_F(router_test, reset_brings_back_a_fresh_start)
{
    ASSERT_EQ(call("PUT", "/api/v1/scenario",
                   R"({"name":"x","listener":"closed","rules":[{"when":{"phase":"mail"},)"
                   R"("do":{"reply":"451 later"}}]})")
                  .status,
              200);
    ASSERT_EQ(call("POST", "/api/v1/rules", R"({"when":{"phase":"rcpt"},"do":{"reply":"550 no"}})")
                  .status,
              201);
    add_message("a@x", {"b@x"}, "1\r\n");
    sessions_.create("127.0.0.1:1", "127.0.0.1:25", now_);
    modes_.clear();
    auto r = call("POST", "/api/v1/reset");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(json(r), (boost::json::object{{"messages_deleted", 1}, {"sessions_deleted", 1}}));
    EXPECT_EQ(json(call("GET", "/api/v1/scenario")).at("name").as_string(), "healthy");
    EXPECT_TRUE(json(call("GET", "/api/v1/rules")).at("rules").as_array().empty());
    EXPECT_EQ(json(call("GET", "/api/v1/listener")).at("state").as_string(), "open");
    EXPECT_EQ(modes_, (std::vector<mock::listener_mode>{mock::listener_mode::open}));
    EXPECT_EQ(store_.size(), 0u);
    EXPECT_TRUE(json(call("GET", "/api/v1/sessions")).at("sessions").as_array().empty());
}

TEST_F(router_test, stats_count_connections_sessions_messages_and_bytes)
{
    counters_.connections_accepted = 5;
    counters_.connections_active = 1;
    counters_.connections_refused = 2;
    counters_.bytes_received = 100;
    counters_.bytes_sent = 200;
    sessions_.count_outcome(mock::session_outcome::quit);
    sessions_.count_outcome(mock::session_outcome::quit);
    sessions_.count_outcome(mock::session_outcome::fault_closed);
    add_message("a@x", {"b@x"}, "m\r\n");
    auto o = json(call("GET", "/api/v1/stats"));
    EXPECT_EQ(o.at("connections").at("accepted").to_number<int>(), 5);
    EXPECT_EQ(o.at("connections").at("active").to_number<int>(), 1);
    EXPECT_EQ(o.at("connections").at("refused").to_number<int>(), 2);
    EXPECT_EQ(o.at("sessions").at("by_outcome").at("quit").to_number<int>(), 2);
    EXPECT_EQ(o.at("sessions").at("by_outcome").at("fault_closed").to_number<int>(), 1);
    EXPECT_EQ(o.at("sessions").at("by_outcome").at("client_closed").to_number<int>(), 0);
    EXPECT_EQ(o.at("messages").at("accepted").to_number<int>(), 1);
    EXPECT_EQ(o.at("messages").at("stored").to_number<int>(), 1);
    EXPECT_EQ(o.at("bytes").at("received").to_number<int>(), 100);
    EXPECT_EQ(o.at("bytes").at("sent").to_number<int>(), 200);
    EXPECT_EQ(o.at("faults_fired").to_number<int>(), 0);
}

TEST_F(router_test, metrics_are_prometheus_text_with_help_and_type)
{
    counters_.connections_accepted = 3;
    sessions_.count_outcome(mock::session_outcome::quit);
    ASSERT_EQ(call("POST", "/api/v1/rules",
                   R"({"id":"slow-banner.1","when":{"phase":"banner"},"do":{"delay":"1s"}})")
                  .status,
              201);
    auto r = call("GET", "/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
    const auto& b = r.body;
    EXPECT_NE(b.find("# HELP smtp_mock_connections_accepted_total "), std::string::npos);
    EXPECT_NE(b.find("# TYPE smtp_mock_connections_accepted_total counter\n"), std::string::npos);
    EXPECT_NE(b.find("\nsmtp_mock_connections_accepted_total 3\n"), std::string::npos);
    EXPECT_NE(b.find("smtp_mock_sessions_total{outcome=\"quit\"} 1\n"), std::string::npos);
    EXPECT_NE(b.find("smtp_mock_rule_fired_total{rule=\"slow-banner.1\"} 0\n"), std::string::npos)
        << b;
    EXPECT_NE(b.find("smtp_mock_listener_state{state=\"open\"} 1\n"), std::string::npos);
    // Every sample line belongs to a family announced with HELP and TYPE.
    std::istringstream lines(b);
    std::string line;
    std::set<std::string> typed;
    while (std::getline(lines, line)) {
        if (line.rfind("# TYPE ", 0) == 0) {
            typed.insert(line.substr(7, line.find(' ', 7) - 7));
        } else if (!line.empty() && line[0] != '#') {
            auto name = line.substr(0, line.find_first_of("{ "));
            EXPECT_TRUE(typed.count(name)) << name;
            EXPECT_EQ(name.rfind("smtp_mock_", 0), 0u) << name;
        }
    }
}

TEST_F(router_test, scenario_get_put_delete)
{
    auto got = call("GET", "/api/v1/scenario");
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(json(got).at("listener").as_string(), "open");

    const std::string yaml =
        "name: banner-421\nlistener: open\nrules:\n"
        "  - when: {phase: banner}\n    do: {reply: \"421 4.3.2 busy\", close: fin}\n";
    auto put = call("PUT", "/api/v1/scenario", yaml);
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(json(put).at("name").as_string(), "banner-421");
    EXPECT_EQ(controller_.current().name, "banner-421");
    ASSERT_EQ(controller_.rules().size(), 1u);
    ASSERT_EQ(modes_.size(), 1u);
    EXPECT_EQ(modes_.back(), mock::listener_mode::open);

    auto put_json =
        call("PUT", "/api/v1/scenario", R"({"name":"refused","listener":"closed","rules":[]})");
    ASSERT_EQ(put_json.status, 200) << put_json.body;
    EXPECT_EQ(modes_.back(), mock::listener_mode::closed);
    EXPECT_EQ(controller_.listener(), faults::listener_state::closed);

    auto del = call("DELETE", "/api/v1/scenario");
    EXPECT_EQ(del.status, 200);
    EXPECT_EQ(modes_.back(), mock::listener_mode::open);
    EXPECT_TRUE(controller_.rules().empty());
}

TEST_F(router_test, scenario_errors_keep_the_loader_position)
{
    auto bad = call("PUT", "/api/v1/scenario",
                    "name: x\nrules:\n  - when: {phase: banner}\n    do: {close: fn}\n");
    EXPECT_EQ(bad.status, 400);
    auto e = json(bad).at("error").as_object();
    EXPECT_EQ(e.at("code").as_string(), "invalid_scenario");
    EXPECT_EQ(e.at("path").as_string(), "rules[0].do.close");
    EXPECT_EQ(e.at("line").to_number<int>(), 4);
    EXPECT_GT(e.at("column").to_number<int>(), 0);
    EXPECT_NE(e.at("message").as_string().find("fin"), std::string::npos);

    auto syntax = call("PUT", "/api/v1/scenario", "name: [unclosed\n");
    EXPECT_EQ(syntax.status, 400);
    EXPECT_EQ(error_code(syntax), "scenario_syntax");

    auto malformed = call("PUT", "/api/v1/scenario", R"({"name": "x",)");
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(error_code(malformed), "malformed_json");

    auto empty = call("PUT", "/api/v1/scenario", "");
    EXPECT_EQ(empty.status, 400);

    auto unknown = call("PUT", "/api/v1/scenario", R"({"name":"x","rulez":[]})");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(error_path(unknown), "rulez");
    // Nothing changed.
    EXPECT_EQ(controller_.current().name, faults::healthy_scenario().name);
    EXPECT_TRUE(modes_.empty());
}

TEST_F(router_test, rules_add_list_get_delete)
{
    auto post = call("POST", "/api/v1/rules",
                     R"({"when":{"phase":"mail"},"do":{"reply":"451 4.3.0 try later"}})");
    ASSERT_EQ(post.status, 201) << post.body;
    auto id = std::string(json(post).at("id").as_string());
    EXPECT_EQ(post.header("Location"), "/api/v1/rules/" + id);
    EXPECT_EQ(json(post).at("fired").to_number<int>(), 0);

    auto yaml = call("POST", "/api/v1/rules", "id: greet\nwhen: {phase: ehlo}\ndo: {hang: true}\n");
    ASSERT_EQ(yaml.status, 201) << yaml.body;
    EXPECT_EQ(json(yaml).at("id").as_string(), "greet");

    auto dup = call("POST", "/api/v1/rules", "id: greet\nwhen: {phase: ehlo}\ndo: {hang: true}\n");
    EXPECT_EQ(dup.status, 409);
    EXPECT_EQ(error_path(dup), "id");

    auto list = json(call("GET", "/api/v1/rules"));
    ASSERT_EQ(list.at("rules").as_array().size(), 2u);
    EXPECT_EQ(list.at("rules").as_array()[1].at("id").as_string(), "greet");

    EXPECT_EQ(call("GET", "/api/v1/rules/greet").status, 200);
    EXPECT_EQ(call("GET", "/api/v1/rules/none").status, 404);
    EXPECT_EQ(call("DELETE", "/api/v1/rules/greet").status, 200);
    EXPECT_EQ(call("DELETE", "/api/v1/rules/greet").status, 404);
    EXPECT_EQ(controller_.rules().size(), 1u);

    auto bad = call("POST", "/api/v1/rules", R"({"when":{"phase":"banr"},"do":{"hang":true}})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(error_path(bad), "when.phase");
    auto wrong_type =
        call("POST", "/api/v1/rules", R"({"when":{"phase":"mail"},"do":{"hang":"yes"}})");
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_EQ(error_path(wrong_type), "do.hang");
    EXPECT_EQ(call("POST", "/api/v1/rules", "{").status, 400);
    auto bad_id = call("POST", "/api/v1/rules", R"({"id":"a b","when":{},"do":{"hang":true}})");
    EXPECT_EQ(bad_id.status, 400);
    EXPECT_EQ(error_path(bad_id), "id");
}

TEST_F(router_test, rule_fire_counts_are_listed)
{
    call("POST", "/api/v1/rules",
         R"({"id":"b","when":{"phase":"banner"},"do":{"reply":"554 no"}})");
    auto decider = controller_.open_session(1, "127.0.0.1", now_);
    auto a = decider->decide({smtp::phase::banner, "", ""}, now_);
    ASSERT_FALSE(a.healthy());
    auto list = json(call("GET", "/api/v1/rules"));
    EXPECT_EQ(list.at("rules").as_array()[0].at("fired").to_number<int>(), 1);
    EXPECT_EQ(list.at("faults_fired").to_number<int>(), 1);
    EXPECT_EQ(json(call("GET", "/api/v1/stats")).at("faults_fired").to_number<int>(), 1);
    EXPECT_NE(call("GET", "/metrics").body.find("smtp_mock_rule_fired_total{rule=\"b\"} 1\n"),
              std::string::npos);
}

TEST_F(router_test, listener_put_validates_the_body)
{
    auto ok = call("PUT", "/api/v1/listener", R"({"state":"blackhole"})");
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(json(ok).at("state").as_string(), "blackhole");
    ASSERT_EQ(modes_.size(), 1u);
    EXPECT_EQ(modes_[0], mock::listener_mode::blackhole);
    EXPECT_EQ(json(call("GET", "/api/v1/listener")).at("state").as_string(), "blackhole");
    EXPECT_EQ(controller_.current().listener, faults::listener_state::blackhole);

    struct case_t {
        const char* body;
        int status;
        const char* code;
        const char* path;
    };
    for (const auto& c : std::vector<case_t>{
             {R"({"state":"open")", 400, "malformed_json", ""},
             {"not json", 400, "malformed_json", ""},
             {"", 400, "missing_field", "state"},
             {R"(["open"])", 400, "wrong_type", ""},
             {R"({"state":1})", 400, "wrong_type", "state"},
             {R"({"state":"open","extra":true})", 400, "unknown_field", "extra"},
             {R"({})", 400, "missing_field", "state"},
             {R"({"state":"ajar"})", 400, "invalid_value", "state"},
         }) {
        auto r = call("PUT", "/api/v1/listener", c.body);
        EXPECT_EQ(r.status, c.status) << c.body;
        EXPECT_EQ(error_code(r), c.code) << c.body;
        EXPECT_EQ(error_path(r), c.path) << c.body;
    }
    EXPECT_EQ(modes_.size(), 1u);
}

TEST_F(router_test, listener_put_closes_the_mailbox_listeners_apart_from_smtp)
{
    auto r = call("PUT", "/api/v1/listener", R"({"mailbox":"closed"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json(r), (boost::json::object{{"state", "open"}, {"mailbox", "closed"}}));
    EXPECT_TRUE(modes_.empty()); // SMTP untouched
    EXPECT_EQ(mailbox_modes_, (std::vector<mock::listener_mode>{mock::listener_mode::closed}));
    EXPECT_EQ(controller_.current().mailbox_listener, faults::listener_state::closed);
    EXPECT_EQ(json(call("GET", "/api/v1/listener")).at("mailbox").as_string(), "closed");

    // A black hole is an SMTP fault only; a bad mailbox state changes neither listener.
    for (const char* body : {R"({"mailbox":"blackhole"})", R"({"state":"closed","mailbox":"x"})"}) {
        auto bad = call("PUT", "/api/v1/listener", body);
        EXPECT_EQ(bad.status, 400) << body;
        EXPECT_EQ(error_code(bad), "invalid_value") << body;
        EXPECT_EQ(error_path(bad), "mailbox") << body;
    }
    EXPECT_TRUE(modes_.empty());
    EXPECT_EQ(controller_.listener(), faults::listener_state::open);

    // A scenario sets both; the healthy one opens both.
    ASSERT_EQ(call("PUT", "/api/v1/scenario",
                   R"({"name":"m","listener":"open","mailbox_listener":"closed","rules":[]})")
                  .status,
              200);
    EXPECT_EQ(mailbox_modes_.back(), mock::listener_mode::closed);
    EXPECT_EQ(json(call("GET", "/api/v1/scenario")).at("mailbox_listener").as_string(), "closed");
    ASSERT_EQ(call("DELETE", "/api/v1/scenario").status, 200);
    EXPECT_EQ(mailbox_modes_.back(), mock::listener_mode::open);
    EXPECT_EQ(controller_.mailbox_listener(), faults::listener_state::open);
}

TEST_F(router_test, without_an_engine_the_fault_endpoints_are_501)
{
    state_.faults = nullptr;
    for (auto [m, t] : std::vector<std::pair<const char*, const char*>>{
             {"GET", "/api/v1/scenario"},
             {"PUT", "/api/v1/scenario"},
             {"DELETE", "/api/v1/scenario"},
             {"GET", "/api/v1/rules"},
             {"POST", "/api/v1/rules"},
             {"DELETE", "/api/v1/rules/r1"},
             {"PUT", "/api/v1/listener"},
         }) {
        auto r = call(m, t, "{}");
        EXPECT_EQ(r.status, 501) << m << " " << t;
        EXPECT_EQ(error_code(r), "not_implemented");
    }
    EXPECT_EQ(call("GET", "/api/v1/stats").status, 200);
    EXPECT_EQ(call("GET", "/metrics").status, 200);
}

TEST_F(router_test, ports_lists_the_scenario_listeners_or_none)
{
    EXPECT_EQ(call("GET", "/api/v1/ports").body, "{\"ports\":[]}\n");
    state_.ports = [] {
        return boost::json::array{boost::json::object{{"scenario", "banner-421"}, {"port", 30000}}};
    };
    auto r = call("GET", "/api/v1/ports");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "{\"ports\":[{\"scenario\":\"banner-421\",\"port\":30000}]}\n");
    EXPECT_EQ(call("PUT", "/api/v1/ports", "{}").status, 405);
}

} // namespace
