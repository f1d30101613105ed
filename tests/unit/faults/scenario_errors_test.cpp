// Every kind of scenario mistake gives a precise error: file, line, column, key path, and the
// accepted values when a key or value was misspelt.
#include "faults/scenario_loader.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using ::testing::HasSubstr;

struct bad_case {
    const char* what;         // the kind of mistake
    const char* text;         // the scenario
    int line;                 // where the error must point, 1-based
    int column;               // 1-based
    const char* key_path;     // e.g. rules[0].when.phase
    const char* message_part; // a part of the message that must be there
};

faults::scenario_error load_error(const char* text)
{
    try {
        faults::load_scenario(text, "bad.yaml");
    } catch (const faults::scenario_error& e) {
        return e;
    }
    ADD_FAILURE() << "loaded without error:\n" << text;
    return faults::scenario_error("", 0, 0, "", "");
}

// A valid scenario prefix; the mistakes follow it, so line numbers start at 3.
#define HEAD "name: bad\nrules:\n"

const bad_case cases[] = {
    {"unknown top-level key", "name: bad\nrulez: []\n", 2, 1, "rulez",
     "unknown key 'rulez'; did you mean 'rules'? expected one of: name, summary, description, "
     "listener, mailbox_listener, probe, expect, rules"},
    {"unknown key in when", HEAD "  - when: {phse: banner}\n    do: {hang: true}\n", 3, 12,
     "rules[0].when.phse",
     "unknown key 'phse'; did you mean 'phase'? expected one of: phase, "
     "command, argument, connections, probability, after, until, times, "
     "client"},
    {"unknown key in do", HEAD "  - when: {phase: banner}\n    do: {hange: true}\n", 4, 10,
     "rules[0].do.hange",
     "did you mean 'hang'? expected one of: delay, reply, raw, trickle, hang, close, "
     "after_bytes, tls"},
    {"bad phase", HEAD "  - when: {phase: bannr}\n    do: {hang: true}\n", 3, 19,
     "rules[0].when.phase",
     "unknown value 'bannr'; did you mean 'banner'? expected one of: dns, connect, tls, banner, "
     "ehlo, helo, starttls, auth, mail, rcpt, data, body, data_end, rset, noop, vrfy, quit"},
    {"bad phase in a list", HEAD "  - when: {phase: [ehlo, hello]}\n    do: {hang: true}\n", 3, 26,
     "rules[0].when.phase[1]", "unknown value 'hello'; did you mean 'helo'?"},
    {"dns with an smtp phase", HEAD "  - when: {phase: [dns, mail]}\n    do: {hang: true}\n", 3, 19,
     "rules[0].when.phase", "phase dns is the mock's DNS server, not an SMTP phase"},
    {"bad duration", HEAD "  - when: {phase: ehlo}\n    do: {delay: 2 seconds}\n", 4, 17,
     "rules[0].do.delay", "bad duration '2 seconds'; expected a number with a unit"},
    {"number for a duration", HEAD "  - when: {phase: ehlo}\n    do: {delay: 250}\n", 4, 17,
     "rules[0].do.delay", "a bare number is not a duration: write it with a unit, e.g. '250ms'"},
    {"number for after", HEAD "  - when: {phase: ehlo, after: 5}\n    do: {hang: true}\n", 3, 32,
     "rules[0].when.after", "a bare number is not a duration"},
    {"probability out of range",
     HEAD "  - when: {phase: ehlo, probability: 1.5}\n    do: {hang: true}\n", 3, 38,
     "rules[0].when.probability", "probability must be between 0 and 1, got 1.5"},
    {"probability not a number",
     HEAD "  - when: {phase: ehlo, probability: half}\n    do: {hang: true}\n", 3, 38,
     "rules[0].when.probability", "expected a number, got 'half'"},
    {"bad regex", HEAD "  - when: {command: \"MAIL(\"}\n    do: {hang: true}\n", 3, 21,
     "rules[0].when.command", "bad regular expression 'MAIL('"},
    {"bad argument regex", HEAD "  - when: {argument: \"[a-\"}\n    do: {hang: true}\n", 3, 22,
     "rules[0].when.argument", "bad regular expression"},
    {"bad CIDR", HEAD "  - when: {client: 203.0.113.0/33}\n    do: {hang: true}\n", 3, 20,
     "rules[0].when.client", "bad CIDR block '203.0.113.0/33'"},
    {"bad CIDR in a list",
     HEAD "  - when: {client: [127.0.0.0/8, localhost]}\n    do: {hang: true}\n", 3, 34,
     "rules[0].when.client[1]", "bad CIDR block 'localhost'"},
    {"bad connections range", HEAD "  - when: {connections: 5-2}\n    do: {hang: true}\n", 3, 25,
     "rules[0].when.connections", "bad connection range '5-2'"},
    {"connections from 0", HEAD "  - when: {connections: [1, 0]}\n    do: {hang: true}\n", 3, 29,
     "rules[0].when.connections[1]", "bad connection range '0'"},
    {"reply without a code",
     HEAD "  - when: {phase: banner}\n    do: {reply: Service unavailable}\n", 4, 17,
     "rules[0].do.reply", "'Service unavailable' does not start with a 3-digit reply code"},
    {"multi-line reply with mixed codes",
     HEAD "  - when: {phase: ehlo}\n    do:\n      reply:\n        - 250-mock.example\n"
          "        - 251 SIZE\n",
     7, 11, "rules[0].do.reply[1]", "must have the same code"},
    {"hang and close together",
     HEAD "  - when: {phase: banner}\n    do: {hang: true, close: fin}\n", 4, 29,
     "rules[0].do.close", "hang and close are exclusive"},
    {"reply and raw together",
     HEAD "  - when: {phase: banner}\n    do: {reply: 421 bye, raw: \"x\"}\n", 4, 31,
     "rules[0].do.raw", "reply and raw are exclusive"},
    {"bad close value", HEAD "  - when: {phase: ehlo}\n    do: {close: fn}\n", 4, 17,
     "rules[0].do.close", "unknown value 'fn'; did you mean 'fin'? expected one of: fin, rst"},
    {"bad tls certificate", HEAD "  - when: {phase: tls}\n    do: {tls: {certificate: expird}}\n",
     4, 29, "rules[0].do.tls.certificate",
     "unknown value 'expird'; did you mean 'expired'? expected one of: expired, not_yet_valid, "
     "self_signed, wrong_host, expires_in_days"},
    {"bad tls handshake", HEAD "  - when: {phase: tls}\n    do: {tls: {handshake: stall}}\n", 4, 27,
     "rules[0].do.tls.handshake", "expected one of: fail, hang"},
    {"tls on a phase without a handshake",
     HEAD "  - when: {phase: ehlo}\n    do: {tls: {handshake: fail}}\n", 4, 15, "rules[0].do.tls",
     "they need when.phase: tls"},
    {"list where a map is meant", HEAD "  - when: [banner]\n    do: {hang: true}\n", 3, 11,
     "rules[0].when", "expected a map, got a list"},
    {"map where a list is meant", "name: bad\nrules:\n  when: {phase: banner}\n", 3, 3, "rules",
     "expected a list of rules"},
    {"missing name", "summary: nameless\nrules: []\n", 1, 1, "", "a scenario needs name"},
    {"missing rules", "name: bad\nsummary: no rules\n", 1, 1, "",
     "a scenario needs rules: a list of rules, or [] for none"},
    {"rule without do", HEAD "  - when: {phase: banner}\n", 3, 5, "rules[0]", "a rule needs do"},
    {"empty do", HEAD "  - when: {phase: banner}\n    do: {}\n", 4, 9, "rules[0].do",
     "do needs at least one effect"},
    {"YAML syntax error", "name: bad\nrules: [\n  {when: {phase: banner}\n", 4, 1, "",
     "YAML syntax error"},
    {"tab indentation", "name: bad\nrules:\n\t- when: {}\n", 3, 1, "",
     "YAML syntax error: a tab in the indentation; YAML does not allow tabs there, indent with "
     "spaces"},
    {"duplicate key", "name: bad\nname: worse\nrules: []\n", 2, 1, "name", "duplicate key 'name'"},
    {"duplicate rule id", HEAD "  - id: a\n    do: {hang: true}\n  - id: a\n    do: {close: rst}\n",
     5, 9, "rules[1].id", "duplicate rule id 'a'"},
    {"bad rule id", HEAD "  - id: \"a b\"\n    do: {hang: true}\n", 3, 9, "rules[0].id",
     "bad rule id 'a b'"},
    {"after_bytes outside the body",
     HEAD "  - when: {phase: data}\n    do: {close: rst, after_bytes: 10}\n", 4, 35,
     "rules[0].do.after_bytes", "it needs when.phase: body"},
    {"after_bytes without an ending",
     HEAD "  - when: {phase: body}\n    do: {delay: 1s, after_bytes: 10}\n", 4, 34,
     "rules[0].do.after_bytes", "it needs hang or close"},
    {"reply where nothing is sent", HEAD "  - when: {phase: connect}\n    do: {reply: 220 hi}\n", 4,
     17, "rules[0].do.reply", "nothing is sent at phase connect"},
    {"bad listener", "name: bad\nlistener: down\nrules: []\n", 2, 11, "listener",
     "unknown value 'down'; expected one of: open, closed, blackhole"},
    {"mailbox listener black-holed", "name: bad\nmailbox_listener: blackhole\nrules: []\n", 2, 19,
     "mailbox_listener", "unknown value 'blackhole'; expected one of: open, closed"},
    {"bad expected kind", "name: bad\nexpect: {status: CRITICAL, kind: timout}\nrules: []\n", 2, 34,
     "expect.kind", "did you mean 'timeout'?"},
    {"bad expected status", "name: bad\nexpect: {status: [OK, CRIT]}\nrules: []\n", 2, 23,
     "expect.status[1]", "unknown value 'CRIT'; expected one of: OK, WARNING, CRITICAL"},
    {"expect without status", "name: bad\nexpect: {kind: timeout}\nrules: []\n", 2, 9, "expect",
     "expect needs status"},
    {"bad probe hint", "name: bad\nprobe: {sendd: true}\nrules: []\n", 2, 9, "probe.sendd",
     "did you mean 'send'?"},
    {"verify without send", "name: bad\nprobe: {verify: imap}\nrules: []\n", 2, 17, "probe.verify",
     "it needs send: true"},
    {"probe helo with a space", "name: bad\nprobe: {helo: \"two words\"}\nrules: []\n", 2, 15,
     "probe.helo", "one word of printable ASCII"},
    {"bad verify protocol", "name: bad\nprobe: {send: true, verify: pop}\nrules: []\n", 2, 29,
     "probe.verify", "did you mean 'pop3'?"},
    {"verify_timeout without verify", "name: bad\nprobe: {verify_timeout: 2s}\nrules: []\n", 2, 8,
     "probe", "need verify: pop3 or imap"},
    {"bad boolean", HEAD "  - when: {phase: banner}\n    do: {hang: maybe}\n", 4, 16,
     "rules[0].do.hang", "expected true or false, got 'maybe'"},
    {"times zero", HEAD "  - when: {phase: banner, times: 0}\n    do: {hang: true}\n", 3, 34,
     "rules[0].when.times", "times must be at least 1"},
    {"negative times", HEAD "  - when: {phase: banner, times: -2}\n    do: {hang: true}\n", 3, 34,
     "rules[0].when.times", "expected a whole number of 0 or more, got '-2'"},
    {"until before after",
     HEAD "  - when: {phase: banner, after: 2s, until: 1s}\n    do: {hang: true}\n", 3, 45,
     "rules[0].when.until", "until (1s) must be later than after (2s)"},
    {"bad trickle rate", HEAD "  - when: {phase: banner}\n    do: {trickle: fast}\n", 4, 19,
     "rules[0].do.trickle", "bad rate 'fast'"},
    {"zero trickle rate", HEAD "  - when: {phase: banner}\n    do: {trickle: 0B/s}\n", 4, 19,
     "rules[0].do.trickle", "trickle must be from 1 B/s to 1 GB/s, got '0B/s'"},
    {"bad name", "name: Banner Missing\nrules: []\n", 1, 7, "name", "bad name 'Banner Missing'"},
    {"name that could escape a directory", "name: ../etc\nrules: []\n", 1, 7, "name",
     "bad name '../etc'"},
    {"two documents", "name: a\nrules: []\n---\nname: b\nrules: []\n", 3, 1, "",
     "expected one YAML document, found a second one"},
    {"empty document", "", 1, 1, "", "the document is empty"},
    {"bad raw hex", HEAD "  - when: {phase: banner}\n    do: {raw: {hex: \"0g\"}}\n", 4, 21,
     "rules[0].do.raw.hex", "bad hex '0g'"},
    // Bounds: nothing a scenario says may freeze a worker, overflow a timer or turn into "null".
    {"infinite trickle", HEAD "  - when: {phase: banner}\n    do: {trickle: inf}\n", 4, 19,
     "rules[0].do.trickle", "bad rate 'inf'; expected bytes per second"},
    {"not-a-number trickle", HEAD "  - when: {phase: banner}\n    do: {trickle: nan}\n", 4, 19,
     "rules[0].do.trickle", "bad rate 'nan'"},
    {"huge trickle", HEAD "  - when: {phase: banner}\n    do: {trickle: \"1e308kB/s\"}\n", 4, 19,
     "rules[0].do.trickle", "trickle must be from 1 B/s to 1 GB/s, got '1e308kB/s'"},
    {"tiny trickle", HEAD "  - when: {phase: banner}\n    do: {trickle: 1e-300}\n", 4, 19,
     "rules[0].do.trickle", "trickle must be from 1 B/s to 1 GB/s, got '1e-300'"},
    {"trickle over 1 GB/s", HEAD "  - when: {phase: banner}\n    do: {trickle: 1.5GB/s}\n", 4, 19,
     "rules[0].do.trickle", "trickle must be from 1 B/s to 1 GB/s"},
    {"delay over a day", HEAD "  - when: {phase: banner}\n    do: {delay: 2600000h}\n", 4, 17,
     "rules[0].do.delay", "duration '2600000h' is over the limit of 24h"},
    {"until over a day", HEAD "  - when: {phase: banner, until: 25h}\n    do: {hang: true}\n", 3,
     34, "rules[0].when.until", "duration '25h' is over the limit of 24h"},
    {"probe timeout over a day", "name: bad\nprobe: {timeout: 1441m}\nrules: []\n", 2, 18,
     "probe.timeout", "over the limit of 24h"},
    {"not-a-number probability",
     HEAD "  - when: {phase: ehlo, probability: nan}\n    do: {hang: true}\n", 3, 38,
     "rules[0].when.probability", "expected a number, got 'nan'"},
    {"YAML's own not-a-number",
     HEAD "  - when: {phase: ehlo, probability: .nan}\n    do: {hang: true}\n", 3, 38,
     "rules[0].when.probability", "expected a number, got '.nan'"},
    {"certificate days over the limit",
     HEAD "  - when: {phase: tls}\n    do: {tls: {expires_in_days: 99999999999}}\n", 4, 33,
     "rules[0].do.tls.expires_in_days", "expected a whole number from 0 to 36500"},
    // Patterns are RE2: what needs backtracking is refused when the rule is loaded.
    {"backreference", HEAD "  - when: {argument: \"(a)\\\\1\"}\n    do: {hang: true}\n", 3, 22,
     "rules[0].when.argument", "backreferences are not supported"},
    {"lookahead", HEAD "  - when: {argument: \"(?=a)b\"}\n    do: {hang: true}\n", 3, 22,
     "rules[0].when.argument", "lookahead and lookbehind are not supported"},
    // What becomes of the command.
    {"bad command disposition", HEAD "  - when: {phase: rcpt}\n    do: {command: ignore}\n", 4, 19,
     "rules[0].do.command", "unknown value 'ignore'; expected one of: apply, skip"},
    {"command where there is none",
     HEAD "  - when: {phase: banner}\n    do: {reply: 554 no, command: skip}\n", 4, 34,
     "rules[0].do.command", "there is none at phase banner"},
};

