#include "harness/alerts/timeline.hpp"

#include "config/document_file.hpp"
#include "harness/alerts/document_reader.hpp"

#include <set>

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
try {
    const auto rd = detail::document_reader(std::string(source_name));
    auto root = rd.parse(text).node;
    if (!root.IsMap()) {
        rd.fail(root, "", "expected a mapping with steps");
    }
    timeline tl;
    for (const auto& kv : root) {
        auto key = kv.first.Scalar();
        if (key != "name" && key != "steps" && key != "description") {
            rd.unknown_key(kv.first, key, {"name", "description", "steps"});
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
                rd.unknown_key(kv.first, p, {"id", "scenario", "for"});
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
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

timeline load_timeline_file(const std::filesystem::path& file,
                            const std::filesystem::path& catalog_dir)
try {
    return load_timeline(config::read_document_file(file), file.string(), file.parent_path(),
                         catalog_dir);
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

} // namespace harness::alerts
