#pragma once

#include "watch/alert.hpp"
#include "watch/watch_config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace watch {

/// Whether a route's conditions all hold for an event (an empty condition holds).
bool route_matches(const route_config& route, const alert_event& event);

/// The notifiers an event goes to, in route order without repeats. Routes are tried in order
/// and the first match ends the search unless it says `continue`; with no routes at all, every
/// notifier in `all_notifiers` gets every event.
std::vector<std::string> select_notifiers(const std::vector<route_config>& routes,
                                          const std::vector<notifier_config>& all_notifiers,
                                          const alert_event& event);

/// Shell-style glob matching of target names: `*`, `?` and `[...]` (fnmatch).
bool glob_matches(std::string_view pattern, std::string_view name);

} // namespace watch
