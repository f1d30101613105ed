#include "prober/client_session.hpp"

#include "json/rfc3339.hpp"
#include "prober/blocklist.hpp"
#include "prober/classify.hpp"
#include "prober/delivery_check.hpp"
#include "prober/error.hpp"
#include "prober/test_message.hpp"
#include "smtp/ascii.hpp"
#include "smtp/base64.hpp"
#include "smtp/escape.hpp"
#include "smtp/limits.hpp"
#include "smtp/sasl_plain.hpp"
#include "smtp/utf8.hpp"

#include <algorithm>
#include <cctype>

namespace prober {
namespace {

using smtp::failure_kind;
using smtp::phase;
namespace errc = boost::system::errc;

// Raw bytes kept per command for the failure report; a flood costs no more than this.
constexpr std::size_t received_cap = 4096;
// Transcript lines kept; an endless multi-line reply is cut by the reply parser well before.
constexpr std::size_t transcript_cap = 4000;

bool is_ip_literal(std::string_view host)
{
    return !host.empty() && (host.find(':') != std::string_view::npos ||
                             std::all_of(host.begin(), host.end(), [](char c) {
                                 return (c >= '0' && c <= '9') || c == '.';
                             }));
}

// The first octet of `text` that is not reply text, described, with its offset: RFC 5321 §4.2
// allows printable ASCII, SP and HT in a reply's text. Well-formed UTF-8 is tolerated (servers
// that support SMTPUTF8 send it); a NUL, a bare CR, any other control character or an octet
// that is not UTF-8 is not text.
std::optional<std::string> find_non_text(std::string_view text)
{
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::string at = " at octet " + std::to_string(i + 1);
        if (c == 0) {
            return "NUL" + at;
        }
        if (c == '\r') {
            return "bare CR" + at;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return "control character " + smtp::escape_bytes(text.substr(i, 1)) + at;
        }
        if (c < 0x80) {
            ++i;
            continue;
        }
        const auto n = smtp::utf8_sequence_length(text.substr(i));
        if (n == 0) {
            return "invalid UTF-8 " + smtp::escape_bytes(text.substr(i, 1)) + at;
        }
        i += n;
    }
    return std::nullopt;
}

std::string quoted(const smtp::reply& r)
{
    std::string wire = r.to_wire();
    if (wire.size() >= 2) {
        wire.resize(wire.size() - 2); // the final CRLF tells a person nothing
    }
    return '"' + smtp::escape_bytes(wire, 400) + '"';
}

} // namespace

