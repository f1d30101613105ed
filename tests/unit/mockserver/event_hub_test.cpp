// The live event hub of smtp-mock: nothing is built with nobody subscribed, every subscriber gets
// every event numbered in order, a full queue drops and says so once (and while every queue is
// full events are only counted), a subscriber is woken once per batch, and the session record
// gathers what a session does and publishes it at once.

#include "mockserver/event_hub.hpp"
#include "mockserver/session_record.hpp"
#include "mockserver/session_registry.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace {

using mock::event_hub;

boost::json::object parse(const std::string& text)
{
    return boost::json::parse(text).as_object();
}

std::vector<std::string> types(const std::vector<std::string>& events)
{
    std::vector<std::string> out;
    for (const auto& e : events) {
        out.emplace_back(parse(e).at("type").as_string());
    }
    return out;
}

TEST(event_hub, is_inactive_without_subscribers_and_publishes_nothing)
{
    event_hub hub;
    EXPECT_FALSE(hub.active());
    hub.publish({{"type", "x"}});
    EXPECT_EQ(hub.last_seq(), 0u);
    {
        auto s = hub.subscribe({});
        EXPECT_TRUE(hub.active());
    }
    EXPECT_FALSE(hub.active());
}

TEST(event_hub, every_subscriber_gets_every_event_numbered_in_order)
{
    event_hub hub;
    auto a = hub.subscribe({});
    auto b = hub.subscribe({});
    hub.publish({{"type", "one"}});
    hub.publish({{"type", "two"}});
    for (auto* s : {a.get(), b.get()}) {
        auto got = s->take();
        ASSERT_EQ(types(got), (std::vector<std::string>{"hello", "one", "two"}));
        EXPECT_EQ(parse(got[1]).at("seq").to_number<std::uint64_t>() + 1,
                  parse(got[2]).at("seq").to_number<std::uint64_t>());
        EXPECT_TRUE(s->take().empty());
    }
}

TEST(event_hub, a_hello_carries_the_sequence_number_so_far)
{
    event_hub hub;
    auto a = hub.subscribe({});
    hub.publish({{"type", "one"}});
    auto b = hub.subscribe({});
    EXPECT_EQ(parse(b->take().at(0)).at("seq").to_number<std::uint64_t>(), hub.last_seq());
}

TEST(event_hub, a_full_queue_drops_what_does_not_fit_and_says_so_once)
{
    event_hub hub;
    auto s = hub.subscribe({}, 200);
    for (int i = 0; i < 50; ++i) {
        hub.publish({{"type", "filler"}, {"i", i}});
    }
    auto got = s->take();
    ASSERT_GE(got.size(), 2u);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i + 1 < got.size(); ++i) {
        bytes += got[i].size();
    }
    EXPECT_LE(bytes, 200u);
    const auto lag = parse(got.back());
    EXPECT_EQ(lag.at("type").as_string(), "lagged");
    EXPECT_EQ(lag.at("dropped").to_number<std::uint64_t>(), 50u + 1 - (got.size() - 1));
    // After the notice the queue takes events again, with no second notice.
    hub.publish({{"type", "after"}});
    EXPECT_EQ(types(s->take()), std::vector<std::string>{"after"});
}

TEST(event_hub, a_subscriber_is_woken_once_until_it_takes)
{
    event_hub hub;
    int wakes = 0;
    auto s = hub.subscribe([&wakes] { ++wakes; });
    hub.publish({{"type", "one"}});
    hub.publish({{"type", "two"}});
    EXPECT_EQ(wakes, 1); // the hello woke it; nothing more until it takes
    s->take();
    hub.publish({{"type", "three"}});
    EXPECT_EQ(wakes, 2);
}

