#include "harness/make_monitor.hpp"

#include "harness/builtin_monitor.hpp"
#include "harness/command_monitor.hpp"
#include "harness/http_monitor.hpp"

namespace harness {

std::unique_ptr<monitor> make_monitor(const monitor_spec& spec,
                                      const harness_credentials& credentials,
                                      std::chrono::milliseconds time_limit)
{
    switch (spec.kind) {
    case monitor_spec::kind_t::builtin:
        return std::make_unique<builtin_monitor>(credentials);
    case monitor_spec::kind_t::command:
        return std::make_unique<command_monitor>(spec.argv, time_limit, credentials);
    case monitor_spec::kind_t::http:
        return std::make_unique<http_monitor>(spec.url, time_limit, credentials);
    }
    return nullptr;
}

} // namespace harness
