#include "watch/watch_log.hpp"

#include "json/rfc3339.hpp"
#include "watch/alert_payload.hpp"

#include <cstdio>
#include <string>

namespace watch {

void log_line(std::string_view message)
{
    std::string line = json_text::rfc3339(wall_clock::now()) + " smtp-probe watch: ";
    line.append(message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace watch
