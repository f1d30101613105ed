#include "harness/alerts/timeline_runner.hpp"

#include "faults/scenario_loader.hpp"
#include "harness/alerts/captured_alert.hpp"
#include "harness/alerts/watch_redirect.hpp"
#include "harness/alerts/webhook_receiver.hpp"
#include "io/endpoint.hpp"
#include "io/stop_signals.hpp"
#include "mockserver/mock_app.hpp"
#include "watch/watch_service.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

namespace harness::alerts {
namespace {

using ms = std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

// The watch service on a thread of its own, stopped and joined on destruction.
class watch_thread {
public:
    explicit watch_thread(watch::watch_config cfg)
        : service_(std::move(cfg))
    {
        auto ready = ready_.get_future();
        thread_ = std::thread(
            [this] { service_.run([this](const std::string& a) { ready_.set_value(a); }); });
        if (ready.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            stop();
            throw std::runtime_error("the watch service did not start");
        }
        status_ = ready.get();
    }
    ~watch_thread() { stop(); }
    watch_thread(const watch_thread&) = delete;
    watch_thread& operator=(const watch_thread&) = delete;

    void stop()
    {
        service_.stop();
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    const std::string& status_address() const noexcept { return status_; }

private:
    watch::watch_service service_;
    std::promise<std::string> ready_;
    std::thread thread_;
    std::string status_;
};

// Every notification the receiver, the mail sink and the exec record captured, in time order.
std::vector<captured_alert> collect(const webhook_receiver& receiver, mock::mock_app* sink,
                                    const std::string& exec_record, system_clock::time_point wall)
{
    std::vector<captured_alert> out;
    for (const auto& post : receiver.received()) {
        auto name = post.target.substr(std::string("/hook/").size());
        for (auto& a : alerts_from_webhook(name, post.body, post.t)) {
            out.push_back(std::move(a));
        }
    }
    if (sink != nullptr) {
        for (const auto& m : sink->store().list()) {
            if (auto a = alert_from_email(m->data,
                                          std::chrono::duration_cast<ms>(m->received_at - wall))) {
                out.push_back(std::move(*a));
            }
        }
    }
    std::ifstream record(exec_record);
    for (std::string line; std::getline(record, line);) {
        if (auto a = alert_from_exec_line(line, wall)) {
            out.push_back(std::move(*a));
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const captured_alert& a, const captured_alert& b) { return a.t < b.t; });
    return out;
}

bool wants_mail(const watch::watch_config& cfg)
{
    return std::any_of(cfg.notifiers.begin(), cfg.notifiers.end(),
                       [](const auto& n) { return n.kind == watch::notifier_kind::email; });
}

void run(const alerts_plan& plan, alerts_run_result& result,
         const std::function<void(const std::string&)>& progress)
{
    const auto scenarios = plan.scenarios.empty() ? load_step_scenarios(plan.tl) : plan.scenarios;
    const run_directory dir;
    auto target =
        start_timeline_mock(scenarios.front(), true); // the first step is in force at once
    auto sink =
        wants_mail(plan.watch) ? start_timeline_mock(faults::healthy_scenario(), false) : nullptr;
    const auto epoch = steady_clock::now();
    const auto wall_epoch = system_clock::now();
    webhook_receiver receiver(epoch);

    stand_ins to;
    const auto smtp = target->endpoints().smtp.at(0);
    to.smtp_host = smtp.address().to_string();
    to.smtp_port = smtp.port();
    to.webhook_base = receiver.base_url();
    if (sink) {
        const auto mail = sink->endpoints().smtp.at(0);
        to.mail_host = mail.address().to_string();
        to.mail_port = mail.port();
    }
    to.exec_record = dir.file("exec.log");
    to.state_file = dir.file("state.json");
    progress("mock at " + io::to_string(smtp) + " (control " +
             io::to_string(*target->endpoints().control) + "), webhooks at " + to.webhook_base +
             (sink ? ", mail sink at " + io::to_string(sink->endpoints().smtp.at(0)) : ""));

    watch_thread watch(redirect_watch_config(plan.watch, to));
    progress("watch running, status at http://" + watch.status_address());
    drive_timeline(plan.tl, scenarios, *target, epoch, result.times, progress, plan.stop);
    watch.stop();
    progress('[' + seconds_text(std::chrono::duration_cast<ms>(steady_clock::now() - epoch)) +
             "] timeline done");
    receiver.stop();
    result.captured = collect(receiver, sink.get(), to.exec_record, wall_epoch);
}

} // namespace

// A started embedded mock serving `s`; with a control API when `control`.
std::unique_ptr<mock::mock_app> start_timeline_mock(faults::scenario s, bool control)
{
    auto o = mock::embedded_options();
    if (control) {
        o.control = "127.0.0.1:0";
    }
    o.seed = 1;
    o.grace = ms(500);
    auto app = std::make_unique<mock::mock_app>(o, mock::embedding{std::move(s), false});
    app->start();
    return app;
}

run_directory::run_directory()
{
    std::string tmpl = std::filesystem::temp_directory_path() / "smtp-harness-alerts.XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("cannot create a temporary directory");
    }
    path_ = tmpl;
}
run_directory::~run_directory()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}
// Puts each step's scenario in force at its time; records when each step ran.
void drive_timeline(const timeline& tl, const std::vector<faults::scenario>& scenarios,
                    mock::mock_app& target, steady_clock::time_point epoch, step_times& times,
                    const std::function<void(const std::string&)>& progress,
                    const std::stop_token& stop)
{
    const auto elapsed = [&] {
        return std::chrono::duration_cast<ms>(steady_clock::now() - epoch);
    };
    ms planned{0};
    for (std::size_t i = 0; i < tl.steps.size(); ++i) {
        const auto& step = tl.steps[i];
        if (i > 0) {
            target.set_scenario(scenarios[i]);
        }
        const auto start = i == 0 ? ms(0) : elapsed();
        times.start.push_back(start);
        progress('[' + seconds_text(start) + "] step " + std::to_string(i + 1) + '/' +
                 std::to_string(tl.steps.size()) + ' ' + step.id + ": " + step.scenario + " for " +
                 seconds_text(step.duration));
        planned += step.duration;
        // The step's duration is the point of the run.
        if (!io::sleep_until(stop, epoch + planned)) {
            throw timeline_stopped("the timeline stopped at " + seconds_text(elapsed()) +
                                   ", in step " + std::to_string(i + 1) + '/' +
                                   std::to_string(tl.steps.size()) + ' ' + step.id);
        }
        times.end.push_back(elapsed());
    }
}

std::vector<faults::scenario> load_step_scenarios(const timeline& tl)
{
    std::vector<faults::scenario> out;
    for (const auto& step : tl.steps) {
        out.push_back(faults::load_scenario_file(step.file));
    }
    return out;
}

alerts_run_result judged_run(const timeline& tl,
                             const std::optional<alert_expectations>& expectations,
                             const std::function<void(alerts_run_result&)>& drive)
{
    alerts_run_result result;
    result.tl = tl;
    try {
        drive(result);
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    if (expectations && result.error.empty()) {
        result.results = evaluate(*expectations, tl, result.times, result.captured);
    }
    return result;
}

alerts_run_result run_timeline(const alerts_plan& plan,
                               const std::function<void(const std::string&)>& progress)
{
    return judged_run(plan.tl, plan.expectations,
                      [&](alerts_run_result& result) { run(plan, result, progress); });
}

} // namespace harness::alerts
