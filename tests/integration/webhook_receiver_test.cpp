// The harness's webhook receiver over loopback: it records POSTs under /hook/ with their time,
// and has the access rules of every HTTP service (Host, Origin, content type, framing).

#include "harness/alerts/webhook_receiver.hpp"
#include "http_test_client.hpp"
#include "io/http_client.hpp"

#include <gtest/gtest.h>

namespace {

using integration::count_of;
using integration::get;
using integration::raw_http;
using integration::send_body;

std::uint16_t port_of(const std::string& base_url)
{
    return static_cast<std::uint16_t>(std::stoi(base_url.substr(base_url.rfind(':') + 1)));
}

TEST(webhook_receiver, records_posts_under_hook_with_their_time)
{
    const auto epoch = std::chrono::steady_clock::now();
    harness::alerts::webhook_receiver receiver(epoch);
    auto ok = io::http::fetch(send_body("POST", receiver.base_url() + "/hook/ops", R"([{"a":1}])"));
    ASSERT_FALSE(ok.ec) << ok.error;
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(io::http::fetch(send_body("POST", receiver.base_url() + "/elsewhere", "{}")).status,
              404);
    EXPECT_EQ(io::http::fetch(get(receiver.base_url() + "/hook/ops")).status, 405);
    auto got = receiver.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].target, "/hook/ops");
    EXPECT_EQ(got[0].body, R"([{"a":1}])");
    EXPECT_GE(got[0].t.count(), 0);
    receiver.stop();
}

TEST(webhook_receiver, refuses_what_a_hostile_page_or_a_smuggler_sends)
{
    harness::alerts::webhook_receiver receiver(std::chrono::steady_clock::now());
    const auto port = port_of(receiver.base_url());
    const auto host = "127.0.0.1:" + std::to_string(port);
    auto text_plain =
        io::http::fetch(send_body("POST", receiver.base_url() + "/hook/x", "{}", "text/plain"));
    EXPECT_EQ(text_plain.status, 415);
    auto foreign =
        io::http::fetch(send_body("POST", receiver.base_url() + "/hook/x", "{}", "application/json",
                                  {{"Origin", "https://evil.example"}}));
    EXPECT_EQ(foreign.status, 403);
    {
        raw_http c(port);
        c.send("POST /hook/x HTTP/1.1\r\nHost: evil.example:" + std::to_string(port) +
               "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        EXPECT_EQ(c.read_to_close().rfind("HTTP/1.1 403", 0), 0u) << c.received();
    }
    {
        raw_http c(port);
        c.send("POST /hook/x HTTP/1.1\r\nHost: " + host +
               "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
               "POST /hook/smuggled HTTP/1.1\r\nHost: " +
               host + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        auto& got = c.read_to_close();
        EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
        EXPECT_EQ(count_of(got, "HTTP/1.1 "), 1u);
        EXPECT_TRUE(c.closed());
    }
    EXPECT_TRUE(receiver.received().empty());
}

} // namespace
