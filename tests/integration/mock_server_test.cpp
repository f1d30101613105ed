// The real smtp-mock driver over loopback: listeners, worker threads, listener modes, live
// scenario swaps and graceful stop.
#include "faults/controller.hpp"
#include "faults/scenario_loader.hpp"
#include "loopback_client.hpp"
#include "mockserver/control/controller_fault_source.hpp"
#include "mockserver/mock_app.hpp"
#include "tests/support/wait_for.hpp"

#include <algorithm>
#include <atomic>
#include <gtest/gtest.h>
#include <mutex>
#include <sys/socket.h>
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

std::uint16_t port_of(const mock::server& smtp)
{
    return smtp.smtp_endpoints().at(0).port();
}

std::uint16_t port_of(const mock::mock_app& app)
{
    return app.endpoints().smtp.at(0).port();
}

// Sends one message on a greeted connection; returns the reply to the final dot.
std::string send_message(loopback_client& c, int n)
{
    c.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
    for (int k = 0; k < 3; ++k) {
        c.reply();
    }
    c.send("Subject: " + std::to_string(n) + "\r\n\r\nbody\r\n.\r\n");
    return c.reply(5s).value_or("");
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
    app.faults().replace(
        faults::load_scenario("name: no-banner\nrules:\n  - when: {phase: [banner, ehlo]}\n"
                              "    do: {hang: true}\n",
                              "inline.yaml"),
        std::chrono::steady_clock::now());
    loopback_client after(port, 2s);
    ASSERT_EQ(after.error(), 0);
    EXPECT_FALSE(after.reply(400ms).has_value()); // the banner never comes
    // The session opened before the swap keeps the healthy scenario it started with.
    EXPECT_EQ(before.command("EHLO old").value_or("").substr(0, 4), "250-");
}

TEST(mock_server, a_hang_discards_what_the_client_sends_until_it_closes)
{
    mock::mock_app app(loopback_options());
    app.start();
    app.set_scenario(faults::load_scenario(
        "name: no-banner\nrules:\n  - when: {phase: banner}\n    do: {hang: true}\n",
        "inline.yaml"));
    {
        loopback_client c(port_of(app), 2s);
        ASSERT_EQ(c.error(), 0);
        // More than the server reads at once, so that the hang discards it in several reads.
        c.send("EHLO held\r\n" + std::string(200000, 'x') + "\r\n");
        EXPECT_FALSE(c.reply(300ms).has_value()); // nothing comes back, whatever arrives
    }                                             // the client closes
    auto ended_by_client = [&] {
        auto sessions = app.smtp().sessions().list(0, 10);
        return sessions.size() == 1 &&
               sessions.front()->outcome() == mock::session_outcome::client_closed;
    };
    EXPECT_TRUE(support::wait_for(ended_by_client, 5s));
    EXPECT_EQ(app.smtp().counters().bytes_sent.load(), 0u);
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

TEST(mock_server, a_slow_store_delays_neither_other_sessions_nor_fault_timing)
{
    // Every store takes 200 ms, as a slow disk's fsync would; one worker thread serves all.
    std::atomic<int> stores{0};
    mock::message_store store([&](const mock::captured_message&) {
        std::this_thread::sleep_for(200ms);
        ++stores;
    });
    faults::controller controller(
        faults::load_scenario("name: slow-banner\nrules:\n  - when: {phase: banner}\n"
                              "    do: {delay: 300ms}\n",
                              "inline.yaml"),
        1, std::chrono::steady_clock::now());
    mock::control::controller_fault_source faults(controller);
    auto options = loopback_options();
    options.threads = 1;
    mock::server smtp(options, &faults, store);
    smtp.start();
    const auto port = port_of(smtp);

    // Four clients send five messages each, keeping the store busy for seconds.
    std::atomic<int> accepted{0};
    std::vector<std::thread> senders;
    for (int i = 0; i < 4; ++i) {
        senders.emplace_back([&, i] {
            loopback_client c(port, 2s);
            c.reply(2s);
            c.command("EHLO sender");
            for (int m = 0; m < 5; ++m) {
                if (send_message(c, i * 10 + m).substr(0, 4) == "250 ") {
                    ++accepted;
                }
            }
            c.command("QUIT");
        });
    }
    // Meanwhile other clients measure the banner delay: 300 ms, whatever the store does.
    ASSERT_TRUE(support::wait_for([&] { return stores.load() > 0; }, 5s));
    std::vector<std::chrono::milliseconds> delays;
    for (int probe = 0; probe < 10 && stores.load() < 18; ++probe) {
        loopback_client c(port, 2s);
        auto connected = std::chrono::steady_clock::now();
        auto banner = c.reply(3s);
        delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - connected));
        EXPECT_EQ(banner.value_or("").substr(0, 4), "220 ");
    }
    for (auto& t : senders) {
        t.join();
    }
    ASSERT_GE(delays.size(), 3u);
    for (auto d : delays) {
        EXPECT_GE(d, 295ms);
        EXPECT_LE(d, 450ms) << "a banner delay of 300 ms took " << d.count() << " ms";
    }
    // Every accepted message is kept.
    EXPECT_EQ(accepted.load(), 20);
    EXPECT_EQ(store.size(), 20u);
    smtp.stop();
}

TEST(mock_server, the_peer_address_is_kept_even_when_the_client_resets_at_once)
{
    mock::mock_app app(loopback_options());
    app.start();
    const auto port = port_of(app);
    for (int i = 0; i < 50; ++i) {
        loopback_client c(port, 2s);
        ASSERT_EQ(c.error(), 0);
        c.reset();
    }
    ASSERT_TRUE(support::wait_for(
        [&] {
            return app.smtp().counters().connections_active.load() == 0 &&
                   app.smtp().sessions().total() == 50;
        },
        10s));
    for (const auto& record : app.smtp().sessions().list(0, 100)) {
        auto r = record->read();
        EXPECT_EQ(r.peer.rfind("127.0.0.1:", 0), 0u) << r.peer;
        EXPECT_NE(r.peer, "127.0.0.1:0");
        EXPECT_NE(r.outcome, mock::session_outcome::active);
    }
}

TEST(mock_server, a_stop_lets_a_transaction_in_progress_finish_within_the_grace_period)
{
    auto options = loopback_options();
    options.grace = 5s;
    mock::mock_app app(options);
    app.start();
    loopback_client busy(port_of(app), 2s);
    loopback_client idle(port_of(app), 2s);
    busy.reply();
    idle.reply();
    busy.command("EHLO busy");
    busy.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
    for (int k = 0; k < 3; ++k) {
        busy.reply();
    }
    busy.send("Subject: in flight\r\n\r\nfirst half\r\n");
    auto started = std::chrono::steady_clock::now();
    std::thread stopper([&] { app.stop(); });
    // The idle session is told at once; the busy one finishes its message.
    EXPECT_EQ(idle.reply(2s).value_or(""), "421 4.3.2 localhost Service shutting down\r\n");
    std::this_thread::sleep_for(300ms);
    busy.send("second half\r\n.\r\n");
    EXPECT_EQ(busy.reply(2s).value_or("").substr(0, 27), "250 2.0.0 Ok: queued as 1\r\n");
    EXPECT_EQ(busy.reply(2s).value_or(""), "421 4.3.2 localhost Service shutting down\r\n");
    busy.reset();
    idle.reset();
    stopper.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    ASSERT_EQ(app.store().size(), 1u);
    EXPECT_EQ(app.store().list()[0]->data,
              "Subject: in flight\r\n\r\nfirst half\r\nsecond half\r\n");
}
