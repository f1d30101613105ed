// The one YAML reader: the guards every document gets (size, UTF-8, one document, tabs), typed
// values with their bounds, and errors that give the position once, with "did you mean".
#include "config/document_file.hpp"
#include "config/yaml_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

config::error error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const config::error& e) {
        return e;
    }
    ADD_FAILURE() << "no error";
    return config::error("", 0, 0, "", "");
}

config::error parse_error(std::string_view text)
{
    return error_of([&] { config::yaml_reader("doc.yaml").parse(text); });
}

// The error of reading the value of `key` in a one-line map `text` with `read`.
template <class F> config::error value_error(std::string_view text, F&& read)
{
    const config::yaml_reader in("doc.yaml");
    const auto root = in.parse(text);
    const auto entries = in.map(root, {"a", "b"});
    return error_of([&] { read(in, entries.at("a")); });
}

TEST(yaml_reader, what_gives_the_position_once)
{
    const config::error e("bad.yaml", 4, 17, "rules[0].do", "something is wrong");
    EXPECT_STREQ(e.what(), "bad.yaml:4:17: rules[0].do: something is wrong");
    EXPECT_STREQ(config::error("x.yaml", 0, 0, "", "cannot read").what(), "x.yaml: cannot read");
}

TEST(yaml_reader, an_empty_document_is_a_null_root)
{
    EXPECT_TRUE(config::yaml_reader("e.yaml").parse("").node.IsNull());
    EXPECT_TRUE(config::yaml_reader("e.yaml").parse("# only a comment\n").node.IsNull());
}

TEST(yaml_reader, tabs_in_indentation_are_named)
{
    for (std::string_view text : {"name: bad\nrules:\n\t- when: {}\n", "a:\n\tb: 1\n",
                                  "a:\n  b: 1\n\tc: 2\n", "a:\n  - b:\n\t  c: 1\n"}) {
        const auto e = parse_error(text);
        EXPECT_THAT(e.message, HasSubstr("a tab in the indentation")) << text;
        EXPECT_THAT(e.message, HasSubstr("indent with spaces")) << text;
        EXPECT_EQ(e.column, 1) << text;
        EXPECT_EQ(e.line, static_cast<int>(std::count(text.begin(), text.end(), '\n'))) << text;
    }
    // A tab inside a value, or after the indentation of a block scalar, is no mistake.
    EXPECT_NO_THROW(config::yaml_reader("t.yaml").parse("a:\n  b: 1\n  c:\t2\n"));
    EXPECT_NO_THROW(config::yaml_reader("t.yaml").parse("a: |\n  x\n  \ty\n"));
    // Other syntax errors keep yaml-cpp's words.
    EXPECT_THAT(parse_error("a: [\n").message, HasSubstr("YAML syntax error: "));
}

TEST(yaml_reader, refuses_a_second_document_and_non_utf8_text_and_huge_text)
{
    auto e = parse_error("a: 1\n---\nb: 2\n");
    EXPECT_EQ(e.line, 2);
    EXPECT_THAT(e.message, HasSubstr("found a second one"));
    e = parse_error("a: caf\xe9\n");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.column, 7);
    EXPECT_THAT(e.message, HasSubstr("not valid UTF-8 (byte 0xE9)"));
    e = parse_error(std::string(config::max_document_size + 1, ' '));
    EXPECT_THAT(e.message, HasSubstr("over the limit of 1048576 octets"));
    EXPECT_NO_THROW(config::yaml_reader("ok").parse(std::string(config::max_document_size, ' ')));
}

TEST(yaml_reader, refuses_control_characters_yaml_does_not_allow)
{
    // A NUL in a block scalar came out of yaml-cpp as a lone 0x85 byte: text that is no longer
    // UTF-8 and does not survive a JSON round trip.
    auto e = parse_error(std::string("d: |\n  one.\0No more\n", 20));
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 7);
    EXPECT_THAT(e.message, HasSubstr("the control character U+0000 is not allowed"));
    e = parse_error("a: \x1b[2J\n");
    EXPECT_THAT(e.message, HasSubstr("U+001B"));
    e = parse_error("a: \xc2\x9b\n"); // a C1 control
    EXPECT_THAT(e.message, HasSubstr("U+009B"));
    // Tabs, CRLF line ends and escapes in double-quoted strings stay allowed.
    EXPECT_NO_THROW(config::yaml_reader("ok").parse("a: \"x\\ty\\u0001\"\r\nb: c\td\r\n"));
}

