// Fuzzes the scenario loader with arbitrary YAML/JSON: it either loads a valid scenario or
// throws scenario_error with a position; nothing else may escape.
#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto scenario = faults::load_scenario(text, "fuzz.yaml");
        if (scenario.name.empty()) {
            std::abort();
        }
    } catch (const faults::scenario_error& e) {
        if (std::string_view(e.what()).empty()) {
            std::abort();
        }
    }
    return 0;
}
