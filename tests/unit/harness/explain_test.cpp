// explain's pure parts: the combined timeline, the never-reached note, the reproduce block.

#include "harness/explain.hpp"

#include <chrono>
#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using prober::transcript_dir;

prober::probe_result banner_timeout()
{
    prober::probe_result r;
    r.transcript = {{0us, transcript_dir::event, "connected to 127.0.0.1:2525"},
                    {2'000'300us, transcript_dir::event, "timeout at banner"}};
    return r;
}

TEST(explain_timeline, says_who_is_silent_and_for_how_long)
{
    const auto text = harness::timeline(banner_timeout(), {});
    EXPECT_NE(text.find("... server silent, 2000 ms\n"), std::string::npos) << text;
    EXPECT_LT(text.find("connected to"), text.find("server silent")) << text;
    EXPECT_LT(text.find("server silent"), text.find("timeout at banner")) << text;
}

TEST(explain_timeline, names_the_client_when_it_is_the_one_waited_for)
{
    prober::probe_result r;
    r.transcript = {{0us, transcript_dir::server, "220 ready"},
                    {600'000us, transcript_dir::client, "EHLO x"},
                    {600'100us, transcript_dir::server, "250 hi"}};
    const auto text = harness::timeline(r, {});
    EXPECT_NE(text.find("... client silent, 600 ms"), std::string::npos) << text;
    EXPECT_EQ(text.find("server silent"), std::string::npos) << text;
}

TEST(explain_timeline, places_the_mocks_events_after_the_lines_it_had_seen)
{
    prober::probe_result r;
    r.transcript = {{100us, transcript_dir::event, "connected to 127.0.0.1:2525"},
                    {5'000us, transcript_dir::server, "220 ready"},
                    {5'100us, transcript_dir::client, "QUIT"},
                    {5'200us, transcript_dir::server, "221 bye"}};
    // The mock's clock runs behind the probe's here: its event after QUIT must still come after
    // the probe's QUIT, and its fault event before the banner.
    const std::vector<harness::recorded_line> mock = {{0.0, "event", "fault rule r1 fired"},
                                                      {1.0, "S", "220 ready"},
                                                      {1.1, "C", "QUIT"},
                                                      {1.2, "event", "quit seen"},
                                                      {1.3, "S", "221 bye"}};
    const auto text = harness::timeline(r, mock);
    EXPECT_LT(text.find("mock  fault rule r1 fired"), text.find("S     220 ready")) << text;
    EXPECT_LT(text.find("C     QUIT"), text.find("mock  quit seen")) << text;
    EXPECT_EQ(text.find("mock  220"), std::string::npos) << "only the mock's events: " << text;
}

TEST(explain_timeline, puts_the_clients_close_after_the_probe_closed)
{
    auto r = banner_timeout();
    r.transcript.push_back({2'000'400us, transcript_dir::event, "closing connection"});
    // The mock's clock says it saw the close before the probe's timeout.
    const std::vector<harness::recorded_line> mock = {
        {1999.0, "event", "connection closed by client"}};
    const auto text = harness::timeline(r, mock);
    EXPECT_LT(text.find("probe closing connection"), text.find("mock  connection closed by client"))
        << text;
}

faults::scenario rcpt_fault()
{
    faults::scenario s;
    s.name = "rcpt-only";
    faults::rule r;
    r.id = "refuse";
    r.when.phases = {smtp::phase::rcpt};
    s.rules = {r};
    return s;
}

TEST(explain_unreached, names_the_phase_and_the_option_that_reaches_it)
{
    prober::probe_options banner_only;
    const auto note = harness::unreached_note(rcpt_fault(), banner_only, false);
    EXPECT_NE(note.find("never reached"), std::string::npos) << note;
    EXPECT_NE(note.find("rule refuse acts at rcpt"), std::string::npos) << note;
    EXPECT_NE(note.find("smtp-probe --send reaches it"), std::string::npos) << note;
}

TEST(explain_unreached, is_silent_when_the_rule_fired_or_the_probe_sends)
{
    prober::probe_options sending;
    sending.send = true;
    EXPECT_EQ(harness::unreached_note(rcpt_fault(), sending, false), "");
    EXPECT_EQ(harness::unreached_note(rcpt_fault(), prober::probe_options{}, true), "");
}

TEST(explain_reproduce, uses_one_port_one_ca_and_the_probes_names_everywhere)
{
    auto s = rcpt_fault();
    prober::probe_options o;
    o.host = "127.0.0.1";
    o.port = 39999;
    o.ca_file = "/tmp/somewhere/rcpt-only-ca.pem";
    o.starttls = true;
    o.send = true;
    o.helo_name = "probe.localhost";
    o.mail_from = "a@localhost";
    o.rcpt_to = {"b@localhost"};
    const auto block = harness::reproduce_block(s, o, 7);
    for (const auto* needle :
         {"cat > rcpt-only.json <<'EOF'\n{\"name\":\"rcpt-only\"", "\nEOF\n",
          "smtp-mock --listen 127.0.0.1:2525 --control '' --scenario rcpt-only.json "
          "--write-ca rcpt-only-ca.pem --seed 7\n",
          "smtp-probe --starttls --ca-file rcpt-only-ca.pem --helo probe.localhost --send",
          "-p 2525 127.0.0.1\n",
          "swaks --server 127.0.0.1 --port 2525 --helo probe.localhost --from a@localhost --to "
          "b@localhost --tls --tls-verify --tls-ca-path rcpt-only-ca.pem"}) {
        EXPECT_NE(block.find(needle), std::string::npos) << needle << "\n" << block;
    }
    EXPECT_EQ(block.find("39999"), std::string::npos) << block;
    EXPECT_EQ(block.find("/tmp/somewhere"), std::string::npos) << block;
    EXPECT_EQ(block.find("--quit-after"), std::string::npos)
        << "a sending probe goes on: " << block;
}

} // namespace
