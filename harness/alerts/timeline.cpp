#include "harness/alerts/timeline.hpp"

#include "harness/alerts/yaml_node.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace harness::alerts {

std::chrono::milliseconds timeline::total() const noexcept
{
    std::chrono::milliseconds sum{0};
    for (const auto& s : steps) {
        sum += s.duration;
    }
    return sum;
}

int timeline::find(std::string_view id) const noexcept
{
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].id == id) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

timeline load_timeline(std::string_view text, std::string_view source_name,
                       const std::filesystem::path& base_dir,
                       const std::filesystem::path& catalog_dir)
{
    detail::yaml_reader rd{std::string(source_name)};
    auto root = rd.load(std::string(text));
    if (!root.IsMap()) {
        rd.fail(root, "", "expected a mapping with steps");
    }
    timeline tl;
    for (const auto& kv : root) {
        auto key = kv.first.Scalar();
        if (key != "name" && key != "steps" && key != "description") {
            rd.fail(kv.first, key, "unknown key; expected name, description or steps");
        }
    }
    tl.name = root["name"] ? rd.scalar(root["name"], "name")
                           : std::filesystem::path(std::string(source_name)).stem().string();
    auto steps = root["steps"];
    if (!steps || !steps.IsSequence() || steps.size() == 0) {
        rd.fail(steps ? steps : root, "steps", "expected a list of at least one step");
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        auto path = "steps[" + std::to_string(i) + ']';
        const auto& n = steps[i];
        if (!n.IsMap()) {
            rd.fail(n, path, "expected {scenario: NAME, for: DURATION}");
        }
        timeline_step step;
        for (const auto& kv : n) {
            auto key = kv.first.Scalar();
            auto p = path + '.' + key;
            if (key == "id") {
                step.id = rd.scalar(kv.second, p);
            } else if (key == "scenario") {
                step.scenario = rd.scalar(kv.second, p);
            } else if (key == "for") {
                step.duration = rd.duration(kv.second, p);
            } else {
                rd.fail(kv.first, p, "unknown key; expected id, scenario or for");
            }
        }
        if (step.scenario.empty()) {
            rd.fail(n, path, "a step needs a scenario");
        }
        if (step.duration.count() <= 0) {
            rd.fail(n, path, "a step needs a duration (for: 10s)");
        }
        const auto& s = step.scenario;
        bool is_file = s.find('/') != std::string::npos || s.ends_with(".yaml") ||
                       s.ends_with(".yml") || s.ends_with(".json");
        if (is_file) {
            std::filesystem::path p = s;
            step.file = p.is_relative() ? base_dir / p : p;
        } else {
            step.file = catalog_dir / (s + ".yaml");
        }
        if (!std::filesystem::exists(step.file)) {
            rd.fail(n["scenario"], path + ".scenario",
                    "no scenario file " + step.file.string() +
                        (is_file ? "" : " (use --catalog DIR to say where the catalog is)"));
        }
        if (step.id.empty()) {
            step.id = std::to_string(i + 1) + '-' + std::filesystem::path(s).stem().string();
        }
        if (!ids.insert(step.id).second) {
            rd.fail(n, path, "duplicate step id \"" + step.id + "\"");
        }
        tl.steps.push_back(std::move(step));
    }
    return tl;
}

timeline load_timeline_file(const std::filesystem::path& file,
                            const std::filesystem::path& catalog_dir)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw alerts_file_error(file.string() + ": cannot read the file");
    }
    std::stringstream buf;
    buf << in.rdbuf();
    return load_timeline(buf.str(), file.string(), file.parent_path(), catalog_dir);
}

} // namespace harness::alerts
