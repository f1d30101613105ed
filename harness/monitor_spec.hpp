#pragma once

// The --monitor SPEC: `builtin`, `cmd:TEMPLATE` or `http:URL`, and the
// substitution of placeholders (`{host}`, `{port}`, `{scenario}`, ...) into templates.

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
    /// Whether the template names the mock's mailbox ({pop3_port}, {imap_port},
    /// {mailbox_user}, {mailbox_password}, {mail_to}): then every mock serves POP3 and IMAP.
    bool uses_mailbox = false;
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
/// std::invalid_argument naming an unknown placeholder or an unmatched brace. `used`, when
/// given, receives the name of each placeholder substituted.
std::string substitute(std::string_view text, const placeholder_values& values,
                       std::vector<std::string>* used = nullptr);

/// What the placeholders of a monitor template stand for.
struct template_inputs {
    std::string host{};      ///< {host}: the mock's address
    unsigned port = 0;       ///< {port}: its SMTP port
    std::string scenario{};  ///< {scenario}: the scenario's name
    std::string ca_file{};   ///< {ca_file}: a PEM file with the CAs that sign its certificates
    std::string cert_file{}; ///< {cert_file}: the certificate chain it presents without a TLS fault
    std::string tls_name{};  ///< {tls_name}: the name that certificate carries
    /// {dns_port}: its DNS server on `host`, UDP and TCP; 0 when it serves none.
    unsigned dns_port = 0;
    unsigned pop3_port = 0;         ///< {pop3_port}: its POP3 service on `host`
    unsigned imap_port = 0;         ///< {imap_port}: its IMAP service on `host`
    std::string mailbox_user{};     ///< {mailbox_user}: the user the mailbox services know
    std::string mailbox_password{}; ///< {mailbox_password}: their password
    std::string mail_to{};          ///< {mail_to}: the address whose mail lands in that mailbox
    /// {domain}: the mail domain the mock's DNS server routes to it by MX
    std::string domain = "mock.test";
};

/// The placeholders a monitor template may use, with their values. The mailbox ones are
/// present only when the mock serves a mailbox (pop3_port and imap_port not 0).
placeholder_values template_values(const template_inputs& in);

} // namespace harness
