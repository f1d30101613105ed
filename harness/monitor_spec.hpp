#pragma once

// The --monitor SPEC: `builtin`, `cmd:TEMPLATE` or `http:URL`, and the
// substitution of `{host}`, `{port}` and `{scenario}` into templates.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

/// A parsed --monitor SPEC.
struct monitor_spec {
    /// Which adapter runs the monitor.
    enum class kind_t {
        builtin, ///< our probe, in process
        command, ///< `cmd:TEMPLATE`: a program judged by its Nagios exit code
        http,    ///< `http:URL`: a blackbox_exporter-style endpoint judged by probe_success
    };
    kind_t kind = kind_t::builtin; ///< the adapter
    /// For `cmd:`, the program and its arguments, placeholders not yet substituted.
    std::vector<std::string> argv;
    /// For `http:`, the URL, placeholders not yet substituted (it starts with http://).
    std::string url;
    /// The SPEC as given, for reports.
    std::string text;
};

/// Parses a SPEC. For `cmd:`, the template is split into words like a shell would
/// (whitespace separates; 'single' and "double" quotes and backslashes group), with no
/// expansion: use `cmd:/bin/sh -c '...'` for pipes or redirections. Placeholders are
/// checked. Throws std::invalid_argument with a message naming the problem.
monitor_spec parse_monitor_spec(std::string_view spec);

/// Splits a command line into words (see parse_monitor_spec). Throws std::invalid_argument on
/// an unclosed quote or a trailing backslash.
std::vector<std::string> split_words(std::string_view command);

/// The values placeholders stand for.
using placeholder_values = std::map<std::string, std::string, std::less<>>;

/// Replaces every `{name}` with its value; `{{` and `}}` stand for literal braces. Throws
/// std::invalid_argument naming an unknown placeholder or an unmatched brace.
std::string substitute(std::string_view text, const placeholder_values& values);

/// The placeholders a monitor template may use: host, port, scenario, ca_file (a PEM file with
/// the CAs that sign the mock's certificates), cert_file (a PEM file with the certificate chain
/// the mock presents when TLS has no fault), tls_name (the name that certificate carries) and
/// dns_port (the port of the mock's DNS server on `host`, UDP and TCP; 0 when it serves none).
placeholder_values template_values(std::string_view host, unsigned port, std::string_view scenario,
                                   std::string_view ca_file, std::string_view cert_file,
                                   std::string_view tls_name, unsigned dns_port = 0);

} // namespace harness
