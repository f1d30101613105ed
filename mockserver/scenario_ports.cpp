#include "mockserver/scenario_ports.hpp"

#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"
#include "io/endpoint.hpp"
#include "mockserver/embedded_files.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace mock {

struct scenario_ports::port {
    faults::scenario scenario;
    faults::controller controller;
    control::controller_fault_source source{controller};

    port(faults::scenario s, std::uint64_t seed)
        : scenario(s)
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

// A catalog name, else a scenario file (named by its file name when it has no name).
faults::scenario named_scenario(const std::string& given)
{
    if (auto s = catalog_scenario(given)) {
        return std::move(*s);
    }
    std::error_code ec;
    if (!std::filesystem::exists(given, ec)) {
        throw std::runtime_error(std::string("--port-scenario ") + given +
                                 ": neither a catalog scenario nor a scenario file");
    }
    try {
        auto s = faults::load_scenario_file(given);
        if (s.name.empty()) {
            s.name = std::filesystem::path(given).stem().string();
        }
        return s;
    } catch (const faults::scenario_error& e) {
        throw std::runtime_error(std::string("--port-scenario: ") + e.what());
    }
}

} // namespace

scenario_ports::scenario_ports(const server_options& options, std::uint64_t seed)
{
    if (!options.scenario_ports) {
        return;
    }
    base_ = *options.scenario_ports;
    const auto first = io::parse_endpoint(options.listen.empty() ? "" : options.listen.front());
    if (!first) {
        throw std::runtime_error(std::string(option) + " needs an SMTP listener (--listen)");
    }
    address_ = first->address().to_string();
    std::vector<faults::scenario> scenarios;
    if (options.port_scenarios.empty()) {
        scenarios = whole_catalog();
    }
    for (const auto& given : options.port_scenarios) {
        scenarios.push_back(named_scenario(given));
    }
    for (const auto& s : scenarios) {
        const auto same = [&](const auto& p) {
            return p->scenario.name == s.name;
        };
        if (std::any_of(ports_.begin(), ports_.end(), same)) {
            throw std::runtime_error(std::string("--port-scenario ") + s.name +
                                     ": given twice; each scenario gets one port");
        }
        if (base_ != 0 && base_ + ports_.size() > 65535) {
            throw std::runtime_error(std::string(option) + " " + std::to_string(base_) + ": " +
                                     std::to_string(scenarios.size()) +
                                     " scenarios do not fit below port 65536");
        }
        ports_.push_back(std::make_unique<port>(s, seed));
    }
}

scenario_ports::~scenario_ports() = default;

void scenario_ports::add_listeners(server& smtp) const
{
    for (std::size_t k = 0; k < ports_.size(); ++k) {
        const auto number = base_ == 0 ? 0 : base_ + k;
        const auto text = io::to_string(
            {boost::asio::ip::make_address(address_), static_cast<std::uint16_t>(number)});
        auto& p = *ports_[k];
        smtp.add_scenario_listener(text, &p.source, control::to_listener_mode(p.scenario.listener),
                                   p.scenario.name);
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
