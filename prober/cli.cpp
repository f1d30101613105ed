#include "prober/cli.hpp"

#include "prober/mx_route.hpp"
#include "prober/probe_options_table.hpp"
#include "prober/target.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <sstream>

namespace prober {
namespace {

cli_request usage_error(const std::string& what)
{
    cli_request r;
    r.what = cli_request::command::exit;
    r.exit_code = 3;
    r.message = "SMTP UNKNOWN - " + what + " (see smtp-probe --help)\n";
    return r;
}

// The command-line options of one row of the probe options table.
struct table_flags {
    const probe_option* option = nullptr;
    CLI::Option* flag = nullptr;          // its flags, when it has any
    std::vector<CLI::Option*> shorthands; // -4, -6
};

std::string help_line(const probe_option& option)
{
    std::string help(option.help);
    if (!option.default_text.empty()) {
        help += " (default: " + std::string(option.default_text) + ")";
    }
    return help;
}

// Registers every probe option of the table with CLI11; parsing stores the raw values.
std::vector<table_flags> add_probe_options(CLI::App& app)
{
    std::vector<table_flags> out;
    for (const auto& option : probe_option_table()) {
        table_flags f;
        f.option = &option;
        const auto help = help_line(option);
        if (option.flags.empty()) {
            // Only shorthands (-4/-6): set below.
        } else if (option.type == option_type::flag) {
            f.flag = app.add_flag(std::string(option.flags), help);
        } else {
            f.flag = app.add_option(std::string(option.flags), CLI::callback_t{}, help)
                         ->type_name(std::string(option.value_name))
                         ->expected(1);
            if (option.type == option_type::list) {
                // One value per use; whatever follows is a target.
                f.flag->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                    ->allow_extra_args(false);
            }
        }
        for (const auto& s : option.shorthands) {
            const std::string shorthand_help(s.help);
            f.shorthands.push_back(app.add_flag(std::string(s.flag), shorthand_help));
        }
        out.push_back(std::move(f));
    }
    return out;
}

// The probe options the command line gave, through the table. Throws option_error.
probe_options read_probe_options(const std::vector<table_flags>& given)
{
    probe_options_builder builder;
    for (const auto& f : given) {
        option_origin where;
        where.name = flag_spelling(*f.option);
        if (f.flag != nullptr && f.flag->count() > 0) {
            const auto values = f.option->type == option_type::flag
                                    ? std::vector<std::string>{"true"}
                                    : f.flag->results();
            builder.set(f.option->name, values, where);
        }
        std::string used; // shorthands given, e.g. "-4 and -6"
        for (std::size_t i = 0; i < f.shorthands.size(); ++i) {
            if (f.shorthands[i]->count() > 0) {
                where.name = std::string(f.option->shorthands[i].flag);
                used += (used.empty() ? "" : " and ") + where.name;
                builder.set(f.option->name, {std::string(f.option->shorthands[i].value)}, where);
            }
        }
        if (used.find(" and ") != std::string::npos) {
            throw option_error(where, used + " exclude each other");
        }
    }
    return builder.build(option_origin{});
}

// The targets named on the command line, then those of the --targets file.
std::vector<target_address> read_targets(const std::vector<std::string>& positional,
                                         const std::string& targets_file, std::string& error)
{
    std::vector<target_address> addresses;
    for (const auto& text : positional) {
        auto t = parse_target(text);
        if (!t) {
            error = "invalid target \"" + text + "\": expected HOST[:PORT]";
            return {};
        }
        addresses.push_back(std::move(*t));
    }
    if (targets_file.empty()) {
        return addresses;
    }
    std::ifstream in(targets_file);
    if (!in) {
        error = "cannot read --targets file " + targets_file;
        return {};
    }
    std::stringstream buf;
    buf << in.rdbuf();
    std::size_t bad_line = 0;
    auto list = parse_targets_file(buf.str(), bad_line);
    if (!list) {
        error = targets_file + ":" + std::to_string(bad_line) +
                ": invalid target, expected HOST[:PORT]";
        return {};
    }
    addresses.insert(addresses.end(), list->begin(), list->end());
    return addresses;
}

// What the probe command's own options (not the probe options) hold after parsing.
struct probe_command {
    std::vector<std::string> positional;
    std::string targets_file;
    std::string format = "text";
    bool verbose = false;
    std::size_t max_concurrent = cli_request{}.max_concurrent;
};

void add_command_options(CLI::App& app, probe_command& c)
{
    app.add_option("targets", c.positional, "HOST[:PORT] to probe; [v6-address]:PORT for IPv6");
    app.add_option("--targets", c.targets_file, "Read more targets from FILE, one per line")
        ->type_name("FILE");
    app.add_option("--format", c.format, "Output: text, nagios, json or prometheus")
        ->check(CLI::IsMember({"text", "nagios", "json", "prometheus"}));
    app.add_flag("-v,--verbose", c.verbose, "Add the annotated transcript to text output");
    app.add_option("--max-concurrent-probes", c.max_concurrent,
                   "The most targets probed at once; the next starts as soon as one ends "
                   "(default: " + std::to_string(c.max_concurrent) + ")")
        ->check(CLI::Range(1, 100000));
}

// One request per target, each with the shared options.
cli_request probe_request(const probe_command& c, const probe_options& base)
{
    std::string error;
    const auto addresses = read_targets(c.positional, c.targets_file, error);
    if (!error.empty()) {
        return usage_error(error);
    }
    if (addresses.empty()) {
        return usage_error("no target given: smtp-probe [options] HOST[:PORT]...");
    }
    cli_request r;
    r.what = cli_request::command::probe;
    r.format = *parse_report_format(c.format);
    r.verbose = c.verbose;
    r.max_concurrent = c.max_concurrent;
    for (const auto& a : addresses) {
        if (base.mx && !is_mail_domain(a.host)) {
            return usage_error("--mx: \"" + a.host + "\" is not a mail domain");
        }
        probe_options o = base;
        o.host = a.host;
        if (a.port != 0) {
            o.port = a.port;
        }
        r.targets.push_back(std::move(o));
    }
    return r;
}

// The flags of `smtp-probe exporter` as given.
struct exporter_flags {
    exporter_settings settings;
    std::string timeout_offset = "0.5s";
};

CLI::App* add_exporter(CLI::App& app, exporter_flags& f)
{
    auto* sub = app.add_subcommand(
        "exporter", "Serve blackbox_exporter's /probe?target=&module= for Prometheus "
                    "(see docs/prometheus.md)");
    sub->add_option("--config", f.settings.config_file, "Modules file")
        ->type_name("FILE")
        ->required();
    sub->add_option("--listen", f.settings.listen, "Listen on ADDR:PORT (default: 127.0.0.1:9125)")
        ->type_name("ADDR:PORT");
    sub->add_option("--max-concurrent-probes", f.settings.max_concurrent,
                    "The most probes that run at once; more get 503 (default: 16)")
        ->check(CLI::Range(1, 10000));
    sub->add_option("--timeout-offset", f.timeout_offset,
                    "Subtracted from the scrape timeout to give the probe deadline (default: 0.5s)")
        ->type_name("DUR");
    sub->add_option("--allowed-host", f.settings.allowed_hosts,
                    "A name accepted in Host besides the bound address and localhost (repeatable)")
        ->type_name("NAME");
    return sub;
}

cli_request exporter_request(const exporter_flags& f)
{
    const auto offset = parse_duration(f.timeout_offset);
    if (!offset) {
        return usage_error("--timeout-offset \"" + f.timeout_offset +
                           "\" is not a duration such as 500ms or 1s");
    }
    cli_request r;
    r.what = cli_request::command::exporter;
    r.exporter = f.settings;
    r.exporter.timeout_offset = *offset;
    return r;
}

} // namespace

cli_request parse_cli(int argc, const char* const* argv)
{
    CLI::App app{"smtp-probe: checks an SMTP service and reports what failed, where, when and "
                 "what was received.",
                 "smtp-probe"};
    app.set_version_flag("--version", "smtp-probe 0.1.0");
    app.require_subcommand(0, 1);
    probe_command command;
    add_command_options(app, command);
    const auto table = add_probe_options(app);
    std::string watch_config;
    auto* watch =
        app.add_subcommand("watch", "Probe continuously and alert (see docs/alerting.md)");
    watch->add_option("--config", watch_config, "Watch configuration file")->required();

    exporter_flags exporter_given;
    auto* exporter = add_exporter(app, exporter_given);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        cli_request r;
        r.message = app.help();
        return r;
    } catch (const CLI::CallForVersion&) {
        cli_request r;
        r.message = app.version() + "\n";
        return r;
    } catch (const CLI::ParseError& e) {
        return usage_error(e.what());
    }
    if (watch->parsed()) {
        cli_request r;
        r.what = cli_request::command::watch;
        r.watch_config = watch_config;
        return r;
    }
    if (exporter->parsed()) {
        return exporter_request(exporter_given);
    }
    try {
        return probe_request(command, read_probe_options(table));
    } catch (const option_error& e) {
        return usage_error(e.what());
    }
}

} // namespace prober
