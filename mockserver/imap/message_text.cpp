#include "mockserver/imap/message_text.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace mock::imap {

namespace {

// One header field: its name and all of its lines, line ends included.
struct field {
    std::string_view name;
    std::string_view raw;
};

// Calls `fn(field)` for each header field of `header`, in order.
template <typename Fn> void for_each_field(std::string_view header, Fn fn)
{
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto line_end = [&](std::size_t from) {
            auto lf = header.find('\n', from);
            return lf == std::string_view::npos ? header.size() : lf + 1;
        };
        const std::size_t start = pos;
        pos = line_end(pos);
        // RFC 5322 §2.2.3: a line starting with white space continues the field before it.
        while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) {
            pos = line_end(pos);
        }
        const auto raw = header.substr(start, pos - start);
        const auto colon = raw.find(':');
        if (raw == "\r\n" || raw == "\n" || colon == std::string_view::npos) {
            continue; // the empty line, or not a field
        }
        auto name = raw.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
            name.remove_suffix(1); // RFC 5322 §4.5: obs-optional allows WSP before the colon
        }
        fn(field{name, raw});
    }
}

bool listed(std::string_view name, const std::vector<std::string>& names)
{
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return smtp::iequals(n, name); });
}

} // namespace

message_parts split_message(std::string_view message) noexcept
{
    std::size_t pos = 0;
    while (pos < message.size()) {
        const auto lf = message.find('\n', pos);
        if (lf == std::string_view::npos) {
            break;
        }
        const auto line = message.substr(pos, lf + 1 - pos);
        if (line == "\r\n" || line == "\n") {
            return {message.substr(0, lf + 1), message.substr(lf + 1)};
        }
        pos = lf + 1;
    }
    return {message, message.substr(message.size())};
}

namespace {

// A field's value unfolded (RFC 5322 §2.2.3), without the white space around it.
std::string unfolded_value(const field& f)
{
    std::string value;
    for (char c : f.raw.substr(f.raw.find(':') + 1)) {
        if (c != '\r' && c != '\n') {
            value += c;
        }
    }
    const auto first = value.find_first_not_of(" \t");
    value.erase(0, first == std::string::npos ? value.size() : first);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.pop_back();
    }
    return value;
}

} // namespace

std::vector<std::string> header_values(std::string_view header, std::string_view name)
{
    std::vector<std::string> out;
    for_each_field(header, [&](const field& f) {
        if (smtp::iequals(f.name, name)) {
            out.push_back(unfolded_value(f));
        }
    });
    return out;
}

std::vector<header_field> header_fields(std::string_view header)
{
    std::vector<header_field> out;
    for_each_field(header, [&](const field& f) {
        out.push_back({std::string(f.name), unfolded_value(f)});
    });
    return out;
}

std::string header_subset(std::string_view header, const std::vector<std::string>& names,
                          bool exclude)
{
    std::string out;
    for_each_field(header, [&](const field& f) {
        if (listed(f.name, names) != exclude) {
            out += f.raw;
            if (out.back() != '\n') {
                out += "\r\n";
            }
        }
    });
    out += "\r\n";
    return out;
}

std::optional<civil_date> message_date(std::string_view value)
{
    // RFC 5322 §3.3: date-time = [ day-of-week "," ] date time [CFWS];
    // date = day month year
    static constexpr std::array<std::string_view, 12> months{
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    if (auto comma = value.find(','); comma != std::string_view::npos && comma < 12) {
        value.remove_prefix(comma + 1);
    }
    std::array<std::string, 3> word;
    std::size_t n = 0;
    std::size_t pos = 0;
    while (n < word.size()) {
        while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t')) {
            ++pos;
        }
        const auto start = pos;
        while (pos < value.size() && value[pos] != ' ' && value[pos] != '\t') {
            ++pos;
        }
        if (pos == start) {
            return std::nullopt;
        }
        word[n++] = smtp::to_lower(value.substr(start, pos - start));
    }
    auto number = [](const std::string& s) -> std::optional<int> {
        if (s.empty() || s.size() > 4 ||
            !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        return std::stoi(s);
    };
    const auto day = number(word[0]);
    auto year = number(word[2]);
    const auto month = std::find(months.begin(), months.end(), word[1].substr(0, 3));
    if (!day || !year || month == months.end() || word[1].size() != 3) {
        return std::nullopt;
    }
    if (word[2].size() == 2) {
        *year += *year < 50 ? 2000 : 1900; // RFC 5322 §4.3
    } else if (word[2].size() == 3) {
        *year += 1900;
    }
    const std::chrono::year_month_day ymd{
        std::chrono::year(*year),
        std::chrono::month(static_cast<unsigned>(month - months.begin() + 1)),
        std::chrono::day(static_cast<unsigned>(*day))};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return std::chrono::sys_days(ymd);
}

} // namespace mock::imap