class scenario_mistake : public ::testing::TestWithParam<bad_case> {};

TEST_P(scenario_mistake, is_reported_precisely)
{
    const bad_case& c = GetParam();
    const auto e = load_error(c.text);
    EXPECT_EQ(e.file, "bad.yaml");
    EXPECT_EQ(e.line, c.line) << e.what();
    EXPECT_EQ(e.column, c.column) << e.what();
    EXPECT_EQ(e.key_path, c.key_path) << e.what();
    EXPECT_THAT(e.message, HasSubstr(c.message_part));
    // what() carries it all, as a compiler would print it.
    std::string prefix = "bad.yaml:";
    if (c.line > 0) {
        prefix += std::to_string(c.line) + ":" + std::to_string(c.column) + ":";
    }
    EXPECT_THAT(std::string(e.what()), ::testing::StartsWith(prefix)) << e.what();
    if (*c.key_path != 0) {
        EXPECT_THAT(std::string(e.what()), HasSubstr(std::string(" ") + c.key_path + ": "));
    }
}

std::string case_name(const ::testing::TestParamInfo<bad_case>& info)
{
    std::string name;
    for (const char* p = info.param.what; *p; ++p) {
        name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(every_kind, scenario_mistake, ::testing::ValuesIn(cases), case_name);

TEST(scenario_errors, format_of_what)
{
    const auto e = load_error(HEAD "  - when: {phase: ehlo}\n    do: {close: fn}\n");
    EXPECT_STREQ(e.what(), "bad.yaml:4:17: rules[0].do.close: unknown value 'fn'; did you mean "
                           "'fin'? expected one of: fin, rst");
}

TEST(scenario_errors, json_bodies_get_positions_too)
{
    try {
        faults::load_scenario("{\n  \"name\": \"bad\",\n  \"rules\": [\n    {\"when\": {\"phase\": "
                              "\"ehlo\"}, \"do\": {\"delay\": 250}}\n  ]\n}\n",
                              "request body");
        FAIL() << "loaded";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.file, "request body");
        EXPECT_EQ(e.line, 4);
        EXPECT_EQ(e.column, 49);
        EXPECT_EQ(e.key_path, "rules[0].do.delay");
        EXPECT_THAT(e.message, HasSubstr("a bare number is not a duration"));
    }
}

TEST(scenario_errors, deep_nesting_is_refused_not_a_crash)
{
    const std::string text =
        "name: bad\nrules: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
    try {
        faults::load_scenario(text, "deep.yaml");
        FAIL() << "loaded";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.file, "deep.yaml");
        EXPECT_THAT(e.message, HasSubstr("YAML syntax error"));
    }
}

