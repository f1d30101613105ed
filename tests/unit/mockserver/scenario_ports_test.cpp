// The file of --scenario-ports-file: ports mapped to scenarios, in file order, and every mistake
// named with its line, column and key.
#include "config/error.hpp"
#include "mockserver/scenario_ports.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;

std::vector<std::tuple<int, std::string, std::string>> read(const std::string& text)
{
    std::vector<std::tuple<int, std::string, std::string>> out;
    for (const auto& a : mock::parse_port_map(text, "ports.yaml")) {
        out.emplace_back(a.port, a.scenario, a.where);
    }
    return out;
}

config::error error_of(const std::string& text)
{
    try {
        mock::parse_port_map(text, "ports.yaml");
    } catch (const config::error& e) {
        return e;
    }
    ADD_FAILURE() << "accepted: " << text;
    return config::error("", 0, 0, "", "");
}

TEST(scenario_ports_file, maps_ports_to_scenarios_in_file_order)
{
    const auto entries = read("# scenario ports\n"
                              "2601: banner-missing\n"
                              "2602: faults/mine.yaml\n"
                              "0: [rcpt-550-unknown-user, ehlo-switches]\n"
                              "65535: \"healthy\"\n");
    using entry = std::tuple<int, std::string, std::string>;
    EXPECT_EQ(entries,
              (std::vector<entry>{{2601, "banner-missing", "ports.yaml:2:7: 2601"},
                                  {2602, "faults/mine.yaml", "ports.yaml:3:7: 2602"},
                                  {0, "rcpt-550-unknown-user", "ports.yaml:4:5: 0[0]"},
                                  {0, "ehlo-switches", "ports.yaml:4:28: 0[1]"},
                                  {65535, "healthy", "ports.yaml:5:8: 65535"}}));
}

TEST(scenario_ports_file, port_zero_may_also_take_one_scenario)
{
    EXPECT_EQ(read("0: healthy\n").size(), 1u);
}

struct bad_file {
    const char* text;
    int line;
    int column;
    const char* key_path;
    const char* message_part;
};

TEST(scenario_ports_file, mistakes_are_named_with_line_column_and_key)
{
    const bad_file cases[] = {
        {"2601: healthy\nsmtp: banner-missing\n", 2, 1, "smtp",
         "expected a whole number from 0 to 65535, got 'smtp'"},
        {"70000: healthy\n", 1, 1, "70000", "from 0 to 65535"},
        {"-1: healthy\n", 1, 1, "-1", "from 0 to 65535"},
        {"2601: healthy\n2602: banner-554\n2601: banner-missing\n", 3, 1, "2601",
         "port 2601 is given twice (also at line 1)"},
        {"2601: [healthy, banner-554]\n", 1, 7, "2601", "port 2601 serves one scenario"},
        {"2601:\n", 1, 1, "2601", "port 2601 needs a scenario"},
        {"0: []\n", 1, 1, "0", "port 0 needs a scenario"},
        {"2601: {name: healthy}\n", 1, 7, "2601", "expected a value"},
        {"2601: \"\"\n", 1, 7, "2601", "not an empty text"},
        {"[2601, healthy]\n", 1, 1, "", "maps each port to its scenario"},
        {"", 1, 1, "", "maps each port to its scenario"},
        {"[a, b]: healthy\n", 1, 1, "", "a key is a port"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto e = error_of(c.text);
        EXPECT_EQ(e.file, "ports.yaml");
        EXPECT_EQ(e.line, c.line);
        EXPECT_EQ(e.column, c.column);
        EXPECT_EQ(e.key_path, c.key_path);
        EXPECT_THAT(e.message, HasSubstr(c.message_part));
    }
}

} // namespace
