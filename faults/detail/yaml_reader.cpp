#include "faults/detail/yaml_reader.hpp"

#include "config/duration.hpp"
#include "smtp/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace faults::detail {
namespace {

// The line (from 1) of a "---" that starts a second document: a marker at the start of a line
// after content of a first document (comments, directives and blank lines are not content).
std::optional<int> second_document_line(std::string_view text)
{
    bool content = false;
    int line = 0;
    while (!text.empty()) {
        ++line;
        auto end = text.find('\n');
        std::string_view l = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!l.empty() && l.back() == '\r') {
            l.remove_suffix(1);
        }
        const bool marker =
            l.substr(0, 3) == "---" && (l.size() == 3 || l[3] == ' ' || l[3] == '\t');
        if (marker && content) {
            return line;
        }
        if (marker) {
            content = true; // "--- value" may carry content on the marker line itself
            continue;
        }
        const auto first = l.find_first_not_of(" \t");
        if (first != std::string_view::npos && l[first] != '#' && l[0] != '%' && l != "...") {
            content = true;
        }
    }
    return std::nullopt;
}

std::string node_type_name(const YAML::Node& n)
{
    switch (n.Type()) {
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Scalar:
        return "a value '" + n.Scalar() + "'";
    case YAML::NodeType::Null:
        return "nothing";
    case YAML::NodeType::Undefined:
        return "nothing";
    }
    return "nothing";
}

// Edit distance, for "did you mean" hints.
std::size_t distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string suggestion(std::string_view given, const std::vector<std::string_view>& accepted)
{
    std::string_view best;
    std::size_t best_distance = 3;
    for (auto candidate : accepted) {
        const auto d = distance(given, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best.empty() ? std::string{} : "did you mean '" + std::string(best) + "'? ";
}

YAML::Mark mark_or(const YAML::Node& n, const YAML::Mark& fallback)
{
    const auto m = n.Mark();
    return m.line >= 0 ? m : fallback;
}

} // namespace

std::string key_path(const std::string& path, std::string_view key)
{
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t index)
{
    return path + "[" + std::to_string(index) + "]";
}

std::string one_of(const std::vector<std::string_view>& accepted)
{
    std::string out = "one of: ";
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        out += (i ? ", " : "") + std::string(accepted[i]);
    }
    return out;
}

yaml_reader::yaml_reader(std::string source)
    : source_(std::move(source))
{
}

field yaml_reader::parse(std::string_view text) const
{
    // YAML 1.2 §5.2 and RFC 8259 §8.1: the text is UTF-8. Refuse anything else here, where the
    // position is known, rather than pass bytes on that would make the API's JSON invalid.
    if (auto bad = smtp::first_invalid_utf8(text)) {
        const auto before = text.substr(0, *bad);
        const auto line_start = before.rfind('\n');
        const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
        const int column =
            1 +
            static_cast<int>(line_start == std::string_view::npos ? *bad : *bad - line_start - 1);
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*bad]));
        throw scenario_error(source_, line, column, "",
                             std::string("the text is not valid UTF-8 (byte ") + byte +
                                 "); save the file as UTF-8");
    }
    // yaml-cpp 0.7's LoadAll never returns on some malformed streams (e.g. ",{\""), so parse
    // the first document only, and find a second one by its "---" marker (YAML 1.2 §9.1).
    if (auto second = second_document_line(text)) {
        throw scenario_error(source_, *second, 1, "",
                             "expected one YAML document, found a second one; put one scenario "
                             "in each file");
    }
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        // Syntax errors, and the parser's own limits (nesting depth).
        const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        const int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
        throw scenario_error(source_, line, column, "", "YAML syntax error: " + e.msg);
    }
    field f{root, mark_or(root, YAML::Mark()), ""};
    if (!root.IsDefined() || root.IsNull()) {
        fail(f, "the document is empty; expected a map with name, rules, ...");
    }
    return f;
}

