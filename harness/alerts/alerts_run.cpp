#include "harness/alerts/alerts_run.hpp"

#include "harness/alerts/captured_alert.hpp"
#include "harness/alerts/webhook_receiver.hpp"
#include "io/http_client.hpp"
#include "mockserver/mock_app.hpp"
#include "watch/alert_payload.hpp"
#include "watch/watch_service.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;

// "127.0.0.1:40123" -> host and port.
std::pair<std::string, std::uint16_t> split(const std::string& address)
{
    auto colon = address.rfind(':');
    auto host = address.substr(0, colon);
    if (host.starts_with('[')) {
        host = host.substr(1, host.size() - 2);
    }
    return {host, static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)))};
}

// A started in-process mock and its addresses.
struct running_mock {
    explicit running_mock(mock::server_options o)
        : app(o)
    {
        app.start();
        auto ready = boost::json::parse(app.ready_line()).as_object();
        smtp = split(std::string(ready.at("smtp").as_array().at(0).as_string()));
        control = std::string(ready.at("control").as_string());
    }
    ~running_mock() { app.stop(); }

    mock::mock_app app;
    std::pair<std::string, std::uint16_t> smtp;
    std::string control;
};

mock::server_options mock_options()
{
    mock::server_options o;
    o.listen = {"127.0.0.1:0"};
    o.control = "127.0.0.1:0";
    o.seed = 1;
    o.grace = std::chrono::milliseconds(500);
    return o;
}

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// Shell-quotes one word for sh -c.
std::string quoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

std::string put_scenario(const std::string& control, const std::filesystem::path& file)
{
    io::http::client_request req;
    req.method = "PUT";
    req.url = "http://" + control + "/api/v1/scenario";
    req.body = read_file(file);
    req.content_type = file.extension() == ".json" ? "application/json" : "application/yaml";
    req.timeout = std::chrono::seconds(5);
    auto res = io::http::fetch(std::move(req));
    if (res.ec) {
        return res.error;
    }
    if (res.status != 200) {
        return "PUT /api/v1/scenario answered " + std::to_string(res.status) + ": " + res.body;
    }
    return {};
}

// The e-mails the sink received, as alerts.
std::vector<captured_alert> collect_mail(const std::string& control,
                                         std::chrono::system_clock::time_point run_start,
                                         std::string& error)
{
    std::vector<captured_alert> out;
    io::http::client_request list;
    list.url = "http://" + control + "/api/v1/messages";
    auto res = io::http::fetch(list);
    if (res.ec || res.status != 200) {
        error = "cannot list the mail sink's messages: " + (res.ec ? res.error : res.body);
        return out;
    }
    auto messages = boost::json::parse(res.body).as_object().at("messages").as_array();
    for (const auto& m : messages) {
        const auto& o = m.as_object();
        auto id = boost::json::serialize(o.at("id"));
        if (id.starts_with('"')) {
            id = id.substr(1, id.size() - 2);
        }
        io::http::client_request raw;
        raw.url = "http://" + control + "/api/v1/messages/" + id + "/raw";
        auto body = io::http::fetch(raw);
        if (body.ec || body.status != 200) {
            continue;
        }
        auto at = parse_rfc3339(std::string(o.at("received_at").as_string()));
        auto t = at ? std::chrono::duration_cast<ms>(*at - run_start) : ms(0);
        if (auto a = alert_from_email(body.body, t)) {
            out.push_back(std::move(*a));
        }
    }
    return out;
}

} // namespace

watch::watch_config redirect_watch_config(watch::watch_config cfg, const std::string& smtp_host,
                                          std::uint16_t smtp_port, const std::string& webhook_base,
                                          const std::string& mail_host, std::uint16_t mail_port,
                                          const std::string& exec_record,
                                          const std::string& state_file)
{
    for (auto& t : cfg.targets) {
        t.probe.host = smtp_host;
        t.probe.port = smtp_port;
        t.probe.implicit_tls = false;
        t.probe.insecure = true; // the mock's certificate is its own
        t.probe.tls_server_name.clear();
        t.probe.source_address.clear();
        t.probe.verify.reset(); // the round trip needs the real mailbox
    }
    for (auto& n : cfg.notifiers) {
        switch (n.kind) {
        case watch::notifier_kind::webhook:
            n.webhook.url = webhook_base + "/hook/" + n.name;
            break;
        case watch::notifier_kind::email:
            n.email.host = mail_host;
            n.email.port = mail_port;
            n.email.insecure = true;
            n.email.auth.reset(); // the sink takes mail without AUTH
            break;
        case watch::notifier_kind::exec:
            n.exec.command = {"/bin/sh", "-c",
                              "printf '%s\\t%s\\n' \"$0\" \"$SMTP_ALERT_JSON\" >> " +
                                  quoted(exec_record),
                              n.name};
            break;
        }
    }
    cfg.listen = "127.0.0.1:0";
    cfg.state_file = state_file;
    return cfg;
}

