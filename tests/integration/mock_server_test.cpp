// The real smtp-mock driver over loopback: listeners, worker threads, listener modes, live
// scenario swaps and graceful stop.
#include "loopback_client.hpp"

#include "faults/controller.hpp"
#include "faults/scenario_loader.hpp"
#include "mockserver/mock_app.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using integration::loopback_client;

namespace {

mock::server_options loopback_options()
{
    auto o = mock::embedded_options();
    o.seed = 1;
    o.grace = 2s;
    return o;
}

std::uint16_t port_of(const mock::mock_app& app)
{
    return app.endpoints().smtp.at(0).port();
}

} // namespace

TEST(mock_server, a_full_dialogue_is_captured_byte_exact)
{
    mock::mock_app app(loopback_options());
    app.start();
    loopback_client c(port_of(app), 2s);
    ASSERT_EQ(c.error(), 0);
    EXPECT_EQ(c.reply().value_or(""), "220 localhost ESMTP smtp-mock ready\r\n");
    EXPECT_EQ(c.command("EHLO integration").value_or("").substr(0, 4), "250-");
    EXPECT_EQ(c.command("MAIL FROM:<a@example.com>"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(c.command("RCPT TO:<b@example.com>"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(c.command("DATA").value_or("").substr(0, 3), "354");
    c.send("Subject: i\r\n\r\n..dot\r\nbody\r\n.\r\n");
    EXPECT_EQ(c.reply().value_or("").substr(0, 30), "250 2.0.0 Ok: queued as 1\r\n");
    EXPECT_EQ(c.command("QUIT"), "221 2.0.0 Bye\r\n");
    auto messages = app.store().list();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0]->data, "Subject: i\r\n\r\n.dot\r\nbody\r\n");
}

TEST(mock_server, closed_listener_refuses_and_reopens)
{
    mock::mock_app app(loopback_options());
    app.start();
    auto port = port_of(app);
    app.smtp().set_listener_mode(mock::listener_mode::closed);
    loopback_client refused(port, 2s);
    EXPECT_EQ(refused.error(), ECONNREFUSED);
    app.smtp().set_listener_mode(mock::listener_mode::open);
    loopback_client again(port, 2s);
    ASSERT_EQ(again.error(), 0);
    EXPECT_TRUE(again.reply().has_value());
}

TEST(mock_server, blackhole_listener_makes_connect_time_out)
{
    mock::mock_app app(loopback_options());
    app.start();
    auto port = port_of(app);
    app.smtp().set_listener_mode(mock::listener_mode::blackhole);
    auto started = std::chrono::steady_clock::now();
    loopback_client c(port, 500ms);
    EXPECT_EQ(c.error(), ETIMEDOUT);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 450ms);
    app.smtp().set_listener_mode(mock::listener_mode::open);
    loopback_client again(port, 2s);
    ASSERT_EQ(again.error(), 0);
    EXPECT_TRUE(again.reply().has_value());
}

TEST(mock_server, a_live_swap_reaches_new_connections_and_spares_open_ones)
{
    mock::mock_app app(loopback_options());
    app.start();
    auto port = port_of(app);
    loopback_client before(port, 2s);
    ASSERT_TRUE(before.reply().has_value());
    app.faults().replace(faults::load_scenario(
                             "name: no-banner\nrules:\n  - when: {phase: [banner, ehlo]}\n"
                             "    do: {hang: true}\n",
                             "inline.yaml"),
                         std::chrono::steady_clock::now());
    loopback_client after(port, 2s);
    ASSERT_EQ(after.error(), 0);
    EXPECT_FALSE(after.reply(400ms).has_value()); // the banner never comes
    // The session opened before the swap keeps the healthy scenario it started with.
    EXPECT_EQ(before.command("EHLO old").value_or("").substr(0, 4), "250-");
}

TEST(mock_server, stop_tells_idle_sessions_421)
{
    mock::mock_app app(loopback_options());
    app.start();
    loopback_client c(port_of(app), 2s);
    ASSERT_TRUE(c.reply().has_value());
    std::thread stopper([&] { app.stop(); });
    EXPECT_EQ(c.reply().value_or(""), "421 4.3.2 localhost Service shutting down\r\n");
    stopper.join();
}

TEST(mock_server, worker_threads_serve_concurrent_sessions)
{
    auto options = loopback_options();
    options.threads = 4;
    mock::mock_app app(options);
    app.start();
    auto port = port_of(app);
    std::atomic<int> accepted{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 40; ++i) {
        clients.emplace_back([&, i] {
            loopback_client c(port, 2s);
            c.reply();
            c.send("EHLO t\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
            for (int k = 0; k < 4; ++k) {
                c.reply();
            }
            c.send("Subject: " + std::to_string(i) + "\r\n\r\nx\r\n.\r\n");
            if (c.reply().value_or("").substr(0, 3) == "250") {
                ++accepted;
            }
        });
    }
    for (auto& t : clients) {
        t.join();
    }
    EXPECT_EQ(accepted.load(), 40);
    EXPECT_EQ(app.store().size(), 40u);
}
