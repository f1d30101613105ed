#include "harness/to_observation.hpp"

#include "prober/report.hpp"

#include <string.h>

namespace harness {

observation to_observation(const prober::probe_result& r)
{
    observation o;
    // The probe's UNKNOWN is its own internal error: it could not be run, so there is no status.
    if (r.status != prober::probe_status::unknown) {
        o.status = static_cast<monitor_status>(static_cast<int>(r.status));
    }
    if (r.failure) {
        o.kind = r.failure->kind;
        o.phase = r.failure->at;
    }
    o.summary = prober::format_nagios(r);
    while (!o.summary.empty() && o.summary.back() == '\n') {
        o.summary.pop_back();
    }
    o.output = prober::format_text(r, true);
    if (r.status == prober::probe_status::unknown) {
        o.error = r.internal_error;
    }
    return o;
}

namespace {

// A stream's kept head, with a note of what was not kept.
std::string kept(const io::captured_output& c)
{
    if (c.dropped == 0) {
        return c.head;
    }
    auto out = c.head;
    if (!out.empty() && out.back() != '\n') {
        out.push_back('\n');
    }
    return out + "[" + std::to_string(c.dropped) + " more bytes not kept]\n";
}

} // namespace

observation to_observation(const io::run_result& p, std::chrono::milliseconds time_limit)
{
    observation o;
    o.output = kept(p.out);
    if (auto err = kept(p.err); !err.empty()) {
        if (!o.output.empty() && o.output.back() != '\n') {
            o.output.push_back('\n');
        }
        o.output += err;
    }
    const auto& first = p.out.head.empty() ? p.err.head : p.out.head;
    o.summary = first.substr(0, first.find('\n'));
    o.exit_code = p.status.code;
    if (!p.spawn_error.empty()) {
        o.error = p.spawn_error;
    } else if (p.timed_out) {
        o.error = "killed after the time limit of " + std::to_string(time_limit.count()) + " ms";
    } else if (p.status.signal) {
        o.error = std::string("killed by signal ") + ::strsignal(*p.status.signal);
    } else if (p.status.code) {
        o.status = status_from_exit_code(*p.status.code);
        if (!o.status) {
            o.error = "exit code " + std::to_string(*p.status.code) +
                      " is not a Nagios status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)";
        }
    }
    return o;
}

std::string_view metrics_section(std::string_view answer) noexcept
{
    // blackbox_exporter and smtp-probe exporter put the series after this line in a debug
    // answer; blackbox_exporter adds its module configuration after them.
    constexpr std::string_view head = "\nMetrics that would have been returned:\n";
    constexpr std::string_view tail = "\nModule configuration:";
    const auto at = answer.find(head);
    if (at == std::string_view::npos) {
        return answer;
    }
    answer.remove_prefix(at + head.size());
    return answer.substr(0, answer.find(tail));
}

std::optional<bool> probe_success(const std::vector<prometheus_text::sample>& series) noexcept
{
    for (const auto& s : series) {
        if (s.name == "probe_success") {
            const auto v = prometheus_text::sample_value(s.value);
            if (!v) {
                return std::nullopt;
            }
            return *v == 1.0;
        }
    }
    return std::nullopt;
}

std::optional<bool> parse_probe_success(std::string_view exposition)
{
    return probe_success(prometheus_text::parse_samples(exposition));
}

namespace {

// The value of `key=` in one logfmt line (go-kit log): quoted with \" and \\ escapes, or bare.
std::string logfmt_value(std::string_view line, std::string_view key)
{
    const auto needle = " " + std::string(key) + "=";
    const auto at = line.find(needle);
    if (at == std::string_view::npos) {
        return {};
    }
    auto rest = line.substr(at + needle.size());
    std::string value;
    if (rest.empty() || rest.front() != '"') {
        return std::string(rest.substr(0, rest.find(' ')));
    }
    for (std::size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) {
            ++i;
        }
        value.push_back(rest[i]);
    }
    return value;
}

std::string blackbox_reason(std::string_view log)
{
    std::string error;
    std::string last_read;
    while (!log.empty()) {
        const auto eol = log.find('\n');
        const auto line = log.substr(0, eol);
        log = eol == std::string_view::npos ? std::string_view{} : log.substr(eol + 1);
        const auto msg = logfmt_value(line, "msg");
        if (msg == "Read line") {
            last_read = logfmt_value(line, "line");
        } else if (logfmt_value(line, "level") == "error" && msg != "Probe failed") {
            const auto err = logfmt_value(line, "err");
            error = err.empty() ? msg : msg + ": " + err;
        }
    }
    std::string reason = error;
    if (!last_read.empty()) {
        reason +=
            (reason.empty() ? "" : "; ") + std::string("last line read: \"") + last_read + '"';
    }
    return reason;
}

} // namespace

std::string debug_reason(std::string_view debug_answer)
{
    constexpr std::string_view blackbox = "Logs for the probe:\n";
    constexpr std::string_view ours = "Probe of ";
    if (debug_answer.rfind(blackbox, 0) == 0) {
        const auto end = debug_answer.find("\nMetrics that would have been returned:");
        return blackbox_reason(debug_answer.substr(blackbox.size(), end - blackbox.size()));
    }
    if (debug_answer.rfind(ours, 0) == 0) {
        const auto start = debug_answer.find('\n');
        if (start == std::string_view::npos) {
            return {};
        }
        const auto report = debug_answer.substr(start + 1);
        return std::string(report.substr(0, report.find('\n')));
    }
    return {};
}

std::string with_debug(std::string_view url)
{
    const auto query = url.find('?');
    if (query != std::string_view::npos && (url.find("?debug=", query) != std::string_view::npos ||
                                            url.find("&debug=", query) != std::string_view::npos)) {
        return std::string(url);
    }
    return std::string(url) + (query == std::string_view::npos ? "?" : "&") + "debug=true";
}

observation to_observation(const io::http::client_response& r)
{
    observation o;
    o.output = r.body;
    if (r.ec || !r.error.empty()) {
        o.error = r.error;
        return o;
    }
    if (r.status != 200) {
        o.error = "HTTP status " + std::to_string(r.status);
        o.summary = o.error;
        return o;
    }
    o.series = prometheus_text::parse_samples(metrics_section(r.body));
    const auto success = probe_success(o.series);
    if (!success) {
        o.error = "the answer has no probe_success series";
        return o;
    }
    o.status = *success ? monitor_status::ok : monitor_status::critical;
    o.summary = *success ? "probe_success 1" : "probe_success 0";
    if (const auto reason = debug_reason(r.body); !reason.empty()) {
        o.summary += ": " + reason;
    }
    return o;
}

} // namespace harness
