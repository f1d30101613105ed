#include "prober/probe_options_yaml.hpp"

namespace prober {

option_origin yaml_origin(const config::yaml_reader& rd, const YAML::Node& n,
                          const std::string& path)
{
    option_origin where;
    where.form = option_origin::style::file;
    where.file = rd.source();
    if (const auto mark = n.Mark(); !mark.is_null()) {
        where.line = static_cast<std::size_t>(mark.line) + 1;
        where.column = static_cast<std::size_t>(mark.column) + 1;
    }
    where.name = path;
    return where;
}

bool set_probe_option(const config::yaml_reader& rd, probe_options_builder& builder,
                      const std::string& key, const YAML::Node& value, const std::string& path)
{
    if (find_probe_option(key) == nullptr) {
        return false;
    }
    return builder.set(key, rd.strings(value, path), yaml_origin(rd, value, path));
}

} // namespace prober
