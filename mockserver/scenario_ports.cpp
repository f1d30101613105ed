#include "mockserver/scenario_ports.hpp"

#include "config/document_file.hpp"
#include "config/yaml_reader.hpp"
#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"
#include "io/endpoint.hpp"
#include "mockserver/embedded_files.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace mock {

struct scenario_ports::port {
    faults::scenario scenario;
    std::uint16_t number; // 0: ephemeral
    faults::controller controller;
    control::controller_fault_source source{controller};

    port(faults::scenario s, std::uint16_t n, std::uint64_t seed)
        : scenario(s)
        , number(n)
        , controller(std::move(s), seed, std::chrono::steady_clock::now())
    {
    }
};

namespace {

constexpr const char* option = "--scenario-ports";

// The compiled-in catalog's scenario of this name, if there is one.
std::optional<faults::scenario> catalog_scenario(const std::string& name)
{
    for (std::size_t i = 0; i < catalog_files_count; ++i) {
        const auto& f = catalog_files[i];
        if (std::filesystem::path(f.name).stem() == name) {
            return faults::load_scenario(f.content, f.name);
        }
    }
    return std::nullopt;
}

std::vector<faults::scenario> whole_catalog()
{
    std::vector<faults::scenario> all;
    for (std::size_t i = 0; i < catalog_files_count; ++i) {
        all.push_back(faults::load_scenario(catalog_files[i].content, catalog_files[i].name));
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return all;
}

// A catalog name, else a scenario file in `folder` (named by its file name when it has no
// name). `where` names what gave it in errors: the option, or the place in a ports file.
faults::scenario named_scenario(const std::string& given, const std::string& where,
                                const std::filesystem::path& folder = {})
{
    if (auto s = catalog_scenario(given)) {
        return std::move(*s);
    }
    const auto file = folder / given;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        throw std::runtime_error(where + ": neither a catalog scenario nor a scenario file");
    }
    try {
        auto s = faults::load_scenario_file(file);
        if (s.name.empty()) {
            s.name = file.stem().string();
        }
        return s;
    } catch (const faults::scenario_error& e) {
        throw std::runtime_error(where + ": " + e.what());
    }
}

// "FILE:LINE:COLUMN: PATH" of a node.
std::string position(const config::yaml_reader& in, const config::field& f)
{
    return in.source() + ":" + std::to_string(f.mark.line + 1) + ":" +
           std::to_string(f.mark.column + 1) + ": " + f.path;
}

// The scenarios of one entry of a ports file: one for a fixed port, any number for port 0.
std::vector<config::field> entry_scenarios(const config::yaml_reader& in, const config::field& key,
                                           const YAML::Node& value, std::uint16_t number)
{
    auto f = config::yaml_reader::at(value, key.path);
    if (value.IsNull() || (value.IsSequence() && value.size() == 0)) {
        f.mark = key.mark;
        in.fail(f, "port " + key.path + " needs a scenario: a catalog name or a scenario file");
    }
    auto items = in.one_or_list(f);
    if (number != 0 && (value.IsSequence() || items.size() != 1)) {
        in.fail(f, "port " + key.path + " serves one scenario; a list is for port 0 (each "
                                         "of its scenarios gets an ephemeral port)");
    }
    return items;
}

} // namespace

std::vector<port_assignment> parse_port_map(std::string_view text, const std::string& source)
{
    const config::yaml_reader in{source};
    const auto root = in.parse(text);
    if (!root.node.IsMap() || root.node.size() == 0) {
        in.fail(root, "a scenario ports file maps each port to its scenario, e.g. "
                      "'2601: banner-missing' (0: a list of scenarios on ephemeral ports)");
    }
    std::vector<port_assignment> out;
    std::map<std::uint16_t, int> line_of; // the fixed ports so far, and their lines
    for (const auto& entry : root.node) {
        const YAML::Node key = entry.first;
        config::field key_field{key, key.Mark(), key.IsScalar() ? key.Scalar() : ""};
        if (!key.IsScalar()) {
            in.fail(key_field, "a key is a port: a whole number from 0 to 65535");
        }
        const auto number = static_cast<std::uint16_t>(in.integer(key_field, 0, 65535));
        if (number != 0) {
            const auto [seen, first] = line_of.emplace(number, key.Mark().line + 1);
            if (!first) {
                in.fail(key_field, "port " + std::to_string(number) + " is given twice (also at "
                                   "line " + std::to_string(seen->second) + ")");
            }
        }
        for (const auto& item : entry_scenarios(in, key_field, entry.second, number)) {
            auto name = in.scalar(item);
            if (name.empty()) {
                in.fail(item, "a catalog scenario name or a scenario file, not an empty text");
            }
            out.push_back({number, std::move(name), position(in, item)});
        }
    }
    return out;
}

