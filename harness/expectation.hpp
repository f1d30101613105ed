#pragma once

// What a monitor should report for each scenario, and which verdict the run should give.
//
// Every monitor is held to the statuses of the scenario's own `expect` (the built-in probe to
// its kind and phase too). An expectations file (`--expect FILE`, YAML) changes that with
// defaults plus per-scenario entries:
//
//   defaults: {status: [WARNING, CRITICAL]}
//   scenarios:
//     healthy: {status: OK}
//     banner-slow: {status: [OK, WARNING]}
//     mail-451: {expect_verdict: missed, note: "check_smtp never sends MAIL"}
//     banner-slow: {status: OK, duration_at_least: 1500ms}      # series of an http: answer
//     starttls-cert-expiring: {status: OK, cert_expires_within_days: 30}
//     ehlo-slow: {series: {name: probe_duration_seconds, op: ">=", value: 1.5}}
//
// A scenario without `expect`: a fault must not be OK, and healthy (and healthy-*) must be OK.

#include "harness/monitor_status.hpp"
#include "harness/series_check.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faults {
struct scenario;
}

namespace harness {

enum class verdict;

/// The resolved expectation for one scenario.
struct expected_outcome {
    /// Acceptable statuses.
    std::vector<monitor_status> statuses;
    /// The failure kind a report must name, when the monitor names kinds.
    std::optional<smtp::failure_kind> kind;
    /// The failure phase a report must name, when the monitor names phases.
    std::optional<smtp::phase> phase;
    /// Conditions on the series of the monitor's answer (an `http:` monitor), all of which
    /// must hold for `caught` or `passed` (see judge).
    std::vector<series_condition> series;
    /// The verdicts that count as success for the run (exit status 0).
    std::vector<verdict> verdicts;
    /// Why, when the expectations file says (shown in reports).
    std::string note;
};

/// One entry of an expectations file: only what it sets overrides.
struct expectation_entry {
    std::optional<std::vector<monitor_status>> statuses; ///< `status`: one name or a list
    std::optional<smtp::failure_kind> kind;              ///< `kind`
    std::optional<smtp::phase> phase;                    ///< `phase`
    /// `series` (one or a list), `duration_at_least`, `cert_expires_within_days` and
    /// `cert_expired`, in the order written.
    std::optional<std::vector<series_condition>> series;
    std::optional<std::vector<verdict>> verdicts; ///< `expect_verdict`: one or a list
    std::optional<std::string> note;              ///< `note`: free text
};

/// A whole expectations file.
struct expectation_set {
    /// `defaults`: applies to every scenario before its own entry.
    expectation_entry defaults;
    /// `scenarios`: entries by scenario name.
    std::map<std::string, expectation_entry, std::less<>> scenarios;
};

/// Parses an expectations document. Throws std::runtime_error naming the source, the line
/// and the key of the problem (unknown keys, statuses, kinds, phases or verdicts).
expectation_set parse_expectations(std::string_view text, std::string_view source_name);

/// Reads and parses an expectations file. Throws std::runtime_error.
expectation_set load_expectations(const std::filesystem::path& file);

/// The expectation for `s`. Base: the scenario's own `expect` statuses, for every monitor
/// (its kind and phase only when `monitor_names_kinds`, i.e. the built-in probe); for a
/// scenario without one, "healthy must be OK, a fault must not be OK". Then the file's
/// defaults (not for a healthy scenario, nor over the built-in probe's own `expect`), then its
/// entry for the scenario (when a file is given). The expected verdicts, unless set: `passed`
/// for a healthy scenario and where OK is the only acceptable status; `caught` for a fault,
/// plus `passed` when OK is acceptable.
expected_outcome resolve_expectation(const faults::scenario& s, bool monitor_names_kinds,
                                     const expectation_set* file);

/// Names of the scenarios the file lists that are not among `known` (likely typos).
std::vector<std::string> unknown_scenarios(const expectation_set& file,
                                           const std::vector<std::string>& known);

} // namespace harness
