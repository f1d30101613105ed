#pragma once

// The one table of probe options: every option a probe takes, with its name in files, its
// command-line flags, the shape of its value, its default, its help line and its validation.
// The command line (prober/cli.cpp), the watch configuration (watch/watch_config.cpp) and
// exporter modules all build probe_options through it, so an option is checked once, by the
// same rules and with the same message, wherever it was written.
//
//   probe_options_builder b;
//   b.set("timeout", {"5s"}, origin);   // throws option_error naming `origin`
//   auto copy = b;                      // a layer: defaults, then one target's keys
//   probe_options o = b.build(where);   // derived defaults and the rules that join keys

#include "prober/probe_options.hpp"

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace prober {

/// Where an option was written, for messages.
struct option_origin {
    /// How the user spells keys there.
    enum class style {
        command_line, ///< flags: "--starttls"
        file,         ///< keys: "starttls"
    };
    /// The spelling of keys in messages about this origin.
    style form = style::command_line;
    /// The file; empty on the command line.
    std::string file;
    /// 1-based line in `file`; 0 when unknown.
    std::size_t line = 0;
    /// 1-based column in `file`; 0 when unknown.
    std::size_t column = 0;
    /// The key as written there, with its path: "--timeout", "targets[0].timeout".
    std::string name;
};

/// "--timeout" on the command line; "watch.yaml:3:5: targets[0].timeout" in a file.
std::string to_string(const option_origin& where);

/// A mistake in a probe option: where it was written and what is wrong with it. what() is
/// `to_string(where()) + ": " + problem()`.
class option_error : public std::runtime_error {
public:
    /// The error at `where`.
    option_error(option_origin where, std::string problem);
    /// Where the option was written.
    const option_origin& where() const noexcept { return where_; }
    /// What is wrong, without the place: e.g. `expected USER:PASS`.
    const std::string& problem() const noexcept { return problem_; }

private:
    option_origin where_;
    std::string problem_;
};

/// The shape of an option's value.
enum class option_type {
    flag,  ///< on or off: a bare flag on the command line, true/false in files
    value, ///< one value
    list,  ///< one value per use of the flag; a value or a list in files
};

/// A command-line flag that sets an option to a fixed value, like `-4` for `family: v4`.
struct option_shorthand {
    /// The flag, e.g. "-4".
    std::string_view flag;
    /// The value it stands for, e.g. "v4".
    std::string_view value;
    /// Its help line.
    std::string_view help;
};

/// One probe option: a row of the table.
struct probe_option {
    /// The key in files (`connect_timeout`; files may write `-` for `_`).
    std::string_view name;
    /// The command-line flags as CLI11 takes them ("-t,--timeout"); empty when the option has
    /// only shorthands.
    std::string_view flags;
    /// The shape of the value.
    option_type type = option_type::value;
    /// The value's placeholder in help and docs ("DUR", "USER:PASS"); empty for flags.
    std::string_view value_name;
    /// The default as help and docs show it; empty when the option is off or unset by default.
    std::string_view default_text;
    /// One line saying what it does.
    std::string_view help;
    /// Command-line flags that set a fixed value (`-4`, `-6`).
    std::span<const option_shorthand> shorthands;
    /// How many values one use may carry: 1, or 2 for `cert_days` written as a list in a file.
    std::size_t max_items = 1;
    /// Validates the values and stores them. Throws std::invalid_argument whose what() says
    /// what is wrong (no place: the builder adds it).
    void (*apply)(probe_options& options, const std::vector<std::string>& values) = nullptr;
};

/// Every probe option, in the order help and docs list them.
std::span<const probe_option> probe_option_table() noexcept;

/// The option with this key (`-` and `_` alike), or null.
const probe_option* find_probe_option(std::string_view name) noexcept;

/// The command-line spelling of an option: its long flag ("--connect-timeout"), or its
/// shorthands ("-4/-6").
std::string flag_spelling(const probe_option& option);

/// Parses a duration: seconds ("10", "2.5") or with a unit as configuration documents write it
/// (config/duration.hpp: "250ms", "3s", "2m", "4h").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// Builds probe_options from options given one by one, then applies the defaults that derive
/// from other options and checks the rules that join options. Copy it to layer settings (the
/// defaults of a file, then one target's own keys).
class probe_options_builder {
public:
    /// Sets the option with key `name` (`-` and `_` alike) from its values: "true" for a flag,
    /// one value, or the items of a list. A later set of the same key replaces the earlier one.
    /// Returns false when `name` is no probe option. Throws option_error at `where` when a value
    /// is invalid.
    bool set(std::string_view name, const std::vector<std::string>& values,
             const option_origin& where);

    /// Whether the option with this key was set.
    bool given(std::string_view name) const noexcept;

    /// The options: connect and command timeouts default to the timeout, a round trip implies
    /// a send, and the rules that join options hold (STARTTLS or implicit TLS, warning no more
    /// than critical, what --quit-after needs). Throws option_error at the option that breaks a
    /// rule (the one set last), or at `where` when none was set.
    probe_options build(const option_origin& where) const;

private:
    struct given_option {
        const probe_option* option;
        option_origin where;
        std::size_t order;
    };
    const given_option* find_given(std::string_view name) const noexcept;
    const option_origin& origin_of(std::initializer_list<std::string_view> keys,
                                   const option_origin& where) const;
    void check_rules(const probe_options& o, const option_origin& where) const;
    std::string spell(std::string_view key, const option_origin& where) const;

    probe_options options_;
    std::vector<given_option> given_;
};

} // namespace prober
