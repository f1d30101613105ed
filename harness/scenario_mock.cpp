#include "harness/scenario_mock.hpp"

#include "mockserver/mock_app.hpp"

#include <fmt/format.h>

namespace harness {

scenario_mock::scenario_mock(const faults::scenario& s, const mock_settings& settings)
    : ca_file_(settings.work_dir / (s.name + "-ca.pem"))
{
    auto o = mock::embedded_options();
    if (s.probe.tls) {
        o.listen_tls = {"127.0.0.1:0"};
    }
    if (!settings.users_file.empty()) {
        o.users = settings.users_file;
    }
    o.write_ca = ca_file_;
    o.seed = settings.seed;
    o.grace = settings.grace;
    o.session_history = 100;
    app_ = std::make_unique<mock::mock_app>(o, mock::embedding{s, false});
    app_->start(); // the scenario's listener state takes effect once the ports are bound
    const auto bound = app_->endpoints();
    smtp_ = bound.smtp.at(0);
    if (!bound.smtp_tls.empty()) {
        smtp_tls_ = bound.smtp_tls.front();
    }
}

scenario_mock::~scenario_mock()
{
    stop();
}

void scenario_mock::stop()
{
    app_->stop();
}

std::uint64_t scenario_mock::sessions() const
{
    return app_->smtp().sessions().total();
}

std::string scenario_mock::transcripts() const
{
    std::string out;
    for (const auto& record : app_->smtp().sessions().list(0, 100)) {
        const auto snap = record->read();
        out += fmt::format("session {} from {} ({})\n", snap.id, snap.peer,
                           mock::to_string(snap.outcome));
        for (const auto& e : snap.transcript) {
            out += fmt::format("  {:>8.1f} ms  {:<5} {}\n", e.t_ms, e.dir, e.text);
        }
    }
    return out;
}

} // namespace harness
