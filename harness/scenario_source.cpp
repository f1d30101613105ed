#include "harness/scenario_source.hpp"

#include "faults/scenario_loader.hpp"

#include <cstdlib>
#include <set>
#include <stdexcept>

#ifndef SMTPH_CATALOG_DIR
#define SMTPH_CATALOG_DIR "faults/catalog"
#endif

namespace harness {

namespace fs = std::filesystem;

fs::path default_catalog_dir()
{
    if (const char* env = std::getenv("SMTPH_CATALOG_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    // An installed program (the Debian package, an unpacked tree) uses the catalog installed
    // beside it: PREFIX/bin/smtp-harness reads PREFIX/share/smtp-harness/catalog.
    std::error_code ec;
    const auto program = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto installed = program.parent_path().parent_path() / "share" / "smtp-harness" / "catalog";
        if (fs::is_directory(installed, ec)) {
            return installed;
        }
    }
    return SMTPH_CATALOG_DIR;
}

std::vector<std::string> catalog_names(const fs::path& catalog)
{
    std::set<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(catalog, ec), end; !ec && it != end; it.increment(ec)) {
        const auto ext = it->path().extension();
        if (ext == ".yaml" || ext == ".yml" || ext == ".json") {
            names.insert(it->path().stem().string());
        }
    }
    return {names.begin(), names.end()};
}

std::vector<faults::scenario> load_scenarios(const std::vector<std::string>& sources,
                                             const fs::path& catalog)
{
    std::vector<faults::scenario> out;
    std::set<std::string, std::less<>> seen;
    auto add = [&](faults::scenario s, const std::string& from) {
        if (!seen.insert(s.name).second) {
            // The same scenario named twice (e.g. a file and its name) is loaded once.
            for (const auto& o : out) {
                if (o.name == s.name && !(o == s)) {
                    throw std::runtime_error(from + ": a different scenario named '" + s.name +
                                             "' was already loaded");
                }
            }
            return;
        }
        out.push_back(std::move(s));
    };
    if (sources.empty()) {
        for (auto& s : faults::load_catalog(catalog)) {
            add(std::move(s), catalog.string());
        }
        return out;
    }
    for (const auto& source : sources) {
        std::error_code ec;
        const fs::path path(source);
        if (fs::is_directory(path, ec)) {
            for (auto& s : faults::load_catalog(path)) {
                add(std::move(s), source);
            }
        } else if (fs::is_regular_file(path, ec)) {
            add(faults::load_scenario_file(path), source);
        } else {
            bool found = false;
            if (source.find('/') == std::string::npos) {
                for (const char* ext : {".yaml", ".yml", ".json"}) {
                    const auto file = catalog / (source + ext);
                    if (fs::is_regular_file(file, ec)) {
                        add(faults::load_scenario_file(file), source);
                        found = true;
                        break;
                    }
                }
            }
            if (!found) {
                throw std::runtime_error("'" + source +
                                         "' is neither a directory, a file, nor a "
                                         "scenario of the catalog " +
                                         catalog.string() + " (see smtp-harness list)");
            }
        }
    }
    return out;
}

} // namespace harness
