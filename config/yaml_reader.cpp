#include "config/yaml_reader.hpp"

#include "config/document_file.hpp"
#include "config/suggest.hpp"
#include "smtp/utf8.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace config {
namespace {

// One line of the text with its number (from 1).
struct text_line {
    int number = 0;
    std::string_view text;
};

template <class F> void for_each_line(std::string_view text, F&& f)
{
    int number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (f(text_line{++number, line})) {
            return;
        }
    }
}

// The line of a "---" that starts a second document: a marker at the start of a line after
// content of a first document (comments, directives and blank lines are not content).
std::optional<int> second_document_line(std::string_view text)
{
    bool content = false;
    std::optional<int> found;
    for_each_line(text, [&](const text_line& l) {
        const bool marker = l.text.substr(0, 3) == "---" &&
                            (l.text.size() == 3 || l.text[3] == ' ' || l.text[3] == '\t');
        if (marker && content) {
            found = l.number;
            return true;
        }
        if (marker) {
            content = true; // "--- value" may carry content on the marker line itself
            return false;
        }
        const auto first = l.text.find_first_not_of(" \t");
        if (first != std::string_view::npos && l.text[first] != '#' && l.text[0] != '%' &&
            l.text != "...") {
            content = true;
        }
        return false;
    });
    return found;
}

// YAML 1.2 §6.1: indentation is spaces only. When a parse failed, a tab in the indentation of
// the line yaml-cpp stopped at (or the line before) is the cause, as (line, column).
std::optional<std::pair<int, int>> tab_in_indentation(std::string_view text, int error_line)
{
    std::optional<std::pair<int, int>> found;
    for_each_line(text, [&](const text_line& l) {
        if (l.number > error_line) {
            return true;
        }
        if (l.number < error_line - 1) {
            return false;
        }
        const auto content = l.text.find_first_not_of(" \t");
        const auto tab = l.text.find('\t');
        if (content != std::string_view::npos && tab < content) {
            found = {l.number, static_cast<int>(tab) + 1};
        }
        return false;
    });
    return found;
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
    case YAML::NodeType::Undefined:
        return "nothing";
    }
    return "nothing";
}

YAML::Mark mark_of(const YAML::Node& n)
{
    // A missing key's node (from a const operator[]) has no position to give.
    return n.IsDefined() ? n.Mark() : YAML::Mark::null_mark();
}

YAML::Mark mark_or(const YAML::Node& n, const YAML::Mark& fallback)
{
    const auto m = mark_of(n);
    return m.line >= 0 ? m : fallback;
}

std::string describe_range(std::int64_t lo, std::int64_t hi)
{
    if (hi == std::numeric_limits<std::int64_t>::max()) {
        return "of " + std::to_string(lo) + " or more";
    }
    return "from " + std::to_string(lo) + " to " + std::to_string(hi);
}

std::string plain_number(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.15g", v);
    return text;
}

// The 1-based line and column (in octets) of `offset` in `text`.
std::pair<int, int> position_of(std::string_view text, std::size_t offset)
{
    const auto before = text.substr(0, offset);
    const auto line_start = before.rfind('\n');
    const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const int column =
        1 +
        static_cast<int>(line_start == std::string_view::npos ? offset : offset - line_start - 1);
    return {line, column};
}

// The offset and code point of the first character YAML does not allow (C0 controls but tab,
// LF and CR; DEL; C1 controls but NEL), in valid UTF-8 text.
std::optional<std::pair<std::size_t, unsigned>> first_control_character(std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F) {
            return std::pair<std::size_t, unsigned>{i, b};
        }
        if (b == 0xC2 && i + 1 < text.size()) {
            const auto c = static_cast<unsigned char>(text[i + 1]);
            if (c >= 0x80 && c <= 0x9F && c != 0x85) {
                return std::pair<std::size_t, unsigned>{i, c};
            }
        }
    }
    return std::nullopt;
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

yaml_reader::yaml_reader(std::string source, duration_syntax durations)
    : source_(std::move(source))
    , durations_(durations)
{
}