TEST(scenario_errors, what_without_a_position)
{
    const faults::scenario_error e("rule", 0, 0, "when.probability", "out of range");
    EXPECT_STREQ(e.what(), "rule: when.probability: out of range");
    const faults::scenario_error whole("x.yaml", 0, 0, "", "cannot read the file");
    EXPECT_STREQ(whole.what(), "x.yaml: cannot read the file");
}

TEST(scenario_errors, scenario_files_are_bounded_and_regular)
{
    namespace fs = std::filesystem;
    const auto dir =
        fs::temp_directory_path() / ("faults_scenario_files_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto refused = [](const fs::path& file) {
        try {
            faults::load_scenario_file(file);
        } catch (const faults::scenario_error& e) {
            EXPECT_EQ(e.file, file.string());
            return e.message;
        }
        ADD_FAILURE() << "loaded " << file;
        return std::string{};
    };
    // Over 1 MiB, like the control API's body limit: refused before it is read.
    const auto big = dir / "big.yaml";
    std::ofstream(big) << "name: big\nrules: []\n" << std::string(1024 * 1024, '#') << "\n";
    EXPECT_THAT(refused(big), HasSubstr("over the limit of 1048576 octets"));
    // A FIFO would block until a writer comes; /dev/zero would never end.
    const auto fifo = dir / "fifo.yaml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_THAT(refused(fifo), HasSubstr("it is a FIFO; give a regular file"));
    EXPECT_THAT(refused("/dev/zero"), HasSubstr("it is a device; give a regular file"));
    fs::remove_all(dir);
}

