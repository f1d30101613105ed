#pragma once

// JSON text for API responses. Like boost::json::serialize, except that doubles are written in
// their shortest plain form ("0.015", "3.748") rather than Boost 1.81's exponent form ("1.5E-2"),
// which people read in curl output and docs.

#include <boost/json/value.hpp>
#include <string>

namespace mock::control {

/// Serializes `v` as compact JSON.
std::string to_json_text(const boost::json::value& v);

} // namespace mock::control