TEST(event_hub, a_session_record_publishes_lines_phases_faults_messages_and_its_end)
{
    event_hub hub;
    mock::session_registry registry(10);
    registry.set_events(&hub);
    auto s = hub.subscribe({});
    const auto t0 = std::chrono::steady_clock::now();
    auto record = registry.create("127.0.0.1:5000", "127.0.0.1:25", t0);
    record->note_phase(smtp::phase::banner, t0);
    record->add("S", "220 ready", t0);
    record->add("C", "RCPT TO:<a@b>", t0 + std::chrono::milliseconds(5));
    record->note_phase(smtp::phase::rcpt, t0 + std::chrono::milliseconds(5));
    record->note_phase(smtp::phase::rcpt, t0 + std::chrono::milliseconds(5));
    record->add_fired({"r1", smtp::phase::rcpt}, "send 550", t0 + std::chrono::milliseconds(5));
    record->add_message("m1");
    record->finish(mock::session_outcome::quit, mock::session_closer::server,
                   t0 + std::chrono::milliseconds(7));
    record->finish(mock::session_outcome::error, mock::session_closer::server,
                   t0 + std::chrono::milliseconds(8));
    EXPECT_EQ(types(s->take()), std::vector<std::string>{"hello"}); // gathered, not yet sent
    record->flush_events();
    auto got = s->take();
    ASSERT_EQ(types(got), (std::vector<std::string>{"session_opened", "phase", "reply", "command",
                                                    "phase", "fault", "message", "session_ended"}));
    const auto command = parse(got[3]);
    EXPECT_EQ(command.at("session").to_number<std::uint64_t>(), record->id());
    EXPECT_DOUBLE_EQ(command.at("t_ms").to_number<double>(), 5.0);
    EXPECT_EQ(command.at("text").as_string(), "RCPT TO:<a@b>");
    const auto fault = parse(got[5]);
    EXPECT_EQ(fault.at("rule").as_string(), "r1");
    EXPECT_EQ(fault.at("phase").as_string(), "rcpt");
    EXPECT_EQ(fault.at("effect").as_string(), "send 550");
    EXPECT_EQ(parse(got[7]).at("outcome").as_string(), "quit");
}

TEST(event_hub, an_escaped_line_reads_in_its_event_as_in_the_transcript_also_once_that_is_full)
{
    event_hub hub;
    auto s = hub.subscribe({});
    (void)s->take(); // hello
    const auto t0 = std::chrono::steady_clock::now();
    mock::session_record record(1, "127.0.0.1:5000", "127.0.0.1:25",
                                std::chrono::system_clock::now(), t0, &hub);
    const std::string line = "MAIL FROM:<\"a\\b\"@c>\x01\xff\t";
    const std::string escaped = "MAIL FROM:<\"a\\\\b\"@c>\\x01\\xff\\t";
    for (std::size_t i = 0; i <= mock::session_record::max_entries; ++i) {
        record.add_escaped(i % 2 == 0 ? "C" : "S", line, t0);
    }
    record.flush_events();
    const auto got = s->take();
    ASSERT_EQ(got.size(), mock::session_record::max_entries + 1); // the last one beyond the full
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto e = parse(got[i]);
        EXPECT_EQ(e.at("type").as_string(), i % 2 == 0 ? "command" : "reply");
        EXPECT_EQ(e.at("text").as_string(), escaped) << i;
    }
    const auto kept = record.read();
    EXPECT_EQ(kept.transcript.back().text, escaped);
    EXPECT_EQ(kept.dropped_entries, 1u);
}

TEST(event_hub, a_session_event_reads_as_its_fields_in_order_the_same_for_every_subscriber)
{
    event_hub hub;
    auto a = hub.subscribe({});
    auto b = hub.subscribe({});
    mock::event_batch batch;
    batch.add("session_opened", 7, std::nullopt,
              {{"peer", "127.0.0.1:5000"}, {"local", "127.0.0.1:25"}});
    batch.add("reply", 7, std::chrono::microseconds(1500), {{"text", "250 \"ok\" \x01"}});
    hub.publish(batch);
    const auto got = a->take();
    EXPECT_EQ(got, b->take());
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[1], R"({"type":"session_opened","session":7,"peer":"127.0.0.1:5000",)"
                      R"("local":"127.0.0.1:25","seq":1})");
    const auto reply = parse(got[2]);
    EXPECT_EQ(reply.at("text").as_string(), "250 \"ok\" \x01");
    EXPECT_DOUBLE_EQ(reply.at("t_ms").to_number<double>(), 1.5);
    EXPECT_EQ(reply.at("seq").to_number<std::uint64_t>(), 2u);
}

