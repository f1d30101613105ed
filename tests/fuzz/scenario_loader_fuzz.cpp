// Fuzzes the scenario loader with arbitrary YAML/JSON: it either loads a valid scenario or
// throws scenario_error with a position; nothing else may escape. A scenario that loads comes
// back from its JSON form (what GET /api/v1/scenario shows) unchanged, with no null in it.
#include "faults/scenario_error.hpp"
#include "faults/scenario_json.hpp"
#include "faults/scenario_loader.hpp"

#include "json/json_text.hpp"
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool has_null(const boost::json::value& v)
{
    if (v.is_null()) {
        return true;
    }
    if (const auto* o = v.if_object()) {
        for (const auto& [key, item] : *o) {
            if (has_null(item)) {
                return true;
            }
        }
    }
    if (const auto* a = v.if_array()) {
        for (const auto& item : *a) {
            if (has_null(item)) {
                return true;
            }
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    faults::scenario scenario;
    try {
        scenario = faults::load_scenario(text, "fuzz.yaml");
    } catch (const faults::scenario_error& e) {
        if (std::string_view(e.what()).empty()) {
            std::abort();
        }
        return 0;
    }
    if (scenario.name.empty()) {
        std::abort();
    }
    const auto json = faults::to_json(scenario);
    if (has_null(json)) {
        std::abort(); // GET /api/v1/scenario never shows null for a value
    }
    const auto shown = json_text::serialize(json);
    try {
        if (!(faults::scenario_from_body(shown) == scenario)) {
            std::abort();
        }
    } catch (const faults::scenario_error&) {
        std::abort(); // what the API shows must load back
    }
    return 0;
}
