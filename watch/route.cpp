#include "watch/route.hpp"

#include <algorithm>
#include <fnmatch.h>

namespace watch {
namespace {

template <typename T> bool admits(const std::vector<T>& allowed, const T& value)
{
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

template <typename T> bool admits(const std::vector<T>& allowed, const std::optional<T>& value)
{
    return allowed.empty() || (value && admits(allowed, *value));
}

} // namespace

bool glob_matches(std::string_view pattern, std::string_view name)
{
    return ::fnmatch(std::string(pattern).c_str(), std::string(name).c_str(), 0) == 0;
}

bool route_matches(const route_config& route, const alert_event& event)
{
    // A recovery belongs with the problem it ends, and flapping with the state it flaps from.
    const prober::probe_status status =
        event.type == notification_type::problem ? event.status : event.problem_status;
    if (!admits(route.types, event.type) || !admits(route.status, status) ||
        !admits(route.kind, event.kind) || !admits(route.phase, event.phase)) {
        return false;
    }
    if (route.target.empty()) {
        return true;
    }
    return std::any_of(route.target.begin(), route.target.end(),
                       [&](const std::string& p) { return glob_matches(p, event.target); });
}

std::vector<std::string> select_notifiers(const std::vector<route_config>& routes,
                                          const std::vector<notifier_config>& all_notifiers,
                                          const alert_event& event)
{
    std::vector<std::string> out;
    auto add = [&](const std::string& name) {
        if (std::find(out.begin(), out.end(), name) == out.end()) {
            out.push_back(name);
        }
    };
    if (routes.empty()) {
        for (const auto& n : all_notifiers) {
            add(n.name);
        }
        return out;
    }
    for (const auto& r : routes) {
        if (!route_matches(r, event)) {
            continue;
        }
        for (const auto& n : r.notifiers) {
            add(n);
        }
        if (!r.continue_matching) {
            break;
        }
    }
    return out;
}

} // namespace watch