TEST(event_hub, a_batch_is_one_hand_off_numbered_in_order_and_left_for_its_owner_to_clear)
{
    event_hub hub;
    int wakes = 0;
    auto s = hub.subscribe([&wakes] { ++wakes; });
    s->take();
    mock::event_batch batch;
    for (int i = 0; i < 3; ++i) {
        batch.add("note", 1, std::chrono::milliseconds(i), {{"text", "line"}});
    }
    hub.publish(batch);
    EXPECT_EQ(wakes, 2); // the hello, then the batch once
    EXPECT_EQ(batch.size(), 3u);
    const auto lines = s->take_lines();
    EXPECT_EQ(lines, R"({"type":"note","session":1,"t_ms":0,"text":"line","seq":1})"
                     "\n"
                     R"({"type":"note","session":1,"t_ms":1,"text":"line","seq":2})"
                     "\n"
                     R"({"type":"note","session":1,"t_ms":2,"text":"line","seq":3})"
                     "\n");
    batch.clear();
    EXPECT_TRUE(batch.empty());
    hub.publish(batch); // an empty batch numbers nothing and wakes no one
    EXPECT_EQ(hub.last_seq(), 3u);
    EXPECT_EQ(wakes, 2);
}

TEST(event_hub, with_every_queue_full_a_record_only_counts_its_events_until_one_is_read)
{
    event_hub hub;
    mock::session_registry registry(10);
    registry.set_events(&hub);
    auto s = hub.subscribe({}, 300);
    EXPECT_TRUE(hub.accepting());
    const auto t0 = std::chrono::steady_clock::now();
    auto record = registry.create("127.0.0.1:5000", "127.0.0.1:25", t0);
    for (int i = 0; i < 20; ++i) {
        record->add("C", "NOOP", t0);
    }
    record->flush_events();
    EXPECT_FALSE(hub.accepting()); // an event did not fit
    record->add("S", "250 2.0.0 Ok", t0);
    record->add("C", "QUIT", t0);
    record->flush_events();
    EXPECT_EQ(hub.last_seq(), 23u); // counted and numbered all the same
    auto got = s->take();
    const auto lag = parse(got.back());
    EXPECT_EQ(lag.at("type").as_string(), "lagged");
    EXPECT_EQ(lag.at("dropped").to_number<std::uint64_t>(), 23u + 1 - (got.size() - 1));
    EXPECT_TRUE(hub.accepting()); // read: room again
    record->add("S", "221 2.0.0 Bye", t0);
    record->flush_events();
    got = s->take();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(parse(got[0]).at("text").as_string(), "221 2.0.0 Bye");
    EXPECT_EQ(parse(got[0]).at("seq").to_number<std::uint64_t>(), 24u);
}

TEST(event_hub, a_record_without_subscribers_publishes_nothing)
{
    event_hub hub;
    mock::session_registry registry(10);
    registry.set_events(&hub);
    auto record =
        registry.create("127.0.0.1:5000", "127.0.0.1:25", std::chrono::steady_clock::now());
    record->add("S", "220 ready", std::chrono::steady_clock::now());
    record->flush_events();
    EXPECT_EQ(hub.last_seq(), 0u);
    // One subscribing later gets only what happens after.
    auto s = hub.subscribe({});
    record->add("C", "QUIT", std::chrono::steady_clock::now());
    record->flush_events();
    EXPECT_EQ(types(s->take()), (std::vector<std::string>{"hello", "command"}));
}

} // namespace