scenario_ports::scenario_ports(const server_options& options, std::uint64_t seed)
{
    if (!options.scenario_ports && !options.scenario_ports_file) {
        return;
    }
    const auto first = io::parse_endpoint(options.listen.empty() ? "" : options.listen.front());
    if (!first) {
        throw std::runtime_error(
            std::string(options.scenario_ports_file ? "--scenario-ports-file" : option) +
            " needs an SMTP listener (--listen)");
    }
    address_ = first->address().to_string();
    if (const auto& file = options.scenario_ports_file) {
        for (const auto& a : parse_port_map(config::read_document_file(*file), file->string())) {
            const auto where = a.where + ": " + a.scenario;
            add(named_scenario(a.scenario, where, file->parent_path()), a.port, where, seed);
        }
        return;
    }
    const auto base = *options.scenario_ports;
    std::vector<faults::scenario> scenarios;
    if (options.port_scenarios.empty()) {
        scenarios = whole_catalog();
    }
    for (const auto& given : options.port_scenarios) {
        scenarios.push_back(named_scenario(given, "--port-scenario " + given));
    }
    if (base != 0 && base + scenarios.size() > 65536) {
        throw std::runtime_error(std::string(option) + " " + std::to_string(base) + ": " +
                                 std::to_string(scenarios.size()) +
                                 " scenarios do not fit below port 65536");
    }
    for (std::size_t k = 0; k < scenarios.size(); ++k) {
        const auto name = scenarios[k].name;
        add(std::move(scenarios[k]), static_cast<std::uint16_t>(base == 0 ? 0 : base + k),
            "--port-scenario " + name, seed);
    }
}

scenario_ports::~scenario_ports() = default;

void scenario_ports::add(faults::scenario s, std::uint16_t number, const std::string& where,
                         std::uint64_t seed)
{
    const auto same = [&](const auto& p) {
        return p->scenario.name == s.name;
    };
    if (std::any_of(ports_.begin(), ports_.end(), same)) {
        throw std::runtime_error(where + ": given twice; each scenario gets one port");
    }
    ports_.push_back(std::make_unique<port>(std::move(s), number, seed));
}

void scenario_ports::add_listeners(server& smtp) const
{
    for (const auto& p : ports_) {
        const auto text = io::to_string({boost::asio::ip::make_address(address_), p->number});
        smtp.add_scenario_listener(text, &p->source,
                                   control::to_listener_mode(p->scenario.listener),
                                   p->scenario.name);
    }
}

boost::json::object scenario_ports::ready_json(const server& smtp) const
{
    boost::json::object out;
    const auto endpoints = smtp.scenario_endpoints();
    for (std::size_t k = 0; k < ports_.size() && k < endpoints.size(); ++k) {
        out[ports_[k]->scenario.name] = io::to_string(endpoints[k]);
    }
    return out;
}

boost::json::array scenario_ports::ports_json(const server& smtp) const
{
    boost::json::array out;
    const auto endpoints = smtp.scenario_endpoints();
    for (std::size_t k = 0; k < ports_.size() && k < endpoints.size(); ++k) {
        const auto& s = ports_[k]->scenario;
        out.push_back(boost::json::object{{"scenario", s.name},
                                          {"address", io::to_string(endpoints[k])},
                                          {"port", endpoints[k].port()},
                                          {"listener", faults::to_string(s.listener)},
                                          {"summary", s.summary}});
    }
    return out;
}

} // namespace mock
