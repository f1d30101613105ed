#pragma once

#include <chrono>
#include <string>

namespace json_text {

/// `t` as an RFC 3339 UTC time with milliseconds, e.g. "2026-11-27T18:55:01.123Z": the one
/// writer of times for every program's JSON, logs, reports and alert texts. Times before 1970
/// floor to the millisecond below.
std::string rfc3339(std::chrono::system_clock::time_point t);

/// The same to the whole second below, e.g. "2026-11-27T18:55:01Z".
std::string rfc3339_seconds(std::chrono::system_clock::time_point t);

} // namespace json_text
