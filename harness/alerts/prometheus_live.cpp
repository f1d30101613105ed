#include "harness/alerts/prometheus_live.hpp"

#include "config/duration.hpp"
#include "harness/alerts/document_reader.hpp"
#include "harness/alerts/timeline.hpp"

namespace harness::alerts {
namespace {

// Divides the duration at `n` (when present) by `scale`, in place.
void scale_duration(const config::yaml_reader& rd, YAML::Node n, const std::string& path, int scale)
{
    if (!n) {
        return;
    }
    const auto d = rd.duration(n, path);
    auto scaled = d / scale;
    if (d.count() > 0 && scaled.count() == 0) {
        scaled = std::chrono::milliseconds(1);
    }
    n = config::format_duration(scaled);
}

} // namespace

std::string scaled_rule_file(std::string_view text, std::string_view source_name, int scale)
try {
    const auto rd = detail::document_reader(std::string(source_name));
    auto root = rd.parse(text).node;
    rd.require_map(root, "");
    auto groups = root["groups"];
    if (!groups || !groups.IsSequence()) {
        rd.fail(root, "groups", "expected a list of rule groups");
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto path = "groups[" + std::to_string(g) + ']';
        auto group = groups[g];
        rd.require_map(group, path);
        scale_duration(rd, group["interval"], path + ".interval", scale);
        auto rules = group["rules"];
        if (!rules || !rules.IsSequence()) {
            rd.fail(group, path + ".rules", "expected a list of rules");
        }
        for (std::size_t r = 0; r < rules.size(); ++r) {
            const auto rule = path + ".rules[" + std::to_string(r) + ']';
            rd.require_map(rules[r], rule);
            scale_duration(rd, rules[r]["for"], rule + ".for", scale);
            scale_duration(rd, rules[r]["keep_firing_for"], rule + ".keep_firing_for", scale);
        }
    }
    YAML::Emitter out;
    out << root;
    return std::string(out.c_str()) + '\n';
} catch (const config::error& e) {
    throw alerts_file_error(e.what());
}

} // namespace harness::alerts
