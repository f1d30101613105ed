#include "json/rfc3339.hpp"

namespace json_text {

namespace {

// Every year a system_clock time can hold has four digits (nanoseconds in 64 bits: 1677 to
// 2262), which is what the text below has room for.
static_assert(std::chrono::floor<std::chrono::years>(std::chrono::system_clock::duration::max())
                  .count() < 9999 - 1970);
static_assert(std::chrono::floor<std::chrono::years>(std::chrono::system_clock::duration::min())
                  .count() > -1970);

// Writes `n` (below 10^width) in `width` digits, with leading zeros.
char* put_digits(char* out, unsigned n, int width) noexcept
{
    for (int i = width - 1; i >= 0; --i, n /= 10) {
        out[i] = static_cast<char>('0' + n % 10);
    }
    return out + width;
}

std::string format(std::chrono::system_clock::time_point t, bool millis)
{
    // The civil date of the UTC day from the calendar of <chrono>, as gmtime_r() gives it (no
    // leap seconds), without its lock of the time zone and without formatting: a session's
    // `session_opened` event carries one, thousands a second.
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t.time_since_epoch());
    const auto day = floor<days>(ms);
    const year_month_day date{sys_days(day)};
    const hh_mm_ss time{ms - day};
    const int y = static_cast<int>(date.year());
    char text[24]; // YYYY-MM-DDTHH:MM:SS.mmmZ
    char* p = put_digits(text, static_cast<unsigned>(y), 4);
    *p++ = '-';
    p = put_digits(p, static_cast<unsigned>(date.month()), 2);
    *p++ = '-';
    p = put_digits(p, static_cast<unsigned>(date.day()), 2);
    *p++ = 'T';
    p = put_digits(p, static_cast<unsigned>(time.hours().count()), 2);
    *p++ = ':';
    p = put_digits(p, static_cast<unsigned>(time.minutes().count()), 2);
    *p++ = ':';
    p = put_digits(p, static_cast<unsigned>(time.seconds().count()), 2);
    if (millis) {
        *p++ = '.';
        p = put_digits(p, static_cast<unsigned>(time.subseconds().count()), 3);
    }
    *p++ = 'Z';
    return std::string(text, p);
}

} // namespace

std::string rfc3339(std::chrono::system_clock::time_point t)
{
    return format(t, true);
}

std::string rfc3339_seconds(std::chrono::system_clock::time_point t)
{
    return format(t, false);
}

} // namespace json_text
