#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace prober {

/// Recognises a rejection that names a DNS blocklist, such as
/// "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org".
/// Returns the blocklist's name ("Spamhaus", "SORBS", "Barracuda", "SpamCop", or the zone named
/// after "blocked using" / "listed at|on|in"), or nothing when the text names none.
std::optional<std::string> find_blocklist(std::string_view reply_text);

} // namespace prober
