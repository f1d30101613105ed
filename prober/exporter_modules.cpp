#include "prober/exporter_modules.hpp"

#include "config/document_file.hpp"
#include "config/yaml_reader.hpp"
#include "prober/probe_options_yaml.hpp"

#include <algorithm>

namespace prober {
namespace {

// The keys a module may have: the probe options, less the target's own.
std::vector<std::string_view> module_keys()
{
    std::vector<std::string_view> keys;
    for (const auto& option : probe_option_table()) {
        keys.push_back(option.name);
    }
    return keys;
}

exporter_module read_module(const config::yaml_reader& rd, const std::string& name,
                            const YAML::Node& n, const std::string& path)
{
    rd.require_map(n, path);
    probe_options_builder builder;
    for (const auto& kv : n) {
        auto key = kv.first.Scalar();
        std::replace(key.begin(), key.end(), '-', '_');
        const auto p = path + '.' + key;
        if (!set_probe_option(rd, builder, key, kv.second, p)) {
            rd.unknown_key(kv.first, p, module_keys());
        }
    }
    return {name, builder.build(yaml_origin(rd, n, path))};
}

} // namespace

const exporter_module* exporter_modules::find(std::string_view name) const noexcept
{
    for (const auto& m : modules) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

std::string exporter_modules::names() const
{
    std::string out;
    for (const auto& m : modules) {
        out += (out.empty() ? "" : ", ") + m.name;
    }
    return out;
}

exporter_modules load_exporter_modules(std::string_view text, const std::string& source)
try {
    config::yaml_reader rd(source);
    const auto root = rd.parse(text);
    if (!root.node || root.node.IsNull()) {
        rd.fail(root, "the modules file is empty: it needs a 'modules' map");
    }
    const auto entries = rd.map(root, {"modules"});
    const auto found = entries.find("modules");
    if (found == entries.end()) {
        rd.fail(root, "a 'modules' map is missing");
    }
    const auto& list = found->second;
    rd.require_map(list);
    exporter_modules out;
    for (const auto& kv : list.node) {
        const auto name = rd.scalar(kv.first, "modules");
        if (name.empty()) {
            rd.fail(kv.first, "modules", "a module needs a name");
        }
        out.modules.push_back(read_module(rd, name, kv.second, "modules." + name));
    }
    if (out.modules.empty()) {
        rd.fail(list, "at least one module is needed");
    }
    return out;
} catch (const config::error& e) {
    throw modules_error(e.what());
} catch (const option_error& e) {
    throw modules_error(e.what());
}

exporter_modules load_exporter_modules_file(const std::filesystem::path& file)
try {
    return load_exporter_modules(config::read_document_file(file), file.string());
} catch (const config::error& e) {
    throw modules_error(e.what());
}

} // namespace prober
