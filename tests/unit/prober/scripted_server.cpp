#include "scripted_server.hpp"

#include <stdexcept>

namespace prober::test {

probe_options test_options()
{
    probe_options o;
    o.host = "mx.example.test";
    o.port = 25;
    o.timeout = std::chrono::seconds(10);
    o.connect_timeout = std::chrono::seconds(3);
    o.command_timeout = std::chrono::seconds(4);
    o.helo_name = "probe.example.test";
    return o;
}

run_outcome run_session(const probe_options& options, const scripted_server& server,
                        const delivery_plan& plan)
{
    session_params params;
    params.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    params.nonce = 0x1234;
    params.message = plan.message;
    params.message_id = plan.message_id;
    params.mx = plan.route;
    client_session session(options, params);
    run_outcome out;
    probe_clock::time_point now{std::chrono::hours(1000)};
    out.start = now;

    std::string pending;              // server bytes not yet read
    std::size_t reply_start_size = 0; // size of the pending reply when it was queued
    bool first_read_of_reply = true;
    then state = then::proceed;
    std::string line_buf; // client bytes not yet a full line
    bool in_data = false;
    int auth_lines = 0;
    tls_info tls;
    tls.version = "TLSv1.3";
    tls.cipher = "TLS_AES_256_GCM_SHA384";
    tls.certificate =
        certificate_info{"CN=mx.example.test", "CN=Test CA", 1'900'000'000, server.cert_days_left};
    verify_report report;

    auto queue = [&](const std::string& key) {
        auto it = server.answers.find(key);
        if (it == server.answers.end()) {
            pending += "500 5.5.1 Unknown command\r\n";
            return;
        }
        pending += it->second.bytes;
        reply_start_size = pending.size();
        first_read_of_reply = true;
        state = it->second.after;
    };
    auto on_client_line = [&](const std::string& line) {
        if (in_data) {
            if (line == ".") {
                in_data = false;
                queue(".");
            }
            return;
        }
        if (auth_lines > 0) {
            --auth_lines;
            queue(auth_lines > 0 ? "AUTH_USER" : "AUTH_PASS");
            return;
        }
        std::string verb = line.substr(0, line.find(' '));
        if (verb == "AUTH" && line == "AUTH LOGIN") {
            auth_lines = 2;
            queue("AUTH_LOGIN");
            return;
        }
        queue(verb);
        if (verb == "DATA") {
            auto it = server.answers.find("DATA");
            in_data = it != server.answers.end() && it->second.bytes.starts_with("354");
        }
    };

    session_event ev{event_kind::start};
    for (std::size_t n = 0; n < 10000; ++n) {
        auto act = session.next(ev, now);
        if (act.kind == action_kind::done) {
            out.end = now;
            out.result = session.take_result();
            return out;
        }
        out.actions.push_back(act.kind);
        out.phase_at.push_back(session.current_phase());
        bool waits = act.kind != action_kind::close;
        if (waits && now + plan.step > act.deadline) {
            // The driver's timer fires first: operations never complete after their deadline.
            now = act.deadline;
            ev = session_event{event_kind::timeout};
            continue;
        }
        if (waits) {
            now += plan.step; // closing a socket is immediate
        }
        if (plan.cancel_at && *plan.cancel_at == n && act.kind != action_kind::close) {
            ev = session_event{event_kind::cancelled};
            continue;
        }
        if (plan.error_at && *plan.error_at == n && act.kind != action_kind::close &&
            act.kind != action_kind::verify) {
            ev = session_event{event_kind::error,
                               {},
                               make_error_code(boost::system::errc::connection_reset),
                               "injected error"};
            continue;
        }
        switch (act.kind) {
        case action_kind::resolve:
            ev = server.resolve_error
                     ? session_event{event_kind::error, {}, *server.resolve_error, "not found"}
                     : session_event{event_kind::resolved, {}, {}, "192.0.2.25"};
            break;
        case action_kind::connect:
            if (server.connect_hangs) {
                now = act.deadline;
                ev = session_event{event_kind::timeout};
            } else if (server.connect_error) {
                ev = session_event{event_kind::error, {}, *server.connect_error, "192.0.2.25:25"};
            } else {
                ev = session_event{event_kind::connected, {}, {}, "192.0.2.25:25"};
                queue("BANNER");
            }
            break;
        case action_kind::write: {
            out.client_bytes += act.bytes;
            line_buf += act.bytes;
            std::size_t lf;
            while ((lf = line_buf.find("\r\n")) != std::string::npos) {
                std::string line = line_buf.substr(0, lf);
                line_buf.erase(0, lf + 2);
                on_client_line(line);
            }
            ev = session_event{event_kind::written};
            break;
        }
        case action_kind::read: {
            if (pending.empty()) {
                if (state == then::close) {
                    ev = session_event{event_kind::eof};
                } else if (state == then::reset) {
                    ev = session_event{event_kind::error,
                                       {},
                                       make_error_code(boost::system::errc::connection_reset),
                                       "Connection reset by peer"};
                } else {
                    now = act.deadline; // nothing comes: the driver's timer fires
                    ev = session_event{event_kind::timeout};
                }
                break;
            }
            std::size_t take = pending.size();
            if (plan.split_at > 0 && first_read_of_reply && plan.split_at < take &&
                reply_start_size == pending.size()) {
                take = plan.split_at;
            }
            if (plan.chunk > 0 && plan.chunk < take) {
                take = plan.chunk;
            }
            first_read_of_reply = false;
            static thread_local std::string delivered;
            delivered = pending.substr(0, take);
            pending.erase(0, take);
            ev = session_event{event_kind::read, delivered};
            break;
        }
        case action_kind::start_tls:
            if (server.tls_hangs) {
                now = act.deadline;
                ev = session_event{event_kind::timeout};
            } else if (server.tls_fails) {
                ev = session_event{event_kind::error,
                                   {},
                                   make_error_code(boost::system::errc::protocol_error),
                                   *server.tls_fails};
            } else {
                ev = session_event{event_kind::tls_done};
                ev.tls = &tls;
            }
            break;
        case action_kind::close:
            ev = session_event{event_kind::closed};
            break;
        case action_kind::verify:
            if (server.no_verifier) {
                ev = session_event{event_kind::error,
                                   {},
                                   make_error_code(boost::system::errc::not_supported),
                                   "no verifier"};
                break;
            }
            report = verify_report{};
            report.delivered = server.delivered;
            if (server.delivered) {
                report.latency = std::chrono::milliseconds(1500);
            } else {
                now = act.deadline;
            }
            ev = session_event{event_kind::verified};
            ev.verify = &report;
            break;
        case action_kind::done:
            break;
        }
    }
    throw std::runtime_error("session did not finish within 10000 actions");
}

} // namespace prober::test