TEST(yaml_reader, malformed_flow_streams_end_in_an_error_not_a_hang)
{
    // yaml-cpp 0.7's LoadAll loops forever on these; the reader returns, and they are no map.
    const config::yaml_reader in("flow");
    for (const char* text : {",]{\"", ",{\"", ",][\"", ",}{\""}) {
        EXPECT_THROW(in.require_map(in.parse(text)), config::error) << text;
    }
}

TEST(yaml_reader, unknown_keys_get_did_you_mean)
{
    const config::yaml_reader in("doc.yaml");
    const auto root = in.parse("name: x\nintervall: 3s\n");
    const auto e = error_of([&] { in.map(root, {"name", "interval", "timeout"}); });
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 1);
    EXPECT_EQ(e.key_path, "intervall");
    EXPECT_EQ(e.message, "unknown key 'intervall'; did you mean 'interval'? expected one of: "
                         "name, interval, timeout");
    // The node-walking form, for loaders that keep their own key chains.
    const auto walked = error_of([&] {
        for (const auto& kv : root.node) {
            if (kv.first.Scalar() != "name") {
                in.unknown_key(kv.first, "targets[0]." + kv.first.Scalar(),
                               {"interval", "timeout"});
            }
        }
    });
    EXPECT_EQ(walked.line, 2);
    EXPECT_EQ(walked.key_path, "targets[0].intervall");
    EXPECT_THAT(walked.message, HasSubstr("did you mean 'interval'?"));
    // Far from every name: no guess.
    EXPECT_THAT(error_of([&] { in.map(in.parse("zzzzzz: 1\n"), {"name"}); }).message,
                ::testing::Not(HasSubstr("did you mean")));
}

TEST(yaml_reader, duplicate_keys_are_refused)
{
    const config::yaml_reader in("doc.yaml");
    const auto e = error_of([&] { in.map(in.parse("a: 1\na: 2\n"), {"a"}); });
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.message, "duplicate key 'a'");
}

TEST(yaml_reader, numbers_are_finite_and_bounded)
{
    using config::field;
    using config::yaml_reader;
    auto number = [](const yaml_reader& in, const field& f) {
        in.number(f);
    };
    for (const char* bad : {"a: nan\n", "a: inf\n", "a: -inf\n", "a: 1e999\n", "a: 0x10\n",
                            "a: half\n", "a: \"\"\n"}) {
        EXPECT_THAT(value_error(bad, number).message, HasSubstr("expected a number")) << bad;
    }
    auto bounded = [](const yaml_reader& in, const field& f) {
        in.number(f, 0, 100);
    };
    EXPECT_EQ(value_error("a: 101\n", bounded).message,
              "expected a number from 0 to 100, got '101'");
    auto integer = [](const yaml_reader& in, const field& f) {
        in.integer(f, 1, 65535);
    };
    EXPECT_EQ(value_error("a: 0\n", integer).message,
              "expected a whole number from 1 to 65535, got '0'");
    EXPECT_THAT(value_error("a: 99999999999999999999999\n", integer).message,
                HasSubstr("expected a whole number"));
    auto count = [](const yaml_reader& in, const field& f) {
        in.count(f, 10);
    };
    EXPECT_EQ(value_error("a: -2\n", count).message,
              "expected a whole number from 0 to 10, got '-2'");

    const yaml_reader in("ok.yaml");
    const auto e = in.map(in.parse("a: 2.5\nb: 7\n"), {"a", "b"});
    EXPECT_DOUBLE_EQ(in.number(e.at("a"), 0, 3), 2.5);
    EXPECT_EQ(in.integer(e.at("b"), 1, 7), 7);
    EXPECT_EQ(in.count(e.at("b")), 7u);
}

