// The user guide lists the probe options of the table, and only those: docs/probe.md documents
// every command-line flag, docs/alerting.md carries the table as generated here. After changing
// the table, regenerate the page's copy with (one command line)
//   SMTPH_UPDATE_DOCS=1 build/dev/tests/unit/prober/prober_unit_tests
//       --gtest_filter=probe_options_docs.alerting_md_carries_the_table
#include "prober/cli.hpp"
#include "prober/probe_options_table.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <set>
#include <sstream>

namespace prober {
namespace {

std::string read(const std::string& relative)
{
    std::ifstream in(std::string(SMTPH_SOURCE_DIR) + "/" + relative, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// The lines of `text` from the heading `from` up to the next heading of the same level.
std::string section(const std::string& text, const std::string& from)
{
    const auto start = text.find("\n" + from + "\n");
    if (start == std::string::npos) {
        return {};
    }
    const auto level = from.substr(0, from.find(' ') + 1);
    const auto end = text.find("\n" + level, start + from.size() + 1);
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Every flag the command line takes, from --help.
std::set<std::string> help_flags()
{
    const char* argv[] = {"smtp-probe", "--help"};
    const auto help = parse_cli(2, argv).message;
    std::set<std::string> flags;
    const std::regex line(R"(^  (-[^ ]+))");
    std::istringstream in(help);
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (std::regex_search(l, m, line)) {
            std::stringstream names(m[1].str());
            for (std::string name; std::getline(names, name, ',');) {
                flags.insert(name);
            }
        }
    }
    return flags;
}

// The table as docs/alerting.md shows it.
std::string markdown_table()
{
    const auto cell = [](std::string_view text) {
        std::string out;
        for (char c : text) {
            out += c == '|' ? std::string("\\|") : std::string(1, c);
        }
        return out;
    };
    std::string out = "| key | value | default | command line | what it does |\n"
                      "|---|---|---|---|---|\n";
    for (const auto& o : probe_option_table()) {
        std::string value =
            o.type == option_type::flag ? "true or false" : std::string(o.value_name);
        std::string default_text =
            o.type == option_type::flag ? "false" : std::string(o.default_text);
        if (o.type == option_type::list) {
            value += " or a list";
        } else if (o.max_items > 1) {
            value += " or [WARN, CRIT]";
        }
        std::string flags;
        if (!o.flags.empty()) {
            std::string f(o.flags);
            for (auto comma = f.find(','); comma != std::string::npos; comma = f.find(',', comma)) {
                f.replace(comma, 1, ", ");
                comma += 2;
            }
            flags = "`" + f + "`";
        }
        for (const auto& s : o.shorthands) {
            flags += (flags.empty() ? "`" : " / `") + std::string(s.flag) + "`";
        }
        out += "| `" + std::string(o.name) + "` | " + cell(value) + " | " + cell(default_text) +
               " | " + flags + " | " + cell(o.help) + " |\n";
    }
    return out;
}

TEST(probe_options_docs, probe_md_documents_every_flag_and_no_other)
{
    const auto options = section(read("docs/probe.md"), "## Options");
    ASSERT_FALSE(options.empty()) << "docs/probe.md has no ## Options section";
    std::set<std::string> documented;
    const std::regex first_cell(R"(^\| (.*?) \|)");
    const std::regex span("`(-[^`]*)`");
    std::istringstream in(options);
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (!std::regex_search(l, m, first_cell)) {
            continue;
        }
        const auto cell = m[1].str();
        for (std::sregex_iterator i(cell.begin(), cell.end(), span), end; i != end; ++i) {
            std::stringstream words((*i)[1].str());
            for (std::string w; words >> w;) {
                if (w.starts_with('-')) {
                    documented.insert(w.ends_with(',') ? w.substr(0, w.size() - 1) : w);
                }
            }
        }
    }
    const auto flags = help_flags();
    for (const auto& f : flags) {
        EXPECT_TRUE(documented.contains(f)) << "docs/probe.md does not document " << f;
    }
    for (const auto& f : documented) {
        EXPECT_TRUE(flags.contains(f)) << "docs/probe.md documents " << f << ", which is no flag";
    }
    for (const auto& o : probe_option_table()) {
        if (o.flags.empty()) {
            continue;
        }
        std::string spelled(o.flags);
        for (auto comma = spelled.find(','); comma != std::string::npos;
             comma = spelled.find(',', comma + 2)) {
            spelled.replace(comma, 1, ", ");
        }
        if (!o.value_name.empty()) {
            spelled += " " + std::string(o.value_name);
        }
        EXPECT_NE(options.find("`" + spelled + "`"), std::string::npos)
            << "docs/probe.md does not show `" << spelled << "`";
    }
}

TEST(probe_options_docs, alerting_md_carries_the_table)
{
    const auto page = read("docs/alerting.md");
    const std::string begin = "<!-- probe options: generated from prober/probe_options_table.cpp";
    const std::string end = "<!-- end of probe options -->";
    const auto a = page.find(begin);
    const auto b = page.find(end);
    ASSERT_NE(a, std::string::npos) << "docs/alerting.md lacks the marker " << begin;
    ASSERT_NE(b, std::string::npos) << "docs/alerting.md lacks the marker " << end;
    const auto body_start = page.find('\n', a) + 1;
    if (std::getenv("SMTPH_UPDATE_DOCS") != nullptr) {
        std::ofstream(std::string(SMTPH_SOURCE_DIR) + "/docs/alerting.md", std::ios::binary)
            << page.substr(0, body_start) << markdown_table() << page.substr(b);
        return;
    }
    EXPECT_EQ(page.substr(body_start, b - body_start), markdown_table())
        << "docs/alerting.md's probe options are stale: regenerate them (see the top of "
        << __FILE__ << ")";
}

} // namespace
} // namespace prober
