#include "metrics/prometheus_text.hpp"

#include <charconv>
#include <limits>

namespace prometheus_text {

std::string label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help)
{
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

std::optional<std::size_t> parse_label_set(std::string_view text, std::size_t pos, label_set& out)
{
    const auto blanks = [&] {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == ',')) {
            ++pos;
        }
    };
    if (pos >= text.size() || text[pos] != '{') {
        return std::nullopt;
    }
    ++pos;
    for (blanks(); pos < text.size() && text[pos] != '}'; blanks()) {
        auto eq = text.find('=', pos);
        if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') {
            return std::nullopt;
        }
        std::string name(text.substr(pos, eq - pos)), value;
        for (pos = eq + 2; pos < text.size() && text[pos] != '"'; ++pos) {
            if (text[pos] == '\\' && pos + 1 < text.size()) {
                ++pos;
                value += text[pos] == 'n' ? '\n' : text[pos];
            } else {
                value += text[pos];
            }
        }
        if (pos >= text.size()) {
            return std::nullopt;
        }
        ++pos; // the closing quote
        out.emplace_back(std::move(name), std::move(value));
    }
    if (pos >= text.size()) {
        return std::nullopt;
    }
    return pos + 1;
}

std::vector<sample> parse_samples(std::string_view text)
{
    std::vector<sample> out;
    while (!text.empty()) {
        auto eol = text.find('\n');
        auto line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        sample s;
        auto end = line.find_first_of("{ ");
        if (end == std::string_view::npos || end == 0) {
            continue;
        }
        s.name = std::string(line.substr(0, end));
        std::size_t pos = end;
        if (line[pos] == '{') {
            auto after = parse_label_set(line, pos, s.labels);
            if (!after) {
                continue;
            }
            pos = *after;
        }
        auto value = line.substr(pos);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        s.value = std::string(value.substr(0, value.find(' ')));
        if (!s.value.empty()) {
            out.push_back(std::move(s));
        }
    }
    return out;
}

std::optional<double> sample_value(std::string_view value) noexcept
{
    // The exposition format writes infinities as +Inf and -Inf, and NaN as NaN.
    if (value == "+Inf" || value == "Inf") {
        return std::numeric_limits<double>::infinity();
    }
    if (value == "-Inf") {
        return -std::numeric_limits<double>::infinity();
    }
    if (value == "NaN") {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (!value.empty() && value.front() == '+') {
        value.remove_prefix(1);
    }
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
        value.find_first_of("iInN") != std::string_view::npos) {
        return std::nullopt;
    }
    return v;
}

} // namespace prometheus_text
