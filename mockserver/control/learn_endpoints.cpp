#include "mockserver/control/learn_endpoints.hpp"

#include "faults/controller.hpp"
#include "harness/builtin_options.hpp"
#include "harness/talk_session.hpp"
#include "io/client_connection.hpp"
#include "io/client_error.hpp"
#include "mockserver/control/api_error.hpp"
#include "mockserver/control/learn_request.hpp"
#include "prober/probe_driver.hpp"
#include "prober/report.hpp"
#include "smtp/escape.hpp"

#include <array>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

namespace mock::control {

namespace {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

std::string_view path_of(std::string_view target) noexcept
{
    return target.substr(0, target.find('?'));
}

api_response no_target()
{
    return make_error(api_error::not_implemented, "the Learn endpoints are not served here");
}

// What the scenario says the built-in probe should report.
boost::json::object scenario_json(const faults::scenario& s)
{
    boost::json::object o{{"name", s.name.empty() ? "healthy" : s.name},
                          {"summary", s.summary},
                          {"description", s.description}};
    if (s.expect) {
        boost::json::array status;
        for (const auto& st : s.expect->status) {
            status.emplace_back(st);
        }
        boost::json::object expect{{"status", std::move(status)}};
        if (s.expect->kind) {
            expect["kind"] = smtp::to_string(*s.expect->kind);
        }
        if (s.expect->phase) {
            expect["phase"] = smtp::to_string(*s.expect->phase);
        }
        o["expect"] = std::move(expect);
    }
    return o;
}

double ms_between(clock_type::time_point from, clock_type::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// One prompt run: a fresh connection, the typed lines, and the conversation as it happened.
// harness::talk_session frames the lines and the replies; this only moves bytes and times them.
class prompt_run {
public:
    prompt_run(const net::any_io_executor& executor, io::client_settings settings,
               std::chrono::milliseconds reply_timeout)
        : conn_(executor, std::move(settings))
        , reply_timeout_(reply_timeout)
    {
    }

    net::awaitable<boost::json::array> run(const std::vector<std::string>& lines)
    {
        const auto opened = co_await conn_.open(false, clock_type::now() + reply_timeout_);
        if (opened.ec) {
            note("cannot connect: " + opened.detail);
            co_return std::move(entries_);
        }
        note("connected to " + opened.detail);
        bool open = co_await await_reply(clock_type::now());
        for (const auto& typed : lines) {
            if (!open) {
                note(fmt::format("not sent, the connection is gone: {}", typed));
                continue;
            }
            open = co_await say(typed);
        }
        if (open) {
            note("end of the lines: the prompt closes the connection");
        }
        conn_.close();
        co_return std::move(entries_);
    }

private:
    net::awaitable<bool> say(const std::string& typed)
    {
        const auto start = clock_type::now();
        entry("C", smtp::escape_bytes(typed));
        if (const auto ec = co_await conn_.write(session_.wire(typed), start + reply_timeout_)) {
            note(fmt::format("cannot send: {}; the connection is gone", ec.message()));
            co_return false;
        }
        if (!session_.awaits_reply()) {
            co_return true;
        }
        co_return co_await await_reply(start);
    }

    // Reads until a whole reply arrived (true), the server is silent past the timeout (true:
    // the next line goes out anyway), or the connection ended (false).
    net::awaitable<bool> await_reply(clock_type::time_point start)
    {
        std::array<char, 4096> buffer{};
        for (;;) {
            const auto [ec, n] =
                co_await conn_.read_some(net::buffer(buffer), start + reply_timeout_);
            if (ec == io::client_errc::timeout) {
                note(fmt::format("server silent, {:.0f} ms: no reply within the prompt's {} ms",
                                 ms_between(start, clock_type::now()), reply_timeout_.count()));
                co_return true;
            }
            if (ec) {
                note(fmt::format("after {:.1f} ms the connection ended: {}",
                                 ms_between(start, clock_type::now()),
                                 ec == net::error::eof ? "the server closed it" : ec.message()));
                co_return false;
            }
            bool ended = false;
            for (const auto& line : session_.received({buffer.data(), n})) {
                entry("S", smtp::escape_bytes(line.text), line.malformed);
                ended = ended || line.ends_reply;
            }
            if (ended) {
                co_return after_reply();
            }
        }
    }

    bool after_reply()
    {
        if (session_.in_message()) {
            note("the server waits for the message: headers, an empty line, the body, then a "
                 "lone '.'");
        }
        if (session_.take_tls_due()) {
            note("the server agreed to STARTTLS; this prompt speaks plain text only, so it ends "
                 "here (smtp-harness talk goes on over TLS)");
            return false;
        }
        return true;
    }

    void entry(std::string_view dir, std::string text, bool malformed = false)
    {
        boost::json::object e{{"t_ms", ms_between(started_, clock_type::now())},
                              {"dir", dir},
                              {"text", std::move(text)}};
        if (malformed) {
            e["malformed"] = true;
        }
        entries_.push_back(std::move(e));
    }

    void note(std::string text) { entry("event", std::move(text)); }

    io::client_connection conn_;
    harness::talk_session session_;
    std::chrono::milliseconds reply_timeout_;
    clock_type::time_point started_ = clock_type::now();
    boost::json::array entries_;
};

} // namespace

learn_endpoints::learn_endpoints(api_state& state)
    : state_(state)
{
}

learn_endpoints::~learn_endpoints()
{
    if (!ca_file_.empty()) {
        std::error_code ignored;
        std::filesystem::remove(ca_file_, ignored);
    }
}

void learn_endpoints::set_target(learn_target target)
{
    target_ = std::move(target);
}

bool learn_endpoints::serves(std::string_view target) noexcept
{
    const auto path = path_of(target);
    return path == learn_probe_path || path == learn_talk_path;
}

net::awaitable<api_response> learn_endpoints::answer(const api_request& request)
{
    if (request.method != "POST") {
        auto r = make_error(http_error::method_not_allowed,
                            request.method + " is not allowed here; allowed: POST");
        r.headers.push_back({"Allow", "POST"});
        co_return r;
    }
    if (!target_.smtp || state_.faults == nullptr) {
        co_return no_target();
    }
    if (path_of(request.target) == learn_probe_path) {
        co_return co_await probe(request);
    }
    co_return co_await talk(request);
}

std::filesystem::path learn_endpoints::ca_file()
{
    std::lock_guard lock(ca_mutex_);
    const auto pem = target_.ca_pem ? target_.ca_pem() : std::string();
    if (ca_file_.empty() && !pem.empty()) {
        auto path = std::filesystem::temp_directory_path() /
                    fmt::format("smtp-mock-{}-learn-ca.pem", ::getpid());
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << pem;
        if (out.flush()) {
            ca_file_ = std::move(path);
        }
    }
    return ca_file_;
}

net::awaitable<api_response> learn_endpoints::probe(const api_request& request)
{
    auto parsed = parse_learn_probe(request);
    if (auto* error = std::get_if<api_response>(&parsed)) {
        co_return std::move(*error);
    }
    const auto connections = std::get<learn_probe_request>(parsed).connections;
    const auto scenario = state_.faults->current();
    const auto smtp = target_.smtp();
    const auto tls = target_.smtp_tls ? target_.smtp_tls() : decltype(smtp){};
    if (smtp.empty()) {
        co_return no_target();
    }
    harness::monitor_target where;
    where.scenario = &scenario;
    where.host = smtp.front().address().to_string();
    where.port = smtp.front().port();
    where.tls_port = tls.empty() ? 0 : tls.front().port();
    if (scenario.probe.starttls || scenario.probe.tls) {
        where.ca_file = ca_file();
    }
    const auto options = harness::builtin_probe_options(where, {});
    boost::json::array runs;
    for (int i = 0; i < connections; ++i) {
        auto result = co_await prober::async_probe(options);
        runs.push_back(boost::json::object{{"result", prober::to_json(result)},
                                           {"nagios", prober::format_nagios(result)}});
    }
    co_return json_response(
        boost::json::object{{"scenario", scenario_json(scenario)}, {"runs", std::move(runs)}});
}

net::awaitable<api_response> learn_endpoints::talk(const api_request& request)
{
    auto parsed = parse_learn_talk(request);
    if (auto* error = std::get_if<api_response>(&parsed)) {
        co_return std::move(*error);
    }
    const auto& typed = std::get<learn_talk_request>(parsed);
    const auto smtp = target_.smtp();
    if (smtp.empty()) {
        co_return no_target();
    }
    io::client_settings settings;
    settings.host = smtp.front().address().to_string();
    settings.port = smtp.front().port();
    const auto executor = co_await net::this_coro::executor;
    prompt_run run(executor, std::move(settings), typed.reply_timeout);
    auto conversation = co_await run.run(typed.lines);
    co_return json_response(
        boost::json::object{{"scenario", scenario_json(state_.faults->current())},
                            {"transcript", std::move(conversation)}});
}

} // namespace mock::control
