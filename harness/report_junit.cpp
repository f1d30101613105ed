#include "harness/report.hpp"
#include "json/rfc3339.hpp"
#include "smtp/escape.hpp"
#include "smtp/utf8.hpp"

#include <ctime>
#include <fmt/format.h>
#include <unistd.h>

namespace harness {

namespace {

std::string seconds(std::chrono::milliseconds d)
{
    return fmt::format("{:.3f}", static_cast<double>(d.count()) / 1000.0);
}

std::string local_timestamp(std::chrono::system_clock::time_point t)
{
    // The JUnit schema's timestamp is ISO 8601 without a zone: RFC 3339's, less its "Z".
    std::string text = json_text::rfc3339_seconds(t);
    text.pop_back();
    return text;
}

std::string hostname()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) {
        return "localhost";
    }
    return buf;
}

} // namespace

std::string format_junit(const std::vector<scenario_result>& results, const run_info& info)
{
    std::size_t failures = 0;
    std::size_t errors = 0;
    for (const auto& r : results) {
        if (!r.as_expected) {
            (r.outcome == verdict::error ? errors : failures) += 1;
        }
    }
    const auto suite = smtp::xml_escape("smtp-harness " + info.monitor);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuites name=\"smtp-harness\" tests=\"{}\" failures=\"{}\" "
                       "errors=\"{}\" time=\"{}\">\n",
                       results.size(), failures, errors, seconds(info.duration));
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
                       "skipped=\"0\" time=\"{}\" timestamp=\"{}\" hostname=\"{}\">\n",
                       suite, results.size(), failures, errors, seconds(info.duration),
                       local_timestamp(info.started_at), smtp::xml_escape(hostname()));
    out += "    <properties>\n";
    out += fmt::format("      <property name=\"monitor\" value=\"{}\"/>\n",
                       smtp::xml_escape(info.monitor));
    out += fmt::format("      <property name=\"seed\" value=\"{}\"/>\n", info.seed);
    if (const auto note = describe_unproven(results); !note.empty()) {
        out += fmt::format("      <property name=\"unproven\" value=\"{}\"/>\n",
                           smtp::xml_escape(note));
    }
    if (const auto note = describe_unfired(results); !note.empty()) {
        out += fmt::format("      <property name=\"fault_never_fired\" value=\"{}\"/>\n",
                           smtp::xml_escape(note));
    }
    out += "    </properties>\n";
    for (const auto& r : results) {
        out += fmt::format("    <testcase classname=\"smtp-harness.scenarios\" name=\"{}\" "
                           "time=\"{}\">\n",
                           smtp::xml_escape(r.scenario), seconds(r.observed.duration));
        if (!r.checks.empty()) {
            out += fmt::format("      <properties>\n        <property name=\"checks\" "
                               "value=\"{}\"/>\n        <property name=\"fired_checks\" "
                               "value=\"{}\"/>\n        <property name=\"caught_checks\" "
                               "value=\"{}\"/>\n      </properties>\n",
                               r.checks.size(), r.fired_checks, r.caught_checks);
        }
        auto observed = describe_observed(r.observed);
        if (!r.series.empty()) {
            observed += "; " + describe_series(r);
        }
        if (!r.as_expected) {
            const auto message = fmt::format(
                "verdict {} (expected {}): observed {}, should report {}{}", describe_outcome(r),
                describe_verdicts(r.expected.verdicts), observed, describe_expected(r.expected),
                r.unproven ? "; " + describe_unproven(results) : std::string());
            const char* element = r.outcome == verdict::error ? "error" : "failure";
            out += fmt::format("      <{} message=\"{}\" type=\"{}\">{}\n{}</{}>\n", element,
                               smtp::xml_escape(message), to_string(r.outcome),
                               smtp::xml_escape(message), smtp::xml_escape(r.observed.summary),
                               element);
        }
        out += fmt::format(
            "      <system-out>verdict: {}\nexpected: {}\nobserved: {}\nshould "
            "report: {}\n\n{}</system-out>\n",
            describe_outcome(r), describe_verdicts(r.expected.verdicts), smtp::xml_escape(observed),
            smtp::xml_escape(describe_expected(r.expected)), smtp::xml_escape(r.observed.output));
        out += "    </testcase>\n";
    }
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

} // namespace harness
