#include "json/json_text.hpp"

#include "smtp/utf8.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fmt/compile.h>
#include <fmt/format.h>
#include <iterator>
#include <limits>

namespace json_text {

namespace {

// RFC 8259 §7, escaped as boost::json::serialize escapes: '"' and '\\' with a backslash, the
// control characters with their short form (\b \t \n \f \r) or \u00XX, everything else as is.
void append_escaped(std::string& out, std::string_view text)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t plain = 0; // start of the run of octets copied as they are
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(text.data() + plain, i - plain);
        plain = i + 1;
        out += '\\';
        switch (c) {
        case '"':
            out += '"';
            break;
        case '\\':
            out += '\\';
            break;
        case '\b':
            out += 'b';
            break;
        case '\t':
            out += 't';
            break;
        case '\n':
            out += 'n';
            break;
        case '\f':
            out += 'f';
            break;
        case '\r':
            out += 'r';
            break;
        default:
            out += "u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out.append(text.data() + plain, text.size() - plain);
    out += '"';
}

// Whether `text` is printable ASCII with no '"' or '\\': written as it is, the common case.
bool plain_ascii(std::string_view text) noexcept
{
    static constexpr auto plain = [] {
        std::array<bool, 256> table{};
        for (unsigned c = 0x20; c < 0x80; ++c) {
            table[c] = c != '"' && c != '\\';
        }
        return table;
    }();
    // Eight octets at a time: one with its high bit set (not ASCII), one below 0x20, or a '"'
    // or '\\' (an octet of zero once xored with it) in the word. Each test is exact as a yes or
    // no (Anderson's "Bit Twiddling Hacks": haszero, hasless).
    constexpr std::uint64_t ones = 0x0101010101010101;
    constexpr std::uint64_t highs = ones * 0x80;
    const auto has_zero = [](std::uint64_t w) {
        return (w - ones) & ~w & highs;
    };
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, text.data() + i, sizeof w);
        if ((w & highs) | ((w - ones * 0x20) & ~w & highs) | has_zero(w ^ (ones * '"')) |
            has_zero(w ^ (ones * '\\'))) {
            return false;
        }
    }
    for (; i < text.size(); ++i) {
        if (!plain[static_cast<unsigned char>(text[i])]) {
            return false;
        }
    }
    return true;
}

} // namespace

void append_string(std::string& out, std::string_view text)
{
    if (plain_ascii(text)) {
        out += '"';
        out += text;
        out += '"';
        return;
    }
    // RFC 8259 §8.1: JSON text is UTF-8. Bytes that are not (a peer's, a file's) become
    // U+FFFD rather than making the whole document unreadable.
    if (smtp::is_valid_utf8(text)) {
        append_escaped(out, text);
    } else {
        append_escaped(out, smtp::to_valid_utf8(text));
    }
}

void append_number(std::string& out, double d)
{
    // JSON has no NaN or infinity (RFC 8259 §6).
    if (std::isfinite(d)) {
        fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), d); // as "{}", unparsed
    } else {
        out += "null";
    }
}

// The appends below pass a pointer and a count: given two pointers, append() takes them as
// iterators and goes through the general replace, several times slower for a few digits.

void append_number(std::string& out, std::uint64_t n)
{
    char digits[std::numeric_limits<std::uint64_t>::digits10 + 1];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, static_cast<std::size_t>(end - digits));
}

void append_number(std::string& out, std::int64_t n)
{
    char digits[std::numeric_limits<std::int64_t>::digits10 + 2]; // and a sign
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, static_cast<std::size_t>(end - digits));
}

void append_milliseconds(std::string& out, std::chrono::nanoseconds d)
{
    // Below 0.0001 the double's shortest form has an exponent, and from 2^32 ms on (49 days)
    // the double's spacing passes a nanosecond's: there, the double it is.
    const auto ns = d.count();
    constexpr std::int64_t exact_below = 4'000'000'000'000'000; // 4e9 ms
    if (ns < 0 || (ns > 0 && ns < 100) || ns >= exact_below) {
        append_number(out, std::chrono::duration<double, std::milli>(d).count());
        return;
    }
    // The whole milliseconds, a point and the decimals written in one buffer, one append.
    char digits[std::numeric_limits<std::uint64_t>::digits10 + 8];
    const auto whole = static_cast<std::uint64_t>(ns / 1000000);
    char* end = std::to_chars(digits, digits + sizeof digits - 7, whole).ptr;
    auto fraction = static_cast<unsigned>(ns % 1000000);
    if (fraction != 0) {
        int decimals = 6;
        for (; fraction % 10 == 0; fraction /= 10) {
            --decimals; // a trailing zero
        }
        *end = '.';
        for (int i = decimals; i >= 1; --i, fraction /= 10) {
            end[i] = static_cast<char>('0' + fraction % 10);
        }
        end += decimals + 1;
    }
    out.append(digits, static_cast<std::size_t>(end - digits));
}

void append(std::string& out, const boost::json::value& v)
{
    switch (v.kind()) {
    case boost::json::kind::null:
        out += "null";
        break;
    case boost::json::kind::bool_:
        out += v.get_bool() ? "true" : "false";
        break;
    case boost::json::kind::int64:
        append_number(out, v.get_int64());
        break;
    case boost::json::kind::uint64:
        append_number(out, v.get_uint64());
        break;
    case boost::json::kind::double_:
        append_number(out, v.get_double());
        break;
    case boost::json::kind::string:
        append_string(out, std::string_view(v.get_string().data(), v.get_string().size()));
        break;
    case boost::json::kind::array: {
        out += '[';
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) {
                out += ',';
            }
            first = false;
            append(out, e);
        }
        out += ']';
        break;
    }
    case boost::json::kind::object: {
        out += '{';
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first) {
                out += ',';
            }
            first = false;
            append_string(out, std::string_view(kv.key().data(), kv.key().size()));
            out += ':';
            append(out, kv.value());
        }
        out += '}';
        break;
    }
    }
}

std::string serialize(const boost::json::value& v)
{
    std::string out;
    append(out, v);
    return out;
}

} // namespace json_text
