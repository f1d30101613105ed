#pragma once

// JSON for the control API (Boost.JSON): scenarios, rules and fire counts out; scenarios and
// rules in from a JSON or YAML body, with the loader's precise errors.
//
//   boost::json::value to_json(const scenario&);   // GET /api/v1/scenario
//   boost::json::value to_json(const rule_status&); // GET /api/v1/rules, one element
//   scenario scenario_from_body(body);              // PUT /api/v1/scenario
//   rule rule_from_body(body);                      // POST /api/v1/rules
//   boost::json::value error_json(const scenario_error&); // {"error":{code,message,path,...}}
//
// to_json writes the same keys a scenario file uses, so its output loads back unchanged.

#include "faults/controller.hpp"
#include "faults/scenario.hpp"
#include "faults/scenario_error.hpp"

#include <boost/json/value.hpp>
#include <string_view>

namespace faults {

/// A rule as a scenario file would write it: id, when, do (only the keys that are set).
boost::json::value to_json(const rule& r);

/// A rule with its fire count: the rule's keys plus "fired".
boost::json::value to_json(const rule_status& s);

/// A whole scenario, keys as in a scenario file.
boost::json::value to_json(const scenario& s);

/// Parses a scenario from a request body, JSON or YAML. Throws scenario_error.
scenario scenario_from_body(std::string_view body, std::string_view source_name = "request body");

/// Parses one rule from a request body, JSON or YAML. Throws scenario_error.
rule rule_from_body(std::string_view body, std::string_view source_name = "request body");

/// The control API's error body for a scenario mistake:
/// {"error":{"code":"invalid_scenario","message":...,"path":...,"line":...,"column":...}}.
boost::json::value error_json(const scenario_error& e);

} // namespace faults
