#include "prober/delivery_check.hpp"

#include "prober/error.hpp"
#include "smtp/ascii.hpp"
#include "smtp/escape.hpp"

#include <algorithm>

namespace prober {
namespace {

// Octets of a changed subject or body line that a failure message quotes.
constexpr std::size_t max_quote = 120;

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// RFC 5322 §2.2.3: unfolding removes the CRLF before white space.
std::string unfold(std::string_view value)
{
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
            ++i;
            continue;
        }
        out += value[i];
    }
    return out;
}

struct sent_parts {
    std::optional<std::string> subject;
    std::string_view body;
};

// The Subject and the body of the message as sent (RFC 5322 §2.1: the header ends at the first
// empty line).
sent_parts split_sent(std::string_view sent)
{
    sent_parts parts;
    std::size_t at = 0;
    std::optional<std::string> open; // the Subject being read, folded lines included
    while (at < sent.size()) {
        auto eol = sent.find("\r\n", at);
        eol = eol == std::string_view::npos ? sent.size() : eol;
        const std::string_view line = sent.substr(at, eol - at);
        at = std::min(eol + 2, sent.size());
        if (line.empty()) {
            parts.body = sent.substr(at);
            break;
        }
        if (open && (line.front() == ' ' || line.front() == '\t')) {
            *open += "\r\n";
            *open += line;
            continue;
        }
        if (open && !parts.subject) {
            parts.subject = std::string(trim(unfold(*open)));
        }
        open.reset();
        const auto colon = line.find(':');
        if (colon != std::string_view::npos &&
            smtp::iequals(trim(line.substr(0, colon)), "Subject")) {
            open = std::string(line.substr(colon + 1));
        }
    }
    if (open && !parts.subject) {
        parts.subject = std::string(trim(unfold(*open)));
    }
    return parts;
}

std::string_view without_final_breaks(std::string_view s) noexcept
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string quote(std::string_view s)
{
    return "\"" + smtp::escape_bytes(s, max_quote) + "\"";
}

// How the received body differs from the sent one: the first line that differs, numbered from 1.
std::string body_change(std::string_view sent, std::string_view got)
{
    std::size_t line = 1;
    std::size_t at = 0;
    while (at < sent.size() && at < got.size() && sent[at] == got[at]) {
        line += sent[at] == '\n' ? 1 : 0;
        ++at;
    }
    const auto line_at = [at](std::string_view s) {
        const auto start = s.rfind('\n', at == 0 ? 0 : at - 1);
        const auto from = start == std::string_view::npos || at == 0 ? 0 : start + 1;
        const auto end = s.find("\r\n", from);
        return s.substr(from, end == std::string_view::npos ? s.npos : end - from);
    };
    return "body changed (" + std::to_string(sent.size()) + " octets sent, " +
           std::to_string(got.size()) + " received; line " + std::to_string(line) + " sent " +
           quote(at < sent.size() ? line_at(sent) : "") + ", received " +
           quote(at < got.size() ? line_at(got) : "") + ")";
}

// The changes, e.g. `subject "a" became "b"; body changed (...)`; empty when intact.
std::string changes(const received_message& got, std::string_view sent)
{
    const sent_parts parts = split_sent(sent);
    std::string out;
    if (got.subject != parts.subject) {
        out = "subject " + (parts.subject ? quote(*parts.subject) : std::string("(none)")) +
              " became " + (got.subject ? quote(*got.subject) : std::string("(none)"));
    }
    std::string_view sent_body = without_final_breaks(parts.body);
    std::string_view got_body = without_final_breaks(got.body);
    if (got.body_truncated) {
        sent_body = sent_body.substr(0, got_body.size()); // only the part that was kept
    }
    if (sent_body != got_body) {
        out += (out.empty() ? "" : "; ") + body_change(sent_body, got_body);
    }
    return out;
}

} // namespace

std::optional<probe_failure> judge_delivery(const verify_report& report, std::string_view sent,
                                            std::string_view message_id, std::string_view mailbox)
{
    probe_failure f;
    f.at = smtp::phase::verify;
    const std::string copies = std::to_string(report.copies) + " copies";
    if (report.message) {
        if (const std::string changed = changes(*report.message, sent); !changed.empty()) {
            f.kind = smtp::failure_kind::altered;
            f.error = make_error_code(probe_errc::delivered_altered);
            f.message = "message <" + std::string(message_id) + "> arrived changed in " +
                        std::string(mailbox) + ": " + changed +
                        (report.copies > 1 ? "; and in " + copies : "");
            return f;
        }
    }
    if (report.copies > 1) {
        f.kind = smtp::failure_kind::duplicated;
        f.error = make_error_code(probe_errc::delivered_twice);
        f.message = "message <" + std::string(message_id) + "> arrived " + copies + " in " +
                    std::string(mailbox) + ", sent once; every copy was deleted";
        return f;
    }
    return std::nullopt;
}

} // namespace prober
