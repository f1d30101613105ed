#include "harness/scenario_mock.hpp"

#include "faults/controller.hpp"
#include "mockserver/control/controller_fault_source.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/server.hpp"
#include "mockserver/server_options.hpp"
#include "mockserver/tls_contexts.hpp"

#include <fmt/format.h>
#include <fstream>
#include <stdexcept>

namespace harness {

namespace {

std::uint16_t port_of(const std::string& address)
{
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) {
        throw std::runtime_error("the mock reported an address without a port: " + address);
    }
    return static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1)));
}

} // namespace

scenario_mock::scenario_mock(const faults::scenario& s, const mock_settings& settings)
{
    mock::server_options o;
    o.listen = {host_ + ":0"};
    if (s.probe.tls) {
        o.listen_tls = {host_ + ":0"};
    }
    o.control.clear();
    o.hostname = "localhost";
    if (!settings.users_file.empty()) {
        o.users = settings.users_file;
    }
    o.seed = settings.seed;
    o.threads = 1;
    o.grace = settings.grace;
    o.session_history = 100;

    store_ = std::make_unique<mock::message_store>();
    controller_ =
        std::make_unique<faults::controller>(s, settings.seed, std::chrono::steady_clock::now());
    source_ = std::make_unique<mock::control::controller_fault_source>(*controller_);
    server_ = std::make_unique<mock::server>(o, source_.get(), *store_);
    // The listener state is applied by start(), once the ports are bound.
    server_->set_listener_mode(mock::control::to_listener_mode(s.listener));
    server_->start();

    port_ = port_of(server_->smtp_addresses().at(0));
    if (s.probe.tls) {
        tls_port_ = port_of(server_->smtp_tls_addresses().at(0));
    }
    if (auto* tls = server_->tls()) {
        ca_file_ = settings.work_dir / (s.name + "-ca.pem");
        std::ofstream out(ca_file_, std::ios::binary | std::ios::trunc);
        out << tls->ca_certificate();
        if (!out) {
            throw std::runtime_error("cannot write " + ca_file_.string());
        }
    }
}

scenario_mock::~scenario_mock()
{
    stop();
}

void scenario_mock::stop()
{
    if (server_) {
        server_->stop();
    }
}

std::uint64_t scenario_mock::sessions() const
{
    return server_->sessions().total();
}

std::string scenario_mock::transcripts() const
{
    std::string out;
    for (const auto& record : server_->sessions().list(0, 100)) {
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