void yaml_reader::fail(const field& f, const std::string& message) const
{
    const int line = f.mark.line >= 0 ? f.mark.line + 1 : 0;
    const int column = f.mark.column >= 0 ? f.mark.column + 1 : 0;
    throw scenario_error(source_, line, column, f.path, message);
}

std::map<std::string, field> yaml_reader::map(const field& f,
                                              std::initializer_list<std::string_view> allowed) const
{
    if (!f.node.IsMap()) {
        fail(f, "expected a map, got " + node_type_name(f.node));
    }
    const std::vector<std::string_view> accepted(allowed);
    std::map<std::string, field> out;
    for (const auto& entry : f.node) {
        // By value: the iterator's pair is a proxy, references into it would dangle.
        const YAML::Node key = entry.first;
        const YAML::Node value = entry.second;
        field key_field{key, mark_or(key, f.mark), f.path};
        if (!key.IsScalar()) {
            fail(key_field, "a key must be a name, got " + node_type_name(key));
        }
        const std::string name = key.Scalar();
        key_field.path = key_path(f.path, name);
        if (std::find(accepted.begin(), accepted.end(), name) == accepted.end()) {
            fail(key_field, "unknown key '" + name + "'; " + suggestion(name, accepted) +
                                "expected " + one_of(accepted));
        }
        if (out.count(name) != 0) {
            fail(key_field, "duplicate key '" + name + "'");
        }
        out.emplace(name, field{value, mark_or(value, key_field.mark), key_field.path});
    }
    return out;
}

std::vector<field> yaml_reader::one_or_list(const field& f) const
{
    if (!f.node.IsSequence()) {
        return {f};
    }
    std::vector<field> out;
    std::size_t i = 0;
    for (const auto& element : f.node) {
        out.push_back(field{element, mark_or(element, f.mark), index_path(f.path, i++)});
    }
    return out;
}

std::string yaml_reader::string(const field& f) const
{
    if (!f.node.IsScalar()) {
        fail(f, "expected a value, got " + node_type_name(f.node));
    }
    return f.node.Scalar();
}

bool yaml_reader::boolean(const field& f) const
{
    const std::string s = string(f);
    if (s == "true" || s == "True" || s == "TRUE") {
        return true;
    }
    if (s == "false" || s == "False" || s == "FALSE") {
        return false;
    }
    fail(f, "expected true or false, got '" + s + "'");
}

std::uint64_t yaml_reader::count(const field& f) const
{
    const std::string s = string(f);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        fail(f, "expected a whole number of 0 or more, got '" + s + "'");
    }
    return value;
}

double yaml_reader::number(const field& f) const
{
    const std::string s = string(f);
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) {
        fail(f, "expected a number, got '" + s + "'");
    }
    return value;
}

std::chrono::milliseconds yaml_reader::duration(const field& f) const
{
    const std::string s = string(f);
    if (auto d = config::parse_duration(s)) {
        return *d;
    }
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) {
        fail(f, "a bare number is not a duration: write it with a unit, e.g. '" + s + "ms' or '" +
                    s + "s' (units: ms, s, m, h)");
    }
    fail(f, "bad duration '" + s +
                "'; expected a number with a unit (ms, s, m, h), e.g. '250ms', '1.5s', '2m'");
}

std::size_t yaml_reader::choice(const field& f,
                                std::initializer_list<std::string_view> accepted) const
{
    return choice(f, std::vector<std::string_view>(accepted));
}

std::size_t yaml_reader::choice(const field& f, const std::vector<std::string_view>& accepted) const
{
    const std::string s = string(f);
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        if (accepted[i] == s) {
            return i;
        }
    }
    fail(f,
         "unknown value '" + s + "'; " + suggestion(s, accepted) + "expected " + one_of(accepted));
}

bool yaml_reader::plain(const field& f)
{
    return f.node.IsScalar() && f.node.Tag() == "?";
}

} // namespace faults::detail
