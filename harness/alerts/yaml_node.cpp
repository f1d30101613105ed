#include "harness/alerts/yaml_node.hpp"

#include "watch/watch_config.hpp"

namespace harness::alerts::detail {

YAML::Node yaml_reader::load(const std::string& text) const
{
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw alerts_file_error(source_ + ':' + std::to_string(e.mark.line + 1) + ':' +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
}

void yaml_reader::fail(const YAML::Node& n, const std::string& path,
                       const std::string& message) const
{
    auto mark = n.Mark();
    std::string where = source_;
    if (!mark.is_null()) {
        where += ':' + std::to_string(mark.line + 1) + ':' + std::to_string(mark.column + 1);
    }
    throw alerts_file_error(where + ": " + (path.empty() ? "" : path + ": ") + message);
}

std::string yaml_reader::scalar(const YAML::Node& n, const std::string& path) const
{
    if (!n || !n.IsScalar()) {
        fail(n, path, "expected a single value");
    }
    return n.Scalar();
}

bool yaml_reader::boolean(const YAML::Node& n, const std::string& path) const
{
    auto s = scalar(n, path);
    if (s == "true" || s == "yes") {
        return true;
    }
    if (s == "false" || s == "no") {
        return false;
    }
    fail(n, path, "expected true or false");
}

std::chrono::milliseconds yaml_reader::duration(const YAML::Node& n, const std::string& path) const
{
    auto s = scalar(n, path);
    auto d = watch::parse_watch_duration(s);
    if (!d) {
        fail(n, path, "expected a duration such as 30s or 250ms, got \"" + s + "\"");
    }
    return *d;
}

std::vector<std::string> yaml_reader::strings(const YAML::Node& n, const std::string& path) const
{
    std::vector<std::string> out;
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
        return out;
    }
    if (!n.IsSequence()) {
        fail(n, path, "expected a value or a list");
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
        out.push_back(scalar(n[i], path + '[' + std::to_string(i) + ']'));
    }
    return out;
}

} // namespace harness::alerts::detail