client_session::client_session(probe_options options, session_params params)
    : options_(std::move(options))
    , params_(std::move(params))
    , framer_(options_.max_reply_line)
    , parser_(smtp::limits::reply_lines)
{
    const std::string named = options_.host; // the target as written: a host, or a domain
    if (params_.mx) {
        take_route(*params_.mx);
    }
    helo_name_ = options_.helo_name.empty() ? params_.default_helo : options_.helo_name;
    if (options_.mail_from.empty()) {
        options_.mail_from = "smtp-probe@" + helo_name_;
    }
    if (options_.rcpt_to.empty()) {
        // RFC 5321 §4.5.1: every server accepts <Postmaster> without a domain.
        options_.rcpt_to.push_back(is_ip_literal(named) ? std::string("postmaster")
                                                        : "postmaster@" + named);
    }
    if (params_.message && !params_.message_id.empty()) {
        message_id_ = params_.message_id;
    } else if (params_.message || wants_send() || options_.verify) {
        // Made only for a session that sends: a probe of the greeting never needs one.
        auto at = options_.mail_from.rfind('@');
        std::string domain =
            at == std::string::npos ? helo_name_ : options_.mail_from.substr(at + 1);
        message_id_ = make_message_id(params_.started_at, params_.nonce, domain);
    }

    const auto port = std::to_string(options_.effective_port());
    result_.target =
        named.find(':') != std::string::npos ? '[' + named + "]:" + port : named + ':' + port;
    result_.started_at = params_.started_at;
    // A plain probe notes about fifteen lines in five phases: room for them at once.
    result_.transcript.reserve(16);
    result_.timings.reserve(8);
    result_.warning = options_.warning;
    result_.critical = options_.critical;
    if (!options_.expect_banner.empty()) {
        try {
            banner_re_.emplace(options_.expect_banner, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            result_.internal_error =
                "invalid --expect-banner regular expression: " + std::string(e.what());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The event loop

session_action client_session::next(const session_event& ev, probe_clock::time_point now)
{
    if (step_ == step::finished) {
        return {action_kind::done};
    }
    if (ev.kind == event_kind::start) {
        return begin(now);
    }
    if (ev.kind == event_kind::cancelled) {
        return on_cancelled(now);
    }
    if (step_ == step::closing) {
        return finish(now); // whatever the close reported, the connection is gone
    }
    if (step_ == step::verifying) {
        return on_verify_event(ev, now);
    }
    if (ev.kind == event_kind::timeout || now > deadline_) {
        return on_timeout(now);
    }
    switch (ev.kind) {
    case event_kind::resolved:
        note(transcript_dir::event, "resolved to " + ev.detail, now);
        close_phase(now);
        completed_.insert(phase::dns);
        enter_phase(phase::connect, now);
        step_ = step::connect;
        deadline_ = std::min(now + options_.connect_timeout, total_deadline_);
        return {action_kind::connect, deadline_};
    case event_kind::connected:
        peer_ = ev.detail;
        result_.peer = ev.detail;
        note(transcript_dir::event, "connected to " + ev.detail, now);
        close_phase(now);
        completed_.insert(phase::connect);
        if (options_.quit_after == phase::connect) {
            return begin_close(now);
        }
        if (options_.implicit_tls) {
            return begin_tls(now);
        }
        return begin_read_step(step::banner, phase::banner, now);
    case event_kind::written:
        writing_ = false;
        if (step_ == step::body) {
            note(transcript_dir::client, ".", now);
            close_phase(now);
            completed_.insert(phase::body);
            enter_phase(phase::data_end, now);
            step_ = step::data_end;
            received_.clear();
            deadline_ = command_deadline(now);
        }
        return await_reply(now);
    case event_kind::read:
        return on_bytes(ev.bytes, now);
    case event_kind::tls_done:
        return on_connection_event(ev, now);
    case event_kind::eof:
    case event_kind::error:
        return on_stream_error(ev, now);
    default:
        break;
    }
    // An event the step does not expect is a driver bug: report it instead of guessing.
    result_.internal_error = "unexpected event in the probe session";
    return begin_close(now);
}

session_action client_session::begin(probe_clock::time_point now)
{
    // The lookups of --mx came first: they count in phase dns and against the total deadline.
    const auto route_time = params_.mx ? params_.mx->elapsed : std::chrono::microseconds(0);
    start_ = now - route_time;
    total_deadline_ = start_ + options_.timeout;
    if (!result_.internal_error.empty()) {
        result_.status = probe_status::unknown;
        step_ = step::finished;
        return {action_kind::done};
    }
    enter_phase(phase::dns, start_);
    if (params_.mx) {
        for (const auto& [at, text] : params_.mx->notes) {
            note(transcript_dir::event, text, start_ + at);
        }
        if (params_.mx->failure) {
            step_ = step::resolve;
            received_ = params_.mx->received;
            return fail(*params_.mx->failure, make_error_code(probe_errc::resolve_failed),
                        params_.mx->message, now);
        }
        note(transcript_dir::event, "mail route " + describe_route(*params_.mx), now);
    }
    step_ = step::resolve;
    deadline_ = command_deadline(now);
    note(transcript_dir::event, "resolving " + options_.host, now);
    return {action_kind::resolve, deadline_};
}

void client_session::take_route(const mx_outcome& route)
{
    result_.mx = route;
    if (!route.ok()) {
        return;
    }
    // The connection goes to the address found; TLS checks the certificate against the MX host
    // name, as a sending MTA does (RFC 7672 §3.2.2, RFC 8461 §4.1).
    options_.host = route.address;
    if (options_.tls_server_name.empty()) {
        options_.tls_server_name = route.host;
    }
}

session_action client_session::on_cancelled(probe_clock::time_point now)
{
    // Shutdown: nothing more is awaited, not even the reply to a QUIT. The service was not
    // judged, so the result is UNKNOWN.
    if (!cancelled_) {
        cancelled_ = true;
        result_.internal_error = "cancelled before the probe finished";
        note(transcript_dir::event, "cancelled", now);
    }
    if (step_ == step::verifying || step_ == step::closing) {
        finalize(now); // the connection is already closed
        return {action_kind::done};
    }
    return begin_close(now);
}

session_action client_session::on_verify_event(const session_event& ev, probe_clock::time_point now)
{
    verify_report failed;
    const verify_report* report = ev.verify;
    if (ev.kind == event_kind::error) {
        // The round trip could not be run at all (no verifier).
        failed.ec = ev.ec;
        failed.detail = ev.detail;
        report = &failed;
    }
    auto verify_started = phase_start_;
    close_phase(now);
    probe_failure f;
    f.kind = failure_kind::not_delivered;
    f.at = phase::verify;
    f.error = make_error_code(probe_errc::not_delivered);
    if (report == nullptr) {
        f.message = "message <" + message_id_ + "> not found in " + options_.verify->display +
                    " within " + format_seconds(options_.verify_timeout);
        result_.failure = std::move(f);
        finalize(now);
        return {action_kind::done};
    }
    for (const auto& line : report->transcript) {
        note(transcript_dir::event, "verify " + line, now);
    }
    if (report->delivered) {
        if (result_.delivery && report->latency) {
            // Latency counts from the reply to the final dot, not from the first poll.
            result_.delivery->latency =
                *report->latency + std::chrono::duration_cast<std::chrono::milliseconds>(
                                       verify_started - data_end_at_);
        }
        note(transcript_dir::event, "message found in the mailbox", now);
        result_.failure =
            judge_delivery(*report, sent_message_, message_id_, options_.verify->display);
        finalize(now);
        return {action_kind::done};
    }
    f.kind = report->kind.value_or(failure_kind::not_delivered);
    f.error = report->ec ? report->ec : f.error;
    f.message = "message <" + message_id_ + "> not found in " + options_.verify->display +
                (report->detail.empty() ? std::string() : ": " + report->detail);
    result_.failure = std::move(f);
    finalize(now);
    return {action_kind::done};
}

std::optional<probe_failure> client_session::late_delivery(bool& critical) const
{
    // --max-delivery-time: the round trip worked, but the message took too long to arrive.
    if (!result_.delivery || !result_.delivery->latency || !options_.delivery_warning) {
        return std::nullopt;
    }
    const auto latency = *result_.delivery->latency;
    critical = options_.delivery_critical && latency > *options_.delivery_critical;
    if (!critical && latency <= *options_.delivery_warning) {
        return std::nullopt;
    }
    probe_failure f;
    f.kind = failure_kind::slow;
    f.at = phase::verify;
    f.error = make_error_code(probe_errc::slow_response);
    f.message = "message <" + message_id_ + "> delivered in " + format_seconds(latency) +
                ", over the " + (critical ? "critical" : "warning") + " delivery time " +
                format_seconds(critical ? *options_.delivery_critical : *options_.delivery_warning);
    return f;
}

session_action client_session::on_connection_event(const session_event& ev,
                                                   probe_clock::time_point now)
{
    // TLS handshake done.
    tls_active_ = true;
    if (ev.tls != nullptr) {
        result_.tls = *ev.tls;
    }
    std::string text = "TLS established";
    if (result_.tls) {
        text += ": " + result_.tls->version + " " + result_.tls->cipher;
        if (result_.tls->certificate) {
            const auto& cert = *result_.tls->certificate;
            text += ", certificate subject " + cert.subject + ", expires " +
                    json_text::rfc3339_seconds(std::chrono::system_clock::from_time_t(
                        static_cast<std::time_t>(cert.not_after))) +
                    " (" + std::to_string(cert.days_left) + " days)";
            bool crit = options_.cert_crit_days && cert.days_left <= *options_.cert_crit_days;
            bool warn = options_.cert_warn_days && cert.days_left <= *options_.cert_warn_days;
            if (crit || warn) {
                probe_failure f;
                f.kind = failure_kind::cert_expiring;
                f.at = phase::tls;
                f.error = make_error_code(probe_errc::certificate_expiring);
                int limit = crit ? *options_.cert_crit_days : *options_.cert_warn_days;
                f.message =
                    (cert.days_left < 0
                         ? "certificate expired " + std::to_string(-cert.days_left) + " days ago"
                         : "certificate expires in " + std::to_string(cert.days_left) + " days") +
                    " (" +
                    json_text::rfc3339_seconds(std::chrono::system_clock::from_time_t(
                        static_cast<std::time_t>(cert.not_after))) +
                    "), within the " + (crit ? "critical" : "warning") + " limit of " +
                    std::to_string(limit) + " days";
                soft_failure_ = std::move(f);
                critical_level_ = crit;
            }
        }
    }
    note(transcript_dir::event, text, now);
    close_phase(now);
    completed_.insert(phase::tls);
    return after_tls(now);
}

// ---------------------------------------------------------------------------------------------
// Steps

session_action client_session::begin_command(step s, phase p, std::string line,
                                             probe_clock::time_point now, std::string shown)
{
    enter_phase(p, now);
    step_ = s;
    writing_ = true;
    received_.clear();
    deadline_ = command_deadline(now);
    note(transcript_dir::client, shown.empty() ? smtp::escape_bytes(line) : shown, now);
    out_ = std::move(line);
    out_ += "\r\n";
    return {action_kind::write, deadline_, out_};
}

session_action client_session::begin_read_step(step s, phase p, probe_clock::time_point now)
{
    enter_phase(p, now);
    step_ = s;
    writing_ = false;
    received_.clear();
    deadline_ = command_deadline(now);
    return await_reply(now);
}

session_action client_session::begin_tls(probe_clock::time_point now)
{
    enter_phase(phase::tls, now);
    step_ = step::tls;
    writing_ = false;
    received_.clear();
    deadline_ = command_deadline(now);
    // RFC 3207 §4.2: anything received before the handshake must be discarded.
    if (auto dropped = framer_.discard_buffered(); dropped > 0) {
        note(transcript_dir::event,
             "discarded " + std::to_string(dropped) + " octets received after the 220 to STARTTLS",
             now);
    }
    parser_.reset();
    std::string sni = options_.tls_server_name.empty() ? options_.host : options_.tls_server_name;
    note(transcript_dir::event,
         "starting TLS handshake with " + sni +
             (options_.insecure ? " (certificate not verified)" : ""),
         now);
    return {action_kind::start_tls, deadline_};
}

session_action client_session::after_tls(probe_clock::time_point now)
{
    if (!completed_.count(phase::banner)) {
        return begin_read_step(step::banner, phase::banner, now); // implicit TLS
    }
    // RFC 3207 §4.2: after TLS the client must forget what it knew and greet again.
    set_extensions(smtp::reply{});
    return begin_command(step::ehlo, phase::ehlo, "EHLO " + helo_name_, now);
}

session_action client_session::after_banner(probe_clock::time_point now)
{
    close_phase(now);
    completed_.insert(phase::banner);
    if (quit_point(phase::banner)) {
        return begin_quit(now);
    }
    return begin_command(step::ehlo, phase::ehlo, "EHLO " + helo_name_, now);
}

session_action client_session::after_greeting(probe_clock::time_point now)
{
    close_phase(now);
    completed_.insert(phase::ehlo);
    completed_.insert(phase::helo);
    if (options_.starttls && !tls_active_) {
        enter_phase(phase::starttls, now);
        if (!has_extension("STARTTLS")) {
            received_.clear();
            return fail(failure_kind::capability_missing,
                        make_error_code(probe_errc::starttls_not_offered),
                        greeted_with_helo_
                            ? "STARTTLS required, but the server only accepted HELO (no ESMTP "
                              "extensions)"
                            : "STARTTLS required, but not advertised in the EHLO reply",
                        now);
        }
        return begin_command(step::starttls, phase::starttls, "STARTTLS", now);
    }
    if (quit_point(phase::ehlo) || quit_point(phase::helo) || quit_point(phase::starttls) ||
        quit_point(phase::tls)) {
        return begin_quit(now);
    }
    if (options_.auth) {
        return begin_auth(now);
    }
    if (wants_send()) {
        return begin_mail(now);
    }
    return begin_quit(now);
}

session_action client_session::begin_auth(probe_clock::time_point now)
{
    enter_phase(phase::auth, now);
    received_.clear();
    if (!has_extension("AUTH")) {
        return fail(failure_kind::capability_missing, make_error_code(probe_errc::auth_not_offered),
                    "AUTH required, but not advertised in the EHLO reply", now);
    }
    std::string mechanisms = smtp::to_upper(extension_params("AUTH"));
    auto offers = [&](std::string_view mech) {
        std::size_t pos = 0;
        while ((pos = mechanisms.find(mech, pos)) != std::string::npos) {
            bool start_ok = pos == 0 || mechanisms[pos - 1] == ' ' || mechanisms[pos - 1] == '=';
            bool end_ok =
                pos + mech.size() == mechanisms.size() || mechanisms[pos + mech.size()] == ' ';
            if (start_ok && end_ok) {
                return true;
            }
            pos += mech.size();
        }
        return false;
    };
    const auto& creds = *options_.auth;
    if (offers("PLAIN")) {
        // RFC 4954 §4 with the initial response of RFC 4616.
        return begin_command(step::auth_plain, phase::auth,
                             "AUTH PLAIN " + smtp::encode_sasl_plain(creds.user, creds.password),
                             now, "AUTH PLAIN <credentials>");
    }
    if (offers("LOGIN")) {
        return begin_command(step::auth_login, phase::auth, "AUTH LOGIN", now);
    }
    return fail(
        failure_kind::capability_missing, make_error_code(probe_errc::auth_mechanism_unsupported),
        "AUTH offers neither PLAIN nor LOGIN (offered: " + smtp::escape_bytes(mechanisms) + ")",
        now);
}

session_action client_session::begin_mail(probe_clock::time_point now)
{
    if (!result_.delivery) {
        result_.delivery.emplace();
        result_.delivery->message_id = message_id_;
    }
    return begin_command(step::mail, phase::mail, "MAIL FROM:<" + options_.mail_from + ">", now);
}

session_action client_session::begin_quit(probe_clock::time_point now)
{
    return begin_command(step::quit, phase::quit, "QUIT", now);
}

session_action client_session::begin_close(probe_clock::time_point now)
{
    close_phase(now);
    step_ = step::closing;
    writing_ = false;
    result_.total = std::chrono::duration_cast<std::chrono::microseconds>(now - start_);
    note(transcript_dir::event, "closing connection", now);
    return {action_kind::close};
}

session_action client_session::finish(probe_clock::time_point now)
{
    if (!result_.failure && !cancelled_ && message_sent_ && options_.verify) {
        enter_phase(phase::verify, now);
        step_ = step::verifying;
        // The round trip has its own budget, counted after the SMTP session (--verify-timeout).
        deadline_ = now + options_.verify_timeout;
        note(transcript_dir::event,
             "checking " + options_.verify->display + " for <" + message_id_ + ">", now);
        return {action_kind::verify, deadline_};
    }
    finalize(now);
    return {action_kind::done};
}

// ---------------------------------------------------------------------------------------------
// Replies

session_action client_session::on_bytes(std::string_view bytes, probe_clock::time_point now)
{
    if (received_.size() < received_cap) {
        received_.append(bytes.substr(0, received_cap - received_.size()));
    }
    framer_.feed(bytes);
    return await_reply(now);
}

session_action client_session::await_reply(probe_clock::time_point now)
{
    while (auto line = framer_.next()) {
        if (line->too_long) {
            note(transcript_dir::event, "over-long reply line discarded", now);
            return fail(failure_kind::protocol_error,
                        make_error_code(probe_errc::reply_line_too_long),
                        "reply line longer than " + std::to_string(framer_.limit()) +
                            " octets (RFC 5321 §4.5.3.1.5)",
                        now);
        }
        const std::string_view text = line->text; // valid until the framer is fed again
        note(transcript_dir::server, smtp::escape_bytes(text), now);
        if (line->ending == smtp::line_ending::bare_lf) {
            // RFC 5321 §2.3.8: lines end with CRLF; a bare LF is a broken server.
            return fail(failure_kind::protocol_error, make_error_code(probe_errc::bare_line_feed),
                        "reply line ended with a bare LF instead of CRLF (RFC 5321 §2.3.8): \"" +
                            smtp::escape_bytes(text, 200) + "\"",
                        now);
        }
        auto status = parser_.feed_line(text);
        if (status == smtp::reply_status::error) {
            auto ec = parser_.error();
            parser_.reset();
            return fail(failure_kind::protocol_error, ec,
                        "malformed reply (" + ec.message() + ", RFC 5321 §4.2): \"" +
                            smtp::escape_bytes(text, 200) + "\"",
                        now);
        }
        if (status == smtp::reply_status::complete) {
            smtp::reply r = parser_.take();
            result_.last_code = r.code;
            return on_reply(r, now);
        }
    }
    return {action_kind::read, deadline_};
}

session_action client_session::on_reply(const smtp::reply& r, probe_clock::time_point now)
{
    switch (step_) {
    case step::banner:
        return on_banner(r, now);
    case step::ehlo:
    case step::helo:
    case step::starttls:
        return on_greeting_reply(r, now);
    case step::auth_plain:
    case step::auth_login:
    case step::auth_login_user:
    case step::auth_login_pass:
        return on_auth_reply(r, now);
    case step::mail:
    case step::rcpt:
    case step::data:
    case step::data_end:
        return on_transaction_reply(r, now);
    case step::quit:
        if (result_.failure) {
            return begin_close(now); // a courtesy QUIT after a failure: its reply is moot
        }
        if (r.code != 221) {
            return fail_reply(r, "221", now);
        }
        close_phase(now);
        completed_.insert(phase::quit);
        return begin_close(now);
    default:
        break;
    }
    result_.internal_error = "reply in a step that expects none";
    return begin_close(now);
}

session_action client_session::on_banner(const smtp::reply& r, probe_clock::time_point now)
{
    if (r.code != 220) {
        return fail_reply(r, "220", now);
    }
    const std::string text = r.text();
    result_.banner = smtp::escape_bytes(text);
    for (const auto& line : r.lines) {
        if (auto what = find_non_text(line)) {
            return fail(failure_kind::protocol_error, make_error_code(probe_errc::reply_not_text),
                        "banner is not text: " + *what +
                            " (RFC 5321 §4.2: printable characters, SP and HT)",
                        now);
        }
    }
    if (banner_re_ && !std::regex_search(text, *banner_re_)) {
        return fail(failure_kind::unexpected_reply, make_error_code(probe_errc::banner_mismatch),
                    "banner \"" + smtp::escape_bytes(text, 200) + "\" does not match /" +
                        options_.expect_banner + "/",
                    now, &r);
    }
    return after_banner(now);
}

session_action client_session::on_greeting_reply(const smtp::reply& r, probe_clock::time_point now)
{
    switch (step_) {
    case step::ehlo:
        if (r.code == 250) {
            set_extensions(r);
            return after_greeting(now);
        }
        if (r.code == 500 || r.code == 502) {
            // RFC 5321 §3.2: a server without EHLO answers 500 or 502; fall back to HELO.
            note(transcript_dir::event, "EHLO refused, falling back to HELO", now);
            close_phase(now);
            completed_.insert(phase::ehlo);
            return begin_command(step::helo, phase::helo, "HELO " + helo_name_, now);
        }
        return fail_reply(r, "250", now);
    case step::helo:
        if (r.code != 250) {
            return fail_reply(r, "250", now);
        }
        greeted_with_helo_ = true;
        set_extensions(smtp::reply{});
        return after_greeting(now);
    default: // starttls
        if (r.code != 220) {
            return fail_reply(r, "220", now);
        }
        close_phase(now);
        completed_.insert(phase::starttls);
        return begin_tls(now);
    }
}

session_action client_session::on_auth_reply(const smtp::reply& r, probe_clock::time_point now)
{
    switch (step_) {
    case step::auth_login:
    case step::auth_login_user:
        if (r.code != 334) {
            return fail_reply(r, "334", now);
        }
        if (step_ == step::auth_login) {
            return begin_command(step::auth_login_user, phase::auth,
                                 smtp::base64_encode(options_.auth->user), now);
        }
        return begin_command(step::auth_login_pass, phase::auth,
                             smtp::base64_encode(options_.auth->password), now, "<password>");
    default: // auth_plain, auth_login_pass
        if (r.code != 235) {
            return fail_reply(r, "235", now);
        }
        close_phase(now);
        completed_.insert(phase::auth);
        if (quit_point(phase::auth) || !wants_send()) {
            return begin_quit(now);
        }
        return begin_mail(now);
    }
}

session_action client_session::on_transaction_reply(const smtp::reply& r,
                                                    probe_clock::time_point now)
{
    switch (step_) {
    case step::mail:
        if (r.code != 250) {
            return fail_reply(r, "250", now);
        }
        close_phase(now);
        completed_.insert(phase::mail);
        if (quit_point(phase::mail)) {
            return begin_quit(now);
        }
        rcpt_index_ = 0;
        return begin_command(step::rcpt, phase::rcpt, "RCPT TO:<" + options_.rcpt_to[0] + ">", now);
    case step::rcpt:
        // RFC 5321 §4.1.1.3: 250, or 251 "user not local; will forward".
        if (r.code != 250 && r.code != 251) {
            return fail_reply(r, "250", now);
        }
        if (++rcpt_index_ < options_.rcpt_to.size()) {
            return begin_command(step::rcpt, phase::rcpt,
                                 "RCPT TO:<" + options_.rcpt_to[rcpt_index_] + ">", now);
        }
        close_phase(now);
        completed_.insert(phase::rcpt);
        if (quit_point(phase::rcpt)) {
            return begin_quit(now);
        }
        return begin_command(step::data, phase::data, "DATA", now);
    case step::data:
        if (r.code != 354) {
            return fail_reply(r, "354", now);
        }
        close_phase(now);
        completed_.insert(phase::data);
        return begin_body(now);
    default: // data_end
        if (r.code != 250) {
            return fail_reply(r, "250", now);
        }
        message_sent_ = true;
        data_end_at_ = now;
        result_.delivery->accepted = true;
        result_.delivery->queued_reply =
            smtp::escape_bytes(std::to_string(r.code) + ' ' + r.text());
        close_phase(now);
        completed_.insert(phase::data_end);
        return begin_quit(now);
    }
}

namespace {

// The transcript line of the message: its size as the server stores it (RFC 5321 §4.5.2:
// without the doubled dots and the final "." line), which the mock's API reports too, and the
// octets actually sent after DATA.
std::string message_note(std::string_view sent, std::string_view message_id)
{
    std::size_t stuffed = sent.starts_with("..") ? 1 : 0;
    for (auto at = sent.find("\r\n.."); at != std::string_view::npos;
         at = sent.find("\r\n..", at + 2)) {
        ++stuffed;
    }
    const auto stored = sent.size() - stuffed - 3; // 3: the final ".\r\n"
    return "<message of " + std::to_string(stored) + " octets (" + std::to_string(sent.size()) +
           " sent: dot-stuffed, with the final \".\" line), Message-ID <" +
           std::string(message_id) + ">>";
}

} // namespace

session_action client_session::begin_body(probe_clock::time_point now)
{
    enter_phase(phase::body, now);
    step_ = step::body;
    writing_ = true;
    received_.clear();
    deadline_ = command_deadline(now);
    if (params_.message) {
        sent_message_ = *params_.message;
    } else {
        test_message_fields fields{options_.mail_from, options_.rcpt_to, message_id_,
                                   params_.started_at};
        sent_message_ = build_test_message(fields);
    }
    out_ = dot_stuff(sent_message_);
    note(transcript_dir::client, message_note(out_, message_id_), now);
    return {action_kind::write, deadline_, out_};
}

session_action client_session::on_timeout(probe_clock::time_point now)
{
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - phase_start_);
    bool total = deadline_ >= total_deadline_;
    std::string message;
    boost::system::error_code ec = make_error_code(probe_errc::reply_timeout);
    switch (step_) {
    case step::resolve:
        message = "name not resolved within " + format_seconds(elapsed);
        break;
    case step::connect:
        message = "no connection within " + format_seconds(elapsed);
        ec = make_error_code(probe_errc::connect_timeout);
        break;
    case step::tls:
        message = "TLS handshake not complete within " + format_seconds(elapsed);
        break;
    default:
        if (writing_) {
            message = (step_ == step::body ? "message body not accepted within "
                                           : "command not sent within ") +
                      format_seconds(elapsed);
        } else {
            message = (received_.empty() ? "no reply within " : "no complete reply within ") +
                      format_seconds(elapsed);
        }
        break;
    }
    if (step_ != step::resolve && step_ != step::connect && step_ != step::tls && !writing_) {
        message += received_.empty() ? ", received nothing"
                                     : ", received \"" + smtp::escape_bytes(received_, 400) + '"';
    }
    if (total) {
        message += " (total deadline " +
                   format_seconds(
                       std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout)) +
                   " reached)";
        ec = make_error_code(probe_errc::total_deadline);
    }
    if (step_ == step::quit && result_.failure) {
        return begin_close(now);
    }
    return fail(failure_kind::timeout, ec, std::move(message), now);
}

session_action client_session::on_stream_error(const session_event& ev, probe_clock::time_point now)
{
    const auto& ec = ev.ec;
    std::string detail = ev.detail.empty() ? ec.message() : ev.detail;
    switch (step_) {
    case step::resolve:
        return fail(failure_kind::dns_error, ec ? ec : make_error_code(probe_errc::resolve_failed),
                    "cannot resolve \"" + options_.host + "\": " + detail, now);
    case step::connect:
        if (ec == errc::connection_refused) {
            return fail(failure_kind::refused, ec, "connection refused by " + detail, now);
        }
        if (ec == errc::timed_out) {
            return fail(failure_kind::timeout, ec, "no connection: " + detail, now);
        }
        if (ec == errc::connection_reset || ec == errc::connection_aborted) {
            // A refused handshake is ECONNREFUSED; a reset means the server accepted the
            // connection and aborted it before the probe saw it complete: no banner came.
            close_phase(now);
            completed_.insert(phase::connect);
            enter_phase(phase::banner, now);
            received_.clear();
            return fail(failure_kind::reset, ec,
                        "connection reset by the server before the banner: " + detail, now);
        }
        return fail(failure_kind::unreachable, ec, "cannot reach the server: " + detail, now);
    case step::tls:
        return fail(failure_kind::tls_error,
                    ec ? ec : make_error_code(probe_errc::tls_handshake_failed),
                    "TLS handshake failed: " + (ev.kind == event_kind::eof && ev.detail.empty()
                                                    ? std::string("connection closed by the server")
                                                    : detail),
                    now);
    default:
        break;
    }
    if (step_ == step::quit && result_.failure) {
        return begin_close(now);
    }
    std::string got = received_.empty()
                          ? ", received nothing"
                          : ", received \"" + smtp::escape_bytes(received_, 400) + '"';
    if (ev.kind == event_kind::eof) {
        return fail(
            failure_kind::closed, make_error_code(probe_errc::connection_closed),
            "server closed the connection " +
                std::string(writing_ ? "while the probe was sending" : "before a complete reply") +
                got,
            now);
    }
    return fail(failure_kind::reset, ec ? ec : make_error_code(probe_errc::connection_reset),
                "connection reset (" + detail + ")" + got, now);
}

// ---------------------------------------------------------------------------------------------
// Failures

session_action client_session::fail(failure_kind kind, boost::system::error_code ec,
                                    std::string message, probe_clock::time_point now,
                                    const smtp::reply* r)
{
    bool was_quit = step_ == step::quit;
    close_phase(now);
    if (!result_.failure) {
        probe_failure f;
        f.kind = kind;
        f.at = phase_;
        f.error = ec;
        f.message = std::move(message);
        f.received = smtp::escape_bytes(received_);
        if (r != nullptr) {
            f.code = r->code;
            f.enhanced = r->enhanced();
        }
        result_.failure = std::move(f);
        note(transcript_dir::event,
             std::string(smtp::to_string(kind)) + " at " + std::string(smtp::to_string(phase_)) +
                 ": " + result_.failure->message,
             now);
    }
    // The server is still listening after an ordinary rejection, or a missing capability:
    // end politely (RFC 5321 §4.1.1.10). After 421 the server closes (§3.8); after a broken
    // reply, a timeout or a lost connection, there is nothing left to say.
    bool usable = (r != nullptr && r->code != 421) || kind == failure_kind::capability_missing;
    if (usable && !was_quit && step_ != step::body && now < total_deadline_) {
        return begin_quit(now);
    }
    return begin_close(now);
}

session_action client_session::fail_reply(const smtp::reply& r, std::string_view expected,
                                          probe_clock::time_point now)
{
    failure_kind kind = classify_reply(r);
    std::string message;
    boost::system::error_code ec;
    switch (kind) {
    case failure_kind::blocklisted:
        message = "rejected by blocklist " + smtp::escape_bytes(*find_blocklist(r.text())) + ": " +
                  quoted(r);
        ec = make_error_code(probe_errc::blocklisted);
        break;
    case failure_kind::temp_failure:
        message = "server replied " + quoted(r);
        ec = make_error_code(probe_errc::transient_reply);
        break;
    case failure_kind::perm_failure:
        message = "server replied " + quoted(r);
        ec = make_error_code(probe_errc::permanent_reply);
        break;
    default:
        message = "expected " + std::string(expected) + ", got " + quoted(r);
        ec = make_error_code(probe_errc::unexpected_code);
        break;
    }
    return fail(kind, ec, std::move(message), now, &r);
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping

void client_session::enter_phase(phase p, probe_clock::time_point now)
{
    if (phase_open_ && phase_ == p) {
        return;
    }
    close_phase(now);
    phase_ = p;
    phase_start_ = now;
    phase_open_ = true;
}

void client_session::close_phase(probe_clock::time_point now)
{
    if (!phase_open_) {
        return;
    }
    phase_open_ = false;
    auto d = std::chrono::duration_cast<std::chrono::microseconds>(now - phase_start_);
    for (auto& [p, t] : result_.timings) {
        if (p == phase_) {
            t += d;
            return;
        }
    }
    result_.timings.emplace_back(phase_, d);
}

void client_session::note(transcript_dir dir, std::string text, probe_clock::time_point now)
{
    if (result_.transcript.size() >= transcript_cap) {
        return;
    }
    result_.transcript.push_back(
        {std::chrono::duration_cast<std::chrono::microseconds>(now - start_), dir, std::move(text),
         tls_active_ && dir != transcript_dir::event});
}

bool client_session::quit_point(phase completed)
{
    return options_.quit_after && *options_.quit_after == completed && completed_.count(completed);
}

bool client_session::wants_send() const noexcept
{
    if (options_.send) {
        return true;
    }
    if (!options_.quit_after) {
        return false;
    }
    switch (*options_.quit_after) {
    case phase::mail:
    case phase::rcpt:
    case phase::data:
    case phase::body:
    case phase::data_end:
        return true;
    default:
        return false;
    }
}

void client_session::set_extensions(const smtp::reply& r)
{
    // RFC 5321 §4.1.1.1: each line after the first is a keyword with its parameters.
    extensions_.clear();
    result_.extensions.clear();
    extensions_.reserve(r.lines.size());
    result_.extensions.reserve(r.lines.size());
    for (std::size_t i = 1; i < r.lines.size(); ++i) {
        if (!r.lines[i].empty()) {
            extensions_.push_back(r.lines[i]);
            result_.extensions.push_back(smtp::escape_bytes(r.lines[i]));
        }
    }
}

bool client_session::has_extension(std::string_view keyword) const
{
    for (const auto& line : extensions_) {
        std::string word = smtp::to_upper(line.substr(0, line.find_first_of(" =")));
        if (word == keyword) {
            return true;
        }
    }
    return false;
}

std::string client_session::extension_params(std::string_view keyword) const
{
    std::string all;
    for (const auto& line : extensions_) {
        auto cut = line.find_first_of(" =");
        if (smtp::to_upper(line.substr(0, cut)) == keyword && cut != std::string::npos) {
            all += (all.empty() ? "" : " ") + line.substr(cut + 1);
        }
    }
    return all;
}

probe_clock::time_point client_session::command_deadline(probe_clock::time_point now) const
{
    return std::min(now + options_.command_timeout, total_deadline_);
}

void client_session::finalize(probe_clock::time_point now)
{
    step_ = step::finished;
    close_phase(now);
    if (result_.total.count() == 0) {
        result_.total = std::chrono::duration_cast<std::chrono::microseconds>(now - start_);
    }
    if (!result_.internal_error.empty()) {
        result_.status = probe_status::unknown;
        return;
    }
    if (result_.failure) {
        result_.status = status_of(*result_.failure, options_, false);
        return;
    }
    // Succeeded: judge the response time (-w/-c) and the certificate (--cert-days).
    std::optional<probe_failure> slow;
    bool slow_critical = false;
    auto total_ms = std::chrono::duration_cast<std::chrono::milliseconds>(result_.total);
    bool over_crit = options_.critical && total_ms > *options_.critical;
    bool over_warn = options_.warning && total_ms > *options_.warning;
    if (over_crit || over_warn) {
        slow.emplace();
        slow->kind = failure_kind::slow;
        slow->error = make_error_code(probe_errc::slow_response);
        slow_critical = over_crit;
        // The phase that took longest is where the time went.
        std::chrono::microseconds longest{-1};
        for (const auto& [p, d] : result_.timings) {
            if (p != phase::verify && d > longest) {
                longest = d;
                slow->at = p;
            }
        }
        auto limit = over_crit ? *options_.critical : *options_.warning;
        slow->message = "response time " + format_seconds(result_.total) + " over the " +
                        (over_crit ? "critical" : "warning") + " threshold " +
                        format_seconds(limit) + "; slowest phase " +
                        std::string(smtp::to_string(slow->at)) + " (" + format_seconds(longest) +
                        ")";
    }
    if (!slow) {
        slow = late_delivery(slow_critical);
    }
    bool cert_critical = critical_level_;
    if (soft_failure_ && (!slow || cert_critical || !slow_critical)) {
        result_.failure = soft_failure_;
        result_.status = status_of(*result_.failure, options_, cert_critical);
    } else if (slow) {
        result_.failure = slow;
        result_.status = status_of(*result_.failure, options_, slow_critical);
    } else {
        result_.status = probe_status::ok;
    }
}

} // namespace prober
