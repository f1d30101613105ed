#include "harness/report.hpp"
#include "json/rfc3339.hpp"
#include "smtp/command.hpp"
#include "smtp/escape.hpp"
#include "smtp/reply_meaning.hpp"

#include <ctime>
#include <fmt/format.h>
#include <optional>

namespace harness {

namespace {

// Every text the report shows goes through here: hostile bytes from a transcript stay text.
std::string h(std::string_view text)
{
    return smtp::xml_escape(text);
}

std::string utc(std::chrono::system_clock::time_point t)
{
    // "2026-11-27 18:55:01 UTC": RFC 3339's text, spaced for reading.
    std::string text = json_text::rfc3339_seconds(t);
    text.pop_back();
    text[text.find('T')] = ' ';
    return text + " UTC";
}

std::string seconds(std::chrono::milliseconds d)
{
    return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

// The anchor of a scenario's section.
std::string anchor(const scenario_result& r)
{
    return h("s-" + r.scenario);
}

constexpr std::string_view style = R"(
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #d0d0d6; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f2f2f5; }
tr.unexpected td { background: #fdecec; }
.v-caught, .v-passed { color: #176b2c; } .v-missed, .v-misreported, .v-false_alarm,
.v-no_contact, .v-error { color: #a31515; font-weight: 600; }
.note { background: #fff6d6; padding: .4em .6em; border-left: 4px solid #d9a400; }
pre, code, .transcript td { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: #f6f6f8; padding: .5em; overflow-x: auto; white-space: pre-wrap; }
details { margin: .4em 0; } summary { cursor: pointer; }
section { border-top: 1px solid #d0d0d6; padding-top: .3em; }
.transcript .dir-S td.text { color: #0b4f8a; } .transcript .dir-C td.text { color: #5a2d82; }
.transcript .dir-event td.text { color: #555; font-style: italic; }
.transcript tr.fault td { background: #fde2c8; font-weight: 600; }
.transcript tr.gap td { color: #777; border: none; }
.meaning { color: #555; } .transcript td.t { white-space: nowrap; }
)";

// The first part: what ran, the counts, the notes.
std::string head(const std::vector<scenario_result>& results, const run_info& info)
{
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += fmt::format("<title>smtp-harness: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                       h(info.monitor), style);
    out += fmt::format("<h1>smtp-harness: <code>{}</code></h1>\n", h(info.monitor));
    std::size_t unexpected = 0;
    for (const auto& r : results) {
        unexpected += r.as_expected ? 0 : 1;
    }
    out += fmt::format("<p>Started {}, {} scenarios in {}, fault seed {}; {}.</p>\n",
                       utc(info.started_at), results.size(), seconds(info.duration), info.seed,
                       unexpected == 0
                           ? std::string("every verdict is as expected")
                           : fmt::format("<strong>{} unexpected verdicts</strong>", unexpected));
    for (const auto& note : {describe_unproven(results), describe_unfired(results)}) {
        if (!note.empty()) {
            out += fmt::format("<p class=\"note\">{}.</p>\n", h(note));
        }
    }
    out += "<table class=\"counts\">\n<tr><th>verdict</th><th>count</th></tr>\n";
    const auto counts = count_verdicts(results);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] != 0) {
            const auto name = to_string(all_verdicts[i]);
            out += fmt::format("<tr><td class=\"v-{}\">{}</td><td>{}</td></tr>\n", name, name,
                               counts[i]);
        }
    }
    return out + "</table>\n";
}

std::string detect_time(const scenario_result& r)
{
    return r.time_to_detect ? seconds(*r.time_to_detect) : std::string("—");
}

std::string expected_verdicts(const scenario_result& r)
{
    auto out = describe_verdicts(r.expected.verdicts);
    if (!r.expected.note.empty()) {
        out += " — " + r.expected.note;
    }
    return out;
}

// The matrix: one row per scenario, linking to its section.
std::string matrix(const std::vector<scenario_result>& results)
{
    std::string out = "<h2>Scenario × verdict</h2>\n<table class=\"matrix\">\n<tr><th>scenario</th>"
                      "<th>verdict</th><th>expected verdict</th><th>observed</th><th>should "
                      "report</th><th>time to detect</th><th>monitor said</th></tr>\n";
    for (const auto& r : results) {
        out += fmt::format(
            "<tr{}><td><a href=\"#{}\">{}</a></td><td class=\"v-{}\">{}{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            r.as_expected ? "" : " class=\"unexpected\"", anchor(r), h(r.scenario),
            to_string(r.outcome), h(describe_outcome(r)), r.as_expected ? "" : " (unexpected)",
            h(expected_verdicts(r)), h(describe_observed(r.observed)),
            h(describe_expected(r.expected)), detect_time(r), h(monitor_said(r.observed)));
    }
    return out + "</table>\n";
}

// The verdict and, for a scenario judged over several checks, each check's.
std::string verdict_part(const scenario_result& r)
{
    std::string out = fmt::format(
        "<table>\n<tr><th>verdict</th><td class=\"v-{}\">{}</td></tr>\n<tr><th>expected "
        "verdict</th><td>{}</td></tr>\n<tr><th>observed</th><td>{}</td></tr>\n<tr><th>should "
        "report</th><td>{}</td></tr>\n<tr><th>time to detect</th><td>{}</td></tr>\n",
        to_string(r.outcome), h(describe_outcome(r)), h(expected_verdicts(r)),
        h(describe_observed(r.observed)), h(describe_expected(r.expected)), detect_time(r));
    const auto checks = std::max<std::size_t>(1, r.checks.size());
    out += fmt::format("<tr><th>checks</th><td>{} check{}", checks, checks == 1 ? "" : "s");
    if (!r.checks.empty()) {
        out += fmt::format("; the fault fired on {}, the monitor caught it on {}", r.fired_checks,
                           r.caught_checks);
    }
    out += "</td></tr>\n";
    for (std::size_t i = 0; i < r.checks.size(); ++i) {
        const auto& c = r.checks[i];
        out += fmt::format("<tr><th>check {}</th><td class=\"v-{}\">{}: fault {}, monitor {}"
                           "</td></tr>\n",
                           i + 1, to_string(c.outcome), to_string(c.outcome),
                           c.fault_fired ? "fired" : "did not fire",
                           c.alerted ? "alerted" : "said OK");
    }
    return out + "</table>\n";
}

std::string monitor_part(const scenario_result& r)
{
    std::string out = "<h3>What the monitor said</h3>\n";
    if (!r.observed.error.empty()) {
        out += fmt::format("<p>It could not be judged: {}</p>\n", h(r.observed.error));
    }
    const auto& shown = r.observed.output.empty() ? r.observed.summary : r.observed.output;
    if (shown.empty()) {
        return out + "<p>Nothing.</p>\n";
    }
    return out + fmt::format("<pre>{}</pre>\n", h(shown));
}

std::string fault_part(const scenario_result& r)
{
    std::string out = fmt::format("<h3>The fault</h3>\n<p>Listener: {}.", h(r.listener));
    if (r.fault_rules.empty()) {
        out += r.listener == "open" ? " No fault rules: a healthy server."
                                    : " No fault rules: the listener's state is the fault.";
    }
    out += "</p>\n";
    if (!r.fault_rules.empty()) {
        std::string rules;
        for (const auto& rule : r.fault_rules) {
            rules += rule + "\n";
        }
        out += fmt::format("<pre>{}</pre>\n", h(rules));
    }
    if (r.fault_never_fired) {
        out += "<p class=\"note\">No rule of this fault fired during the monitor's checks: the "
               "monitor never met the fault.</p>\n";
    } else if (!r.unfired_rules.empty()) {
        std::string ids;
        for (const auto& id : r.unfired_rules) {
            ids += (ids.empty() ? "" : ", ") + id;
        }
        out += fmt::format("<p>Rules that never fired: {}.</p>\n", h(ids));
    }
    return out;
}

// The SMTP phase a client line starts (RFC 5321 §4.1.1), if it starts one: the command's, the
// message content after DATA, the end of data at the lone dot.
std::optional<smtp::phase> phase_started_by(const recorded_line& line)
{
    if (line.dir != "C") {
        return std::nullopt;
    }
    if (line.text.starts_with("<message content")) {
        return smtp::phase::body;
    }
    if (line.text == ".") {
        return smtp::phase::data_end;
    }
    return smtp::phase_of(smtp::parse_command(line.text).cmd);
}

// What a server line means, on the last line of its reply only ("250 x", not "250-x").
std::string meaning_of(const recorded_line& line)
{
    if (line.dir != "S" || (line.text.size() > 3 && line.text[3] == '-')) {
        return {};
    }
    return smtp::reply_meaning(line.text);
}

// One transcript line: its time, the time since the line before, the phase where it changes,
// who, the text and, for a reply, what it means; a fired fault rule is highlighted, and 250 ms
// or more of silence noted.
std::string transcript_row(const recorded_line& line, double previous_ms,
                           std::optional<smtp::phase> new_phase)
{
    std::string out;
    const double gap = line.t_ms - previous_ms;
    if (gap >= 250) {
        out += fmt::format("<tr class=\"gap\"><td colspan=\"6\">… {:.0f} ms pass with nothing "
                           "said</td></tr>\n",
                           gap);
    }
    const bool fault = line.dir == "event" && line.text.starts_with("fault rule ");
    const auto who = line.dir == "S" ? "S" : line.dir == "C" ? "C" : "mock";
    out += fmt::format("<tr class=\"dir-{}{}\"><td class=\"t\">{:.1f} ms</td><td class=\"t\">"
                       "+{:.1f}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td>"
                       "<td class=\"meaning\">{}</td></tr>\n",
                       h(line.dir), fault ? " fault" : "", line.t_ms, gap,
                       new_phase ? smtp::to_string(*new_phase) : "", who, h(line.text),
                       h(meaning_of(line)));
    return out;
}

// One recorded session, its lines on demand.
std::string session_table(const recorded_session& s)
{
    std::string out = fmt::format(
        "<details class=\"session\"><summary>session {} from {}, ended: {}</summary>\n"
        "<table class=\"transcript\">\n<tr><th>time</th><th>since the line before</th><th>phase"
        "</th><th>who</th><th>line</th><th>what it means</th></tr>\n",
        s.id, h(s.peer), h(s.outcome));
    double previous = 0;
    std::optional<smtp::phase> phase;
    for (const auto& line : s.lines) {
        // The server speaks first: the conversation starts in the banner phase.
        auto next = phase ? phase_started_by(line) : std::optional(smtp::phase::banner);
        if (next == phase) {
            next.reset();
        }
        out += transcript_row(line, previous, next);
        phase = next ? next : phase;
        previous = line.t_ms;
    }
    return out + "</table>\n</details>\n";
}

std::string transcripts_part(const scenario_result& r)
{
    std::string out = "<h3>What the mock recorded</h3>\n";
    if (r.transcripts.empty()) {
        return out + "<p>No session: the monitor never reached the server (a refused or "
                     "black-holed listener, or no connection at all).</p>\n";
    }
    for (const auto& s : r.transcripts) {
        out += session_table(s);
    }
    return out;
}

std::string section(const scenario_result& r)
{
    std::string out = fmt::format(
        "<section id=\"{}\">\n<details{}><summary><strong>{}</strong> — <span class=\"v-{}\">{}"
        "</span>{}</summary>\n",
        anchor(r), r.as_expected ? "" : " open", h(r.scenario), to_string(r.outcome),
        h(describe_outcome(r)), r.as_expected ? "" : " (unexpected)");
    if (!r.summary.empty()) {
        out += fmt::format("<p>{}</p>\n", h(r.summary));
    }
    if (!r.setup_error.empty()) {
        out += fmt::format("<p class=\"note\">The mock could not be started: {}</p>\n",
                           h(r.setup_error));
    }
    out += verdict_part(r) + monitor_part(r) + fault_part(r) + transcripts_part(r);
    return out + "</details>\n</section>\n";
}

} // namespace

std::string format_html(const std::vector<scenario_result>& results, const run_info& info)
{
    std::string out = head(results, info) + matrix(results);
    out += "<h2>Each scenario</h2>\n";
    for (const auto& r : results) {
        out += section(r);
    }
    return out + "</body>\n</html>\n";
}

} // namespace harness
