#include "harness/scenario_mock.hpp"

#include "faults/controller.hpp"
#include "mockserver/mock_app.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace harness {

namespace {

std::string read_pem(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        throw std::runtime_error(file.string() + ": cannot read");
    }
    return text.str();
}

// One CA file for the monitors: the user's CA first, then the mock's own.
void write_ca_bundle(const std::filesystem::path& out_file, const std::filesystem::path& user_ca,
                     const std::filesystem::path& mock_ca)
{
    std::ofstream out(out_file, std::ios::binary | std::ios::trunc);
    out << read_pem(user_ca) << '\n' << read_pem(mock_ca);
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write " + out_file.string());
    }
}

} // namespace

scenario_mock::scenario_mock(const faults::scenario& s, const mock_settings& settings)
    : ca_file_(settings.work_dir / (s.name + "-ca.pem"))
    , cert_file_(settings.tls_cert.empty() ? settings.work_dir / (s.name + "-cert.pem")
                                           : settings.tls_cert)
    , tls_name_(settings.tls_name)
{
    auto o = mock::embedded_options();
    o.hostname = settings.tls_name;
    const auto mock_ca = settings.work_dir / (s.name + "-mock-ca.pem");
    if (settings.tls_cert.empty()) {
        o.write_ca = ca_file_;
        o.write_cert = cert_file_;
    } else {
        o.tls_cert = settings.tls_cert;
        o.tls_key = settings.tls_key;
        o.write_ca = mock_ca;
    }
    if (s.probe.tls) {
        o.listen_tls = {"127.0.0.1:0"};
    }
    if (settings.mailbox || !s.probe.verify.empty()) {
        // Both, over the same store: the probe reads the one its hint names, a mail-loop
        // monitor the one it speaks. The scenario's mailbox_listener applies to both.
        o.pop3 = "127.0.0.1:0";
        o.imap = "127.0.0.1:0";
    }
    if (s.probe.dnsbl || s.probe.mx) {
        o.dns = "127.0.0.1:0"; // serves the blocklist dnsbl.mock.test and the domain mock.test
    }
    mail_domain_ = o.dns_domain;
    if (!settings.users_file.empty()) {
        o.users = settings.users_file;
    }
    o.seed = settings.seed;
    o.grace = settings.grace;
    o.session_history = 100;
    app_ = std::make_unique<mock::mock_app>(o, mock::embedding{s, false});
    app_->start(); // the scenario's listener state takes effect once the ports are bound
    if (!settings.tls_cert.empty()) {
        write_ca_bundle(ca_file_, settings.tls_ca.empty() ? settings.tls_cert : settings.tls_ca,
                        mock_ca);
    }
    const auto bound = app_->endpoints();
    smtp_ = bound.smtp.at(0);
    if (!bound.smtp_tls.empty()) {
        smtp_tls_ = bound.smtp_tls.front();
    }
    pop3_ = bound.pop3;
    imap_ = bound.imap;
    dns_ = bound.dns;
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
    return app_->smtp().sessions().total() + app_->dns_queries() + app_->mailbox_connections();
}

std::uint64_t scenario_mock::faults_fired() const
{
    return app_->faults().faults_fired();
}

std::vector<std::string> scenario_mock::unfired_rules() const
{
    std::vector<std::string> out;
    for (const auto& r : app_->faults().rules()) {
        if (r.fired == 0) {
            out.push_back(r.definition.id);
        }
    }
    return out;
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

std::vector<recorded_session> scenario_mock::recorded() const
{
    std::vector<recorded_session> out;
    for (const auto& record : app_->smtp().sessions().list(0, 100)) {
        const auto snap = record->read();
        auto& session = out.emplace_back();
        session.id = snap.id;
        session.peer = snap.peer;
        session.outcome = mock::to_string(snap.outcome);
        for (const auto& e : snap.transcript) {
            session.lines.push_back({e.t_ms, std::string(e.dir), std::string(e.text)});
        }
    }
    std::sort(out.begin(), out.end(),
              [](const recorded_session& a, const recorded_session& b) { return a.id < b.id; });
    return out;
}

} // namespace harness
