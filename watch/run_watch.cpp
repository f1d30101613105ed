#include "watch/run_watch.hpp"

#include "watch/watch_config.hpp"
#include "watch/watch_service.hpp"

#include "json/json_text.hpp"
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>

namespace watch {

int run_watch(const std::string& config_file)
{
    watch_config config;
    try {
        config = load_watch_config_file(config_file);
    } catch (const config_error& e) {
        std::printf("SMTP UNKNOWN - %s\n", e.what());
        return 3;
    }
    std::vector<std::string> names;
    for (const auto& t : config.targets) {
        names.push_back(t.name);
    }
    watch_service service(std::move(config));
    int rc = service.run(
        [&](const std::string& address) {
            boost::json::object ready;
            ready["event"] = "ready";
            if (!address.empty()) {
                ready["status"] = address;
            }
            boost::json::array targets;
            for (const auto& n : names) {
                targets.push_back(boost::json::value(n));
            }
            ready["targets"] = std::move(targets);
            auto line = json_text::serialize(ready) + "\n";
            std::fwrite(line.data(), 1, line.size(), stdout);
            std::fflush(stdout);
        },
        true);
    if (rc != 0) {
        std::printf("SMTP UNKNOWN - smtp-probe watch could not start (the reason is on stderr)\n");
    }
    return rc;
}

} // namespace watch
