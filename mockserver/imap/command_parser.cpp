#include "mockserver/imap/command_parser.hpp"

#include "mockserver/imap/command_reader.hpp"
#include "smtp/ascii.hpp"
#include "smtp/imap_syntax.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

namespace mock::imap {

namespace {

constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

} // namespace

bool sequence_set::exceeds(std::uint32_t largest) const noexcept
{
    return std::any_of(ranges_.begin(), ranges_.end(), [&](const range& r) {
        return (r.first != star && r.first > largest) || (r.last != star && r.last > largest);
    });
}

std::vector<sequence_set::range> sequence_set::resolve(std::uint32_t largest) const
{
    std::vector<range> out;
    for (auto r : ranges_) {
        auto a = r.first == star ? largest : r.first;
        auto b = r.last == star ? largest : r.last;
        if (a > b) {
            std::swap(a, b);
        }
        if (a == 0) {
            continue; // "*" of an empty mailbox
        }
        out.push_back({a, b});
    }
    std::sort(out.begin(), out.end(), [](range x, range y) { return x.first < y.first; });
    std::vector<range> merged;
    for (auto r : out) {
        if (!merged.empty() && r.first <= merged.back().last + 1ull) {
            merged.back().last = std::max(merged.back().last, r.last);
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

bool sequence_set::contains(std::uint32_t value, std::uint32_t largest) const noexcept
{
    return std::any_of(ranges_.begin(), ranges_.end(), [&](const range& r) {
        auto a = r.first == star ? largest : r.first;
        auto b = r.last == star ? largest : r.last;
        return value >= std::min(a, b) && value <= std::max(a, b);
    });
}

arg_reader::arg_reader(std::string_view command)
    : in_(command)
{
}

void arg_reader::fail(std::string_view what, std::size_t at)
{
    if (error_.empty()) {
        error_ = fmt::format("expected {} at octet {}", what, at);
    }
}

bool arg_reader::peek_word(std::string_view s) const noexcept
{
    return smtp::istarts_with(rest(), s);
}

bool arg_reader::take(char c) noexcept
{
    if (ok() && peek(c)) {
        ++pos_;
        return true;
    }
    return false;
}

bool arg_reader::expect(char c, std::string_view what)
{
    if (take(c)) {
        return true;
    }
    fail(what);
    return false;
}

bool arg_reader::end()
{
    if (ok() && !at_end()) {
        fail("the end of the command");
    }
    return ok();
}

std::optional<std::string> arg_reader::tag()
{
    auto t = command_tag(rest());
    if (t == "*" || !ok()) {
        fail("a tag");
        return std::nullopt;
    }
    pos_ += t.size();
    return t;
}

std::optional<std::string> arg_reader::atom(std::string_view what)
{
    const auto start = pos_;
    while (ok() && pos_ < in_.size() && smtp::imap::is_atom_char(in_[pos_])) {
        ++pos_;
    }
    if (!ok() || pos_ == start) {
        fail(what);
        return std::nullopt;
    }
    return std::string(in_.substr(start, pos_ - start));
}

std::optional<std::string> arg_reader::keyword(std::string_view what)
{
    const auto start = pos_;
    while (ok() && pos_ < in_.size() &&
           (std::isalnum(static_cast<unsigned char>(in_[pos_])) != 0 || in_[pos_] == '.' ||
            in_[pos_] == '-')) {
        ++pos_;
    }
    if (!ok() || pos_ == start) {
        fail(what);
        return std::nullopt;
    }
    return smtp::to_upper(in_.substr(start, pos_ - start));
}

std::optional<std::string> arg_reader::astring(std::string_view what)
{
    if (!ok()) {
        return std::nullopt;
    }
    if (peek('"') || peek('{')) {
        return string(what);
    }
    // RFC 3501 §9: astring = 1*ASTRING-CHAR / string
    const auto start = pos_;
    while (pos_ < in_.size() && smtp::imap::is_astring_char(in_[pos_])) {
        ++pos_;
    }
    if (pos_ == start) {
        fail(what);
        return std::nullopt;
    }
    return std::string(in_.substr(start, pos_ - start));
}

std::optional<std::string> arg_reader::list_mailbox()
{
    if (!ok()) {
        return std::nullopt;
    }
    if (peek('"') || peek('{')) {
        return string("a mailbox name or pattern");
    }
    // RFC 3501 §9: list-char = ATOM-CHAR / list-wildcards / resp-specials
    const auto start = pos_;
    while (pos_ < in_.size() &&
           (smtp::imap::is_astring_char(in_[pos_]) || in_[pos_] == '%' || in_[pos_] == '*')) {
        ++pos_;
    }
    if (pos_ == start) {
        fail("a mailbox name or pattern");
        return std::nullopt;
    }
    return std::string(in_.substr(start, pos_ - start));
}

std::optional<std::string> arg_reader::string(std::string_view what)
{
    if (!ok()) {
        return std::nullopt;
    }
    if (peek('"')) {
        return quoted(what);
    }
    if (peek('{')) {
        return literal(what);
    }
    fail(what);
    return std::nullopt;
}

std::optional<std::string> arg_reader::quoted(std::string_view what)
{
    // RFC 3501 §9: quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = <any TEXT-CHAR except
    // quoted-specials> / "\" quoted-specials. Octets above 0x7f are taken as they are.
    const auto start = pos_++;
    std::string out;
    while (pos_ < in_.size()) {
        char c = in_[pos_++];
        if (c == '"') {
            return out;
        }
        if (c == '\\') {
            if (pos_ < in_.size() && (in_[pos_] == '"' || in_[pos_] == '\\')) {
                out += in_[pos_++];
                continue;
            }
            --pos_;
            fail("\\\" or \\\\ after a backslash in a quoted string");
            return std::nullopt;
        }
        if (c == '\0' || c == '\r' || c == '\n') {
            --pos_;
            fail("a character allowed in a quoted string");
            return std::nullopt;
        }
        out += c;
    }
    pos_ = start;
    fail(fmt::format("{} (a quoted string ends with a double quote)", what));
    return std::nullopt;
}

std::optional<std::string> arg_reader::literal(std::string_view what)
{
    // RFC 3501 §9: literal = "{" number "}" CRLF *CHAR8; RFC 7888: "{" number "+}".
    const auto close = in_.find('}', pos_);
    const auto header = close == std::string_view::npos
                            ? std::nullopt
                            : smtp::imap::trailing_literal(in_.substr(pos_, close + 1 - pos_));
    if (!header || header->length != close + 1 - pos_ || in_.substr(close + 1, 2) != "\r\n" ||
        in_.size() - (close + 3) < header->size) {
        fail(what);
        return std::nullopt;
    }
    pos_ = close + 3 + header->size;
    return std::string(in_.substr(close + 3, header->size));
}

std::optional<std::uint32_t> arg_reader::number(std::string_view what)
{
    const auto start = pos_;
    std::uint64_t v = 0;
    while (ok() && pos_ < in_.size() && is_digit(in_[pos_]) && v <= 0xffffffffull) {
        v = v * 10 + static_cast<std::uint64_t>(in_[pos_++] - '0');
    }
    if (!ok() || pos_ == start || v > 0xffffffffull) {
        pos_ = start;
        fail(what);
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

std::optional<std::uint32_t> arg_reader::nz_number(std::string_view what)
{
    const auto start = pos_;
    auto n = number(what);
    if (n && *n == 0) {
        pos_ = start;
        fail(what);
        return std::nullopt;
    }
    return n;
}

std::optional<std::uint32_t> arg_reader::seq_number()
{
    if (take('*')) {
        return sequence_set::star;
    }
    return nz_number("a message number or \"*\"");
}

std::optional<sequence_set> arg_reader::sequence(std::string_view what)
{
    // RFC 3501 §9: sequence-set = (seq-number / seq-range) *("," sequence-set)
    if (!ok() || !(peek('*') || (pos_ < in_.size() && is_digit(in_[pos_])))) {
        fail(what);
        return std::nullopt;
    }
    sequence_set set;
    do {
        auto first = seq_number();
        if (!first) {
            return std::nullopt;
        }
        auto last = first;
        if (take(':')) {
            last = seq_number();
            if (!last) {
                return std::nullopt;
            }
        }
        set.add({*first, *last});
    } while (take(','));
    return set;
}

std::optional<civil_date> arg_reader::date()
{
    // RFC 3501 §9: date = date-text / DQUOTE date-text DQUOTE;
    // date-text = date-day "-" date-month "-" date-year
    const auto start = pos_;
    const bool quoted_date = take('"');
    auto day = number("a day of the month");
    unsigned month = 0;
    if (day && expect('-', "\"-\" in a date")) {
        for (unsigned m = 0; m < month_names.size(); ++m) {
            if (peek_word(month_names[m])) {
                month = m + 1;
            }
        }
        if (month == 0) {
            fail("a month name (Jan ... Dec)");
        }
        pos_ += 3;
    }
    const auto year_at = pos_ + 1;
    std::optional<std::uint32_t> year;
    if (ok() && expect('-', "\"-\" in a date")) {
        year = number("a year");
    }
    if (quoted_date && ok()) {
        expect('"', "a double quote ending the date");
    }
    if (!ok()) {
        return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(*year)),
                                          std::chrono::month(month), std::chrono::day(*day)};
    if (*day > 31 || *year > 9999 || pos_ - year_at - (quoted_date ? 1 : 0) != 4 || !ymd.ok()) {
        pos_ = start;
        fail("a valid date such as 1-Feb-2024");
        return std::nullopt;
    }
    return std::chrono::sys_days(ymd);
}

} // namespace mock::imap