TEST(yaml_reader, booleans)
{
    const config::yaml_reader in("b.yaml");
    const auto e = in.map(in.parse("a: [true, Yes, ON, false, no, Off]\nb: maybe\n"), {"a", "b"});
    std::vector<bool> values;
    for (const auto& item : in.one_or_list(e.at("a"))) {
        values.push_back(in.boolean(item));
    }
    EXPECT_EQ(values, (std::vector<bool>{true, true, true, false, false, false}));
    const auto bad = error_of([&] { in.boolean(e.at("b")); });
    EXPECT_EQ(bad.message, "expected true or false, got 'maybe'");
    EXPECT_EQ(bad.key_path, "b");
    // Quoted, yes is a string (JSON's "yes" too); true stays true.
    const auto quoted = in.map(in.parse("{\"a\": \"yes\", \"b\": \"true\"}"), {"a", "b"});
    EXPECT_EQ(error_of([&] { in.boolean(quoted.at("a")); }).message,
              "expected true or false, got 'yes'");
    EXPECT_TRUE(in.boolean(quoted.at("b")));
}

TEST(yaml_reader, durations_have_a_syntax_and_a_limit)
{
    auto duration = [](const config::yaml_reader& in, const config::field& f) {
        in.duration(f);
    };
    EXPECT_THAT(value_error("a: 250\n", duration).message,
                HasSubstr("a bare number is not a duration: write it with a unit, e.g. '250ms'"));
    EXPECT_THAT(value_error("a: 2 seconds\n", duration).message,
                HasSubstr("bad duration '2 seconds'; expected a number with a unit"));
    EXPECT_EQ(value_error("a: 2600000h\n", duration).message,
              "duration '2600000h' is over the limit of 24h");
    EXPECT_THAT(value_error("a: 1e308s\n", duration).message, HasSubstr("bad duration"));
    const config::yaml_reader in("d.yaml");
    EXPECT_EQ(in.duration(in.map(in.parse("a: 24h\n"), {"a"}).at("a")), 24h);

    // Another document kind, another syntax: bare seconds, no limit.
    const config::yaml_reader lenient(
        "w.yaml", {[](std::string_view t) -> std::optional<std::chrono::milliseconds> {
                       if (t == "90") {
                           return 90s;
                       }
                       return std::nullopt;
                   },
                   "'30s'", std::chrono::milliseconds::max()});
    EXPECT_EQ(lenient.duration(lenient.map(lenient.parse("a: 90\n"), {"a"}).at("a")), 90s);
}

TEST(yaml_reader, choices_list_what_is_accepted)
{
    auto choice = [](const config::yaml_reader& in, const config::field& f) {
        in.choice(f, {"fin", "rst"});
    };
    EXPECT_EQ(value_error("a: fn\n", choice).message,
              "unknown value 'fn'; did you mean 'fin'? expected one of: fin, rst");
}

TEST(yaml_reader, lists_and_paths)
{
    const config::yaml_reader in("l.yaml");
    const auto root = in.parse("a: [x, y]\nb: z\n");
    const auto e = in.map(root, {"a", "b"});
    const auto items = in.one_or_list(e.at("a"));
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[1].path, "a[1]");
    EXPECT_EQ(items[1].mark.line, 0);
    EXPECT_EQ(items[1].mark.column, 7);
    EXPECT_EQ(in.strings(e.at("b")), std::vector<std::string>{"z"});
    EXPECT_EQ(in.strings(root.node["a"], "a"), (std::vector<std::string>{"x", "y"}));
    const auto not_a_map = error_of([&] { in.require_map(items[0]); });
    EXPECT_EQ(not_a_map.message, "expected a map, got a value 'x'");
    EXPECT_EQ(not_a_map.key_path, "a[0]");
    // A missing key's node has no position; the error still names the path.
    const auto missing = error_of([&] { in.scalar(root.node["c"], "c"); });
    EXPECT_EQ(missing.line, 0);
    EXPECT_STREQ(missing.what(), "l.yaml: c: expected a value, got nothing");
}

TEST(yaml_reader, json_is_yaml)
{
    const config::yaml_reader in("body");
    const auto root = in.parse("{\n  \"a\": \"x\",\n  \"b\": [1, 2]\n}\n");
    const auto e = in.map(root, {"a", "b"});
    EXPECT_EQ(in.scalar(e.at("a")), "x");
    EXPECT_FALSE(config::yaml_reader::plain(e.at("a")));
    EXPECT_TRUE(config::yaml_reader::plain(in.one_or_list(e.at("b"))[0]));
}

} // namespace