TEST(scenario_errors, missing_file)
{
    try {
        faults::load_scenario_file("/nonexistent/scenario.yaml");
        FAIL() << "loaded";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.file, "/nonexistent/scenario.yaml");
        EXPECT_THAT(e.message, HasSubstr("cannot read"));
    }
}

TEST(scenario_errors, rule_bodies_have_paths_from_the_rule)
{
    try {
        faults::load_rule("when: {phase: rcpt}\ndo: {reply: \"550 no\", close: rts}\n", "body");
        FAIL() << "loaded";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.key_path, "do.close");
        EXPECT_EQ(e.line, 2);
        EXPECT_EQ(e.column, 30);
        EXPECT_THAT(e.message, HasSubstr("did you mean 'rst'?"));
    }
}

} // namespace

TEST(scenario_errors, text_that_is_not_utf8_is_refused_with_its_position)
{
    try {
        faults::load_scenario("name: x\nsummary: caf\xe9\nrules: []\n", "latin1.yaml");
        FAIL() << "loaded a scenario that is not UTF-8";
    } catch (const faults::scenario_error& e) {
        EXPECT_EQ(e.line, 2);
        EXPECT_EQ(e.column, 13);
        EXPECT_NE(std::string(e.what()).find("not valid UTF-8 (byte 0xE9)"), std::string::npos)
            << e.what();
    }
    // Well-formed UTF-8 passes.
    EXPECT_EQ(
        faults::load_scenario("name: x\nsummary: caf\xc3\xa9\nrules: []\n", "ok.yaml").summary,
        "caf\xc3\xa9");
}

TEST(scenario_errors, malformed_flow_streams_end_in_an_error_not_a_hang)
{
    // yaml-cpp 0.7's LoadAll loops forever on these; the loader must not.
    for (const char* text : {",]{\"", ",{\"", ",][\"", ",}{\""}) {
        EXPECT_THROW(faults::load_scenario(text, "flow.yaml"), faults::scenario_error) << text;
    }
}

TEST(scenario_errors, a_document_marker_before_the_content_is_one_document)
{
    EXPECT_EQ(faults::load_scenario("# comment\n---\nname: x\nrules: []\n", "ok.yaml").name, "x");
}