field yaml_reader::parse(std::string_view text) const
{
    if (text.size() > max_document_size) {
        throw error(source_, 0, 0, "",
                    "the document is over the limit of " + std::to_string(max_document_size) +
                        " octets (it has " + std::to_string(text.size()) + ")");
    }
    // YAML 1.2 §5.2 and RFC 8259 §8.1: the text is UTF-8. Refuse anything else here, where the
    // position is known, rather than pass on bytes that would make JSON output invalid.
    if (auto bad = smtp::first_invalid_utf8(text)) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*bad]));
        const auto [line, column] = position_of(text, *bad);
        throw error(source_, line, column, "",
                    std::string("the text is not valid UTF-8 (byte ") + byte +
                        "); save the file as UTF-8");
    }
    // YAML 1.2 §5.1: control characters other than tab, line feed and carriage return (and
    // NEL) are not allowed in a document; yaml-cpp would turn some of them into other bytes.
    if (auto bad = first_control_character(text)) {
        char code[16];
        std::snprintf(code, sizeof code, "U+%04X", bad->second);
        const auto [line, column] = position_of(text, bad->first);
        throw error(source_, line, column, "",
                    std::string("the control character ") + code +
                        " is not allowed in a YAML document; write it as an escape in a "
                        "double-quoted string (\\x..) or remove it");
    }
    // yaml-cpp 0.7's LoadAll never returns on some malformed streams (e.g. ",{\""), so parse
    // the first document only, and find a second one by its "---" marker (YAML 1.2 §9.1).
    if (auto second = second_document_line(text)) {
        throw error(source_, *second, 1, "",
                    "expected one YAML document, found a second one; put one document in each "
                    "file");
    }
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        // Syntax errors, and the parser's own limits (nesting depth).
        const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        const int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
        if (auto tab = tab_in_indentation(text, line)) {
            throw error(source_, tab->first, tab->second, "",
                        "YAML syntax error: a tab in the indentation; YAML does not allow tabs "
                        "there, indent with spaces");
        }
        throw error(source_, line, column, "", "YAML syntax error: " + e.msg);
    }
    return field{root, mark_or(root, YAML::Mark()), ""};
}

void yaml_reader::fail(const field& f, const std::string& message) const
{
    const int line = f.mark.line >= 0 ? f.mark.line + 1 : 0;
    const int column = f.mark.column >= 0 ? f.mark.column + 1 : 0;
    throw error(source_, line, column, f.path, message);
}

std::map<std::string, field> yaml_reader::map(const field& f,
                                              std::initializer_list<std::string_view> allowed) const
{
    return map(f, std::vector<std::string_view>(allowed));
}

std::map<std::string, field> yaml_reader::map(const field& f,
                                              const std::vector<std::string_view>& allowed) const
{
    require_map(f);
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
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            unknown_key(key_field, allowed);
        }
        if (out.count(name) != 0) {
            fail(key_field, "duplicate key '" + name + "'");
        }
        out.emplace(name, field{value, mark_or(value, key_field.mark), key_field.path});
    }
    return out;
}

void yaml_reader::unknown_key(const field& key, const std::vector<std::string_view>& accepted) const
{
    const std::string name = key.node.IsScalar() ? key.node.Scalar() : std::string{};
    fail(key, "unknown key '" + name + "'; " + did_you_mean(name, accepted) + "expected " +
                  one_of(accepted));
}

void yaml_reader::require_map(const field& f) const
{
    if (!f.node.IsMap()) {
        fail(f, "expected a map, got " + node_type_name(f.node));
    }
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

std::vector<std::string> yaml_reader::strings(const field& f) const
{
    if (!f.node.IsScalar() && !f.node.IsSequence()) {
        fail(f, "expected a value or a list of values, got " + node_type_name(f.node));
    }
    std::vector<std::string> out;
    for (const auto& item : one_or_list(f)) {
        out.push_back(scalar(item));
    }
    return out;
}

std::string yaml_reader::scalar(const field& f) const
{
    if (!f.node.IsScalar()) {
        fail(f, "expected a value, got " + node_type_name(f.node));
    }
    return f.node.Scalar();
}

bool yaml_reader::boolean(const field& f) const
{
    const std::string s = scalar(f);
    for (std::string_view t : {"true", "True", "TRUE"}) {
        if (s == t) {
            return true;
        }
    }
    for (std::string_view t : {"false", "False", "FALSE"}) {
        if (s == t) {
            return false;
        }
    }
    // YAML 1.1's other booleans, written unquoted ("yes" in quotes, or in JSON, is a string).
    if (plain(f)) {
        for (std::string_view t : {"yes", "Yes", "YES", "on", "On", "ON"}) {
            if (s == t) {
                return true;
            }
        }
        for (std::string_view t : {"no", "No", "NO", "off", "Off", "OFF"}) {
            if (s == t) {
                return false;
            }
        }
    }
    fail(f, "expected true or false, got '" + s + "'");
}

std::uint64_t yaml_reader::count(const field& f, std::uint64_t max) const
{
    const std::string s = scalar(f);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value > max) {
        fail(f, "expected a whole number " +
                    (max == std::numeric_limits<std::uint64_t>::max()
                         ? std::string("of 0 or more")
                         : "from 0 to " + std::to_string(max)) +
                    ", got '" + s + "'");
    }
    return value;
}