alerts_run_result run_timeline(const alerts_plan& plan,
                               const std::function<void(const std::string&)>& progress)
{
    alerts_run_result result;
    result.tl = plan.tl;
    const auto& tl = plan.tl;

    // A private directory for the state file and the exec record.
    std::string tmpl = (std::filesystem::temp_directory_path() / "smtp-harness-alerts.XXXXXX");
    if (::mkdtemp(tmpl.data()) == nullptr) {
        result.error = "cannot create a temporary directory";
        return result;
    }
    std::filesystem::path dir = tmpl;
    auto exec_record = (dir / "exec.log").string();

    try {
        running_mock target(mock_options());
        bool wants_mail = false;
        for (const auto& n : plan.watch.notifiers) {
            wants_mail = wants_mail || n.kind == watch::notifier_kind::email;
        }
        std::optional<running_mock> sink;
        if (wants_mail) {
            sink.emplace(mock_options());
        }
        const auto epoch = std::chrono::steady_clock::now();
        const auto wall_epoch = std::chrono::system_clock::now();
        webhook_receiver receiver(epoch);
        progress(
            "mock at " + target.smtp.first + ':' + std::to_string(target.smtp.second) +
            " (control " + target.control + "), webhooks at " + receiver.base_url() +
            (sink ? ", mail sink at " + sink->smtp.first + ':' + std::to_string(sink->smtp.second)
                  : std::string()));

        // The first step is in place before the first check.
        if (auto e = put_scenario(target.control, tl.steps[0].file); !e.empty()) {
            throw std::runtime_error(e);
        }
        auto cfg = redirect_watch_config(plan.watch, target.smtp.first, target.smtp.second,
                                         receiver.base_url(), sink ? sink->smtp.first : "127.0.0.1",
                                         sink ? sink->smtp.second : 25, exec_record,
                                         (dir / "state.json").string());
        watch::watch_service service(std::move(cfg));
        std::promise<std::string> ready;
        auto ready_future = ready.get_future();
        std::thread runner(
            [&] { service.run([&](const std::string& address) { ready.set_value(address); }); });
        if (ready_future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            service.stop();
            runner.join();
            throw std::runtime_error("the watch service did not start");
        }
        progress("watch running, status at http://" + ready_future.get());

        // Drive the timeline.
        auto elapsed = [&] {
            return std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - epoch);
        };
        ms planned{0};
        std::string failure;
        for (std::size_t i = 0; i < tl.steps.size(); ++i) {
            const auto& step = tl.steps[i];
            if (i > 0) {
                if (auto e = put_scenario(target.control, step.file); !e.empty()) {
                    failure = "step " + step.id + ": " + e;
                    break;
                }
            }
            auto start = i == 0 ? ms(0) : elapsed();
            result.times.start.push_back(start);
            progress('[' + seconds_text(start) + "] step " + std::to_string(i + 1) + '/' +
                     std::to_string(tl.steps.size()) + ' ' + step.id + ": " + step.scenario +
                     " for " + seconds_text(step.duration));
            planned += step.duration;
            auto left = planned - elapsed();
            if (left.count() > 0) {
                std::this_thread::sleep_for(left);
            }
            result.times.end.push_back(elapsed());
        }
        service.stop();
        runner.join();
        progress('[' + seconds_text(elapsed()) + "] timeline done");
        receiver.stop();

        // Collect what every channel captured.
        for (const auto& post : receiver.received()) {
            auto name = post.target.substr(std::string("/hook/").size());
            for (auto& a : alerts_from_webhook(name, post.body, post.t)) {
                result.captured.push_back(std::move(a));
            }
        }
        if (sink) {
            std::string error;
            for (auto& a : collect_mail(sink->control, wall_epoch, error)) {
                result.captured.push_back(std::move(a));
            }
            if (!error.empty() && failure.empty()) {
                failure = error;
            }
        }
        std::ifstream record(exec_record);
        for (std::string line; std::getline(record, line);) {
            if (auto a = alert_from_exec_line(line, wall_epoch)) {
                result.captured.push_back(std::move(*a));
            }
        }
        std::stable_sort(
            result.captured.begin(), result.captured.end(),
            [](const captured_alert& a, const captured_alert& b) { return a.t < b.t; });
        result.error = failure;
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    if (plan.expectations && result.error.empty()) {
        result.results = evaluate(*plan.expectations, tl, result.times, result.captured);
    }
    return result;
}

} // namespace harness::alerts
