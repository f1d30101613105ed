#include "harness/alerts/document_reader.hpp"

#include "prober/probe_options_table.hpp"

namespace harness::alerts::detail {

config::yaml_reader document_reader(std::string source)
{
    return config::yaml_reader(
        std::move(source),
        {&prober::parse_duration, "30s, 250ms, 2m, 4h or 1h30m", std::chrono::milliseconds::max()});
}

} // namespace harness::alerts::detail
