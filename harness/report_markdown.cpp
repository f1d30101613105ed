#include "harness/report.hpp"

#include <fmt/format.h>

namespace harness {

namespace {

// A table cell: no line breaks, pipes escaped.
std::string cell(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out.push_back(c);
        }
    }
    return out;
}

} // namespace

std::string format_markdown(const std::vector<scenario_result>& results, const run_info& info)
{
    std::string out = fmt::format("# smtp-harness: `{}`\n\n", cell(info.monitor));
    const auto counts = count_verdicts(results);
    std::size_t unexpected = 0;
    for (const auto& r : results) {
        unexpected += r.as_expected ? 0 : 1;
    }
    out += fmt::format("{} scenarios in {:.1f} s; {}.\n\n", results.size(),
                       static_cast<double>(info.duration.count()) / 1000.0,
                       unexpected == 0 ? "every verdict is as expected"
                                       : fmt::format("**{} unexpected verdicts**", unexpected));
    if (const auto note = describe_unproven(results); !note.empty()) {
        out += "**" + note + ".**\n\n";
    }
    if (const auto note = describe_unfired(results); !note.empty()) {
        out += "**" + note + ".**\n\n";
    }
    out += "| verdict | count |\n|---|---:|\n";
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] != 0) {
            out += fmt::format("| {} | {} |\n", to_string(all_verdicts[i]), counts[i]);
        }
    }
    out += "\n| scenario | verdict | expected verdict | observed | should report | time to "
           "detect | monitor said |\n|---|---|---|---|---|---:|---|\n";
    for (const auto& r : results) {
        const auto verdict_text =
            r.as_expected ? describe_outcome(r) : fmt::format("**{}** ⚠", describe_outcome(r));
        auto observed = describe_observed(r.observed);
        if (!r.series.empty()) {
            observed += "; " + describe_series(r);
        }
        auto expected = describe_verdicts(r.expected.verdicts);
        if (!r.expected.note.empty()) {
            expected += " — " + r.expected.note;
        }
        out += fmt::format(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n", r.scenario, verdict_text, cell(expected),
            cell(observed), cell(describe_expected(r.expected)),
            r.time_to_detect
                ? fmt::format("{:.1f} s", static_cast<double>(r.time_to_detect->count()) / 1000.0)
                : std::string("—"),
            cell(monitor_said(r.observed)));
    }
    return out;
}

} // namespace harness
