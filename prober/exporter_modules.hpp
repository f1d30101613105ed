#pragma once

// The modules file of `smtp-probe exporter`: named sets of probe options, as blackbox_exporter's
// modules are. Each module holds the keys of the probe options table (the same options, checks
// and messages as smtp-probe's flags and watch targets); the target comes from each request.
//
//   modules:
//     smtp_starttls:
//       starttls: true
//       cert_days: [30, 7]
//       timeout: 10s

#include "prober/probe_options.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace prober {

/// One module: a name and the probe options it stands for (without host and port).
struct exporter_module {
    /// The name a request gives as `module=`.
    std::string name;
    /// The probe options.
    probe_options options;
};

/// Every module of a modules file, in the file's order.
struct exporter_modules {
    /// The modules.
    std::vector<exporter_module> modules;

    /// The module called `name`, or null.
    const exporter_module* find(std::string_view name) const noexcept;
    /// "a, b, c": the names, for messages.
    std::string names() const;
};

/// A modules file that cannot be read or is invalid; what() is "file:line:column: path: problem".
class modules_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses a modules document; `source` names it in errors. Throws modules_error.
exporter_modules load_exporter_modules(std::string_view text, const std::string& source);

/// Reads and parses a modules file. Throws modules_error.
exporter_modules load_exporter_modules_file(const std::filesystem::path& file);

} // namespace prober