std::int64_t yaml_reader::integer(const field& f, std::int64_t lo, std::int64_t hi) const
{
    const std::string s = scalar(f);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value < lo || value > hi) {
        fail(f, "expected a whole number " + describe_range(lo, hi) + ", got '" + s + "'");
    }
    return value;
}

double yaml_reader::number(const field& f) const
{
    const std::string s = scalar(f);
    double value = 0;
    // from_chars: decimal only, no locale, no hex floats; "inf" and "nan" parse but are refused.
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(value)) {
        fail(f, "expected a number, got '" + s + "'");
    }
    return value;
}

double yaml_reader::number(const field& f, double lo, double hi) const
{
    const double value = number(f);
    if (value < lo || value > hi) {
        fail(f, "expected a number from " + plain_number(lo) + " to " + plain_number(hi) +
                    ", got '" + scalar(f) + "'");
    }
    return value;
}

std::chrono::milliseconds yaml_reader::duration(const field& f) const
{
    const std::string s = scalar(f);
    if (auto d = durations_.parse(s)) {
        if (*d > durations_.max) {
            fail(f, "duration '" + s + "' is over the limit of " + format_duration(durations_.max));
        }
        return *d;
    }
    double bare = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), bare);
    const bool needs_unit = !durations_.parse("1");
    if (needs_unit && !s.empty() && ec == std::errc{} && end == s.data() + s.size() &&
        std::isfinite(bare)) {
        fail(f, "a bare number is not a duration: write it with a unit, e.g. '" + s + "ms' or '" +
                    s + "s' (units: ms, s, m, h)");
    }
    fail(f, "bad duration '" + s + "'; expected " +
                (needs_unit ? "a number with a unit, e.g. " : "e.g. ") +
                std::string(durations_.examples));
}

std::size_t yaml_reader::choice(const field& f,
                                std::initializer_list<std::string_view> accepted) const
{
    return choice(f, std::vector<std::string_view>(accepted));
}

std::size_t yaml_reader::choice(const field& f, const std::vector<std::string_view>& accepted) const
{
    const std::string s = scalar(f);
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        if (accepted[i] == s) {
            return i;
        }
    }
    fail(f, "unknown value '" + s + "'; " + did_you_mean(s, accepted) + "expected " +
                one_of(accepted));
}

bool yaml_reader::plain(const field& f)
{
    return f.node.IsScalar() && f.node.Tag() == "?";
}

field yaml_reader::at(const YAML::Node& n, std::string path)
{
    // A missing key's node is unusable (yaml-cpp throws on any question); an undefined node
    // answers them, as "nothing".
    if (!n.IsDefined()) {
        return field{YAML::Node(YAML::NodeType::Undefined), YAML::Mark::null_mark(),
                     std::move(path)};
    }
    return field{n, n.Mark(), std::move(path)};
}

void yaml_reader::fail(const YAML::Node& n, const std::string& path,
                       const std::string& message) const
{
    fail(at(n, path), message);
}

void yaml_reader::unknown_key(const YAML::Node& key, const std::string& path,
                              const std::vector<std::string_view>& accepted) const
{
    unknown_key(at(key, path), accepted);
}

void yaml_reader::require_map(const YAML::Node& n, const std::string& path) const
{
    require_map(at(n, path));
}

std::string yaml_reader::scalar(const YAML::Node& n, const std::string& path) const
{
    return scalar(at(n, path));
}

bool yaml_reader::boolean(const YAML::Node& n, const std::string& path) const
{
    return boolean(at(n, path));
}

std::int64_t yaml_reader::integer(const YAML::Node& n, const std::string& path, std::int64_t lo,
                                  std::int64_t hi) const
{
    return integer(at(n, path), lo, hi);
}

double yaml_reader::number(const YAML::Node& n, const std::string& path, double lo, double hi) const
{
    return number(at(n, path), lo, hi);
}

std::chrono::milliseconds yaml_reader::duration(const YAML::Node& n, const std::string& path) const
{
    return duration(at(n, path));
}

std::vector<std::string> yaml_reader::strings(const YAML::Node& n, const std::string& path) const
{
    return strings(at(n, path));
}

} // namespace config
