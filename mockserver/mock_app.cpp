#include "mockserver/mock_app.hpp"

#include "dns/mock_zones.hpp"
#include "faults/controller.hpp"
#include "faults/scenario_error.hpp"
#include "faults/scenario_loader.hpp"
#include "io/endpoint.hpp"
#include "mockserver/control/api_state.hpp"
#include "mockserver/control/controller_fault_source.hpp"
#include "mockserver/control/http_server.hpp"
#include "mockserver/credentials.hpp"
#include "mockserver/dns/dns_faults.hpp"
#include "mockserver/dns/dns_server.hpp"
#include "mockserver/imap/delivery_faults.hpp"
#include "mockserver/imap/imap_server.hpp"
#include "mockserver/imap/store_mailbox.hpp"
#include "mockserver/maildir_writer.hpp"
#include "mockserver/pop3/delivered_maildrop.hpp"
#include "mockserver/pop3/pop3_server.hpp"
#include "mockserver/pop3/store_maildrop.hpp"
#include "mockserver/scenario_ports.hpp"
#include "mockserver/tls_contexts.hpp"

#include "json/json_text.hpp"
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <random>
#include <stdexcept>

#ifndef SMTPH_VERSION
#define SMTPH_VERSION "0.0.0"
#endif

namespace mock {

namespace {

constexpr std::string_view maildir_prefix = "maildir:";

// --seed 0: pick a non-zero seed, reported in /health and the log so a run can be repeated.
std::uint64_t pick_seed(std::uint64_t given)
{
    if (given != 0) {
        return given;
    }
    std::random_device rd;
    std::uint64_t seed = 0;
    while (seed == 0) {
        seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    }
    return seed;
}

faults::scenario initial_scenario(const server_options& o, std::optional<faults::scenario> given)
{
    if (given) {
        return std::move(*given);
    }
    if (!o.scenario) {
        return faults::healthy_scenario();
    }
    try {
        return faults::load_scenario_file(*o.scenario);
    } catch (const faults::scenario_error& e) {
        // what() already reads "file:line:column: key: message".
        throw std::runtime_error(std::string("--scenario: ") + e.what());
    }
}

// A name of the DNS data, or an error naming the option it came from.
dns::name dns_name(const std::string& text, const char* option)
{
    auto n = dns::name::parse(text);
    if (!n) {
        throw std::runtime_error(std::string(option) + " '" + text +
                                 "': not a domain name: " + n.error().message());
    }
    return *n;
}

// The addresses the SMTP listeners are bound to (127.0.0.1 for a wildcard one).
std::vector<dns::ip_address> smtp_addresses(const std::vector<boost::asio::ip::tcp::endpoint>& smtp)
{
    std::vector<dns::ip_address> out;
    for (const auto& e : smtp) {
        auto a =
            e.address().is_unspecified() ? boost::asio::ip::address_v4::loopback() : e.address();
        dns::ip_address ip = a.is_v4() ? dns::ip_address(a.to_v4().to_bytes())
                                       : dns::ip_address(a.to_v6().to_bytes());
        if (std::find(out.begin(), out.end(), ip) == out.end()) {
            out.push_back(ip);
        }
    }
    return out;
}

// The mock's names for --dns: the host name with the addresses of the SMTP listeners, the mail
// domain and the blocklists.
dns::zone_set dns_zones(const server_options& o, std::vector<dns::ip_address> addresses)
{
    dns::mock_names names;
    // RFC 6761 §6.3: resolvers answer "localhost" themselves and never ask a DNS server (c-ares
    // refuses to), so a mail exchanger of that name could not be looked up: the mock's host is
    // then mx.DOMAIN in its DNS.
    names.hostname = o.hostname == "localhost" ? dns_name("mx." + o.dns_domain, "--dns-domain")
                                               : dns_name(o.hostname, "--hostname");
    names.mail_domain = dns_name(o.dns_domain, "--dns-domain");
    names.addresses = std::move(addresses);
    for (const auto& zone : o.dnsbl_zones) {
        names.blocklists.push_back(dns_name(zone, "--dnsbl-zone"));
    }
    auto zones = dns::make_zone_set(names);
    if (!zones) {
        throw std::runtime_error("--dns: cannot serve the mock's names: " +
                                 zones.error().message());
    }
    return std::move(*zones);
}

} // namespace

server_options embedded_options()
{
    server_options o;
    o.listen = {"127.0.0.1:0"};
    o.control.clear();
    o.pop3.clear();
    o.imap.clear();
    o.imaps.clear();
    o.threads = 1;
    return o;
}

mock_app::mock_app(const server_options& options, embedding how)
    : options_(options)
    , log_(how.log)
    , seed_(pick_seed(options.seed))
{
    if (options.store == "memory") {
        store_ = std::make_unique<message_store>();
    } else if (options.store.rfind(maildir_prefix, 0) == 0 &&
               options.store.size() > maildir_prefix.size()) {
        maildir_ = std::make_unique<maildir_writer>(options.store.substr(maildir_prefix.size()));
        // The copy is on disk before the session answers 250 (message_store::add).
        store_ = std::make_unique<message_store>(
            [w = maildir_.get()](const captured_message& m) { w->write(m); });
    } else {
        throw std::runtime_error("--store " + options.store +
                                 ": expected 'memory' or 'maildir:DIR'");
    }

    auto scenario = initial_scenario(options_, std::move(how.scenario));
    const auto listener = scenario.listener;
    try {
        controller_ = std::make_unique<faults::controller>(std::move(scenario), seed_,
                                                           std::chrono::steady_clock::now());
    } catch (const faults::scenario_error& e) {
        throw std::runtime_error(std::string("--scenario: ") + e.what());
    }
    fault_source_ = std::make_unique<control::controller_fault_source>(*controller_);
    server_ = std::make_unique<server>(options_, fault_source_.get(), *store_);
    scenario_ports_ = std::make_unique<scenario_ports>(options_, seed_);
    scenario_ports_->add_listeners(*server_);
    server_->set_listener_mode(control::to_listener_mode(listener)); // applied at start()

    if (options_.users) {
        users_ = std::make_unique<user_table>(user_table::load(*options_.users));
    }

    api_state_ = std::make_unique<control::api_state>();
    auto& st = *api_state_;
    server_->sessions().set_events(&events_);
    st.events = &events_;
    st.sessions = &server_->sessions();
    st.store = store_.get();
    st.counters = &server_->counters();
    st.faults = controller_.get();
    st.set_listener = [this](listener_mode m) {
        server_->set_listener_mode(m);
    };
    st.set_mailbox_listener = [this](listener_mode m) {
        set_mailbox_listener(m);
    };
    st.ports = [this] {
        return scenario_ports_->ports_json(*server_);
    };
    st.token = options_.control_token;
    st.version = SMTPH_VERSION;
    st.seed = seed_;
    st.started_at = std::chrono::steady_clock::now();

    if (!options_.control.empty()) {
        control_ =
            std::make_unique<control::http_server>(options_.control, st, options_.control_hosts);
        control_->set_learn_target({[this] { return server_->smtp_endpoints(); },
                                    [this] { return server_->smtp_tls_endpoints(); },
                                    [this] {
                                        return server_->tls() ? server_->tls()->ca_certificate()
                                                              : std::string();
                                    }});
        // Beyond loopback the API needs a token.
        if (!control_->is_loopback() && options_.control_token.empty()) {
            throw std::runtime_error("--control " + options_.control +
                                     " is not a loopback address; give --control-token TOKEN "
                                     "to expose the control API there");
        }
    }
    make_mailbox_services();
    set_mailbox_listener(control::to_listener_mode(controller_->mailbox_listener()));
}

void mock_app::set_mailbox_listener(listener_mode mode)
{
    if (mode == listener_mode::blackhole) {
        throw std::invalid_argument("the mailbox listeners are open or closed, never a black hole");
    }
    const bool open = mode == listener_mode::open;
    if (pop3_) {
        pop3_->set_listening(open);
    }
    for (auto* imap : {imap_.get(), imaps_.get()}) {
        if (imap) {
            imap->set_listening(open);
        }
    }
}

// POP3 and IMAP read one maildrop of the store: a message a POP3 client deletes leaves every
// IMAP folder, and an IMAP expunge of its last copy removes it for POP3 too. Both see a message
// as its delivery fault (do.deliver) has it delivered: late, in Junk, twice, changed or never.
void mock_app::make_mailbox_services()
{
    if (options_.pop3.empty() && options_.imap.empty() && options_.imaps.empty()) {
        return;
    }
    pop3::store_maildrop::removal_hook on_remove;
    if (maildir_) {
        on_remove = [w = maildir_.get()](const std::string& id, const std::string& rcpt) {
            w->remove(id, rcpt);
        };
    }
    maildrop_ = std::make_unique<pop3::store_maildrop>(*store_, users_.get(), std::move(on_remove));
    if (!options_.pop3.empty()) {
        pop3::session_config config;
        config.hostname = options_.hostname;
        delivered_ = std::make_unique<pop3::delivered_maildrop>(*maildrop_);
        pop3_ = std::make_unique<pop3::pop3_server>(options_.pop3, *delivered_, config,
                                                    fault_source_.get());
    }
    if (options_.imap.empty() && options_.imaps.empty()) {
        return;
    }
    // RFC 3501 §2.3.1.1: UIDs of an earlier run must not be taken for this run's.
    const auto uid_validity =
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    mailboxes_ =
        std::make_unique<imap::store_mailbox>(*maildrop_, uid_validity, imap::fault_policy());
    auto* tls = server_->tls();
    auto context = tls ? tls->context_for(std::nullopt) : nullptr;
    imap::session_config config;
    config.hostname = options_.hostname;
    config.tls_available = context != nullptr;
    if (!options_.imap.empty()) {
        imap_ = std::make_unique<imap::imap_server>("--imap", options_.imap, *mailboxes_, config,
                                                    context, false, fault_source_.get());
    }
    if (!options_.imaps.empty()) {
        imaps_ = std::make_unique<imap::imap_server>("--imaps", options_.imaps, *mailboxes_, config,
                                                     context, true, fault_source_.get());
    }
}

mock_app::~mock_app()
{
    stop();
}

void mock_app::start()
{
    server_->start();
    if (control_) {
        control_->start();
    }
    if (pop3_) {
        pop3_->start();
    }
    for (auto* imap : {imap_.get(), imaps_.get()}) {
        if (imap) {
            imap->start();
        }
    }
    if (!options_.dns.empty()) {
        // A `dns.listed` fault lists the SMTP listeners' addresses.
        auto own = smtp_addresses(endpoints().smtp);
        dns_ = std::make_unique<dns_server>("--dns", options_.dns,
                                            dns::responder(dns_zones(options_, own)),
                                            dns_fault_source(*controller_, own));
        dns_->start();
    }
    auto s = controller_->current();
    log("seed " + std::to_string(seed_) + ", scenario '" + (s.name.empty() ? "healthy" : s.name) +
        "' with " + std::to_string(s.rules.size()) + " rules, listener " +
        std::string(faults::to_string(s.listener)));
}

void mock_app::stop()
{
    // SMTP first, so that every message in flight is stored before the readers go.
    server_->stop();
    if (pop3_) {
        pop3_->stop();
    }
    for (auto* imap : {imap_.get(), imaps_.get()}) {
        if (imap) {
            imap->stop();
        }
    }
    if (dns_) {
        dns_->stop();
    }
    if (control_) {
        control_->stop();
    }
}

std::uint64_t mock_app::dns_queries() const noexcept
{
    return dns_ ? dns_->queries() : 0;
}

std::uint64_t mock_app::mailbox_connections() const noexcept
{
    std::uint64_t n = pop3_ ? pop3_->connections() : 0;
    for (const auto* imap : {imap_.get(), imaps_.get()}) {
        n += imap ? imap->connections() : 0;
    }
    return n;
}

mock_endpoints mock_app::endpoints() const
{
    mock_endpoints e;
    e.smtp = server_->smtp_endpoints();
    e.smtp_tls = server_->smtp_tls_endpoints();
    e.scenario_ports = server_->scenario_endpoints();
    if (pop3_) {
        e.pop3 = pop3_->endpoint();
    }
    if (imap_) {
        e.imap = imap_->endpoint();
    }
    if (imaps_) {
        e.imaps = imaps_->endpoint();
    }
    if (control_) {
        e.control = control_->endpoint();
    }
    if (dns_) {
        e.dns = boost::asio::ip::tcp::endpoint(dns_->endpoint().address(), dns_->endpoint().port());
    }
    return e;
}

std::string mock_app::ready_line() const
{
    const auto e = endpoints();
    const auto list = [](const std::vector<boost::asio::ip::tcp::endpoint>& endpoints) {
        boost::json::array out;
        for (const auto& a : endpoints) {
            out.emplace_back(io::to_string(a));
        }
        return out;
    };
    boost::json::object ready;
    ready["event"] = "ready";
    ready["smtp"] = list(e.smtp);
    if (!e.smtp_tls.empty()) {
        ready["smtp_tls"] = list(e.smtp_tls);
    }
    if (e.pop3) {
        ready["pop3"] = io::to_string(*e.pop3);
    }
    if (e.imap) {
        ready["imap"] = io::to_string(*e.imap);
    }
    if (e.imaps) {
        ready["imaps"] = io::to_string(*e.imaps);
    }
    if (e.dns) {
        ready["dns"] = io::to_string(*e.dns);
    }
    if (!scenario_ports_->empty()) {
        ready["scenario_ports"] = scenario_ports_->ready_json(*server_);
    }
    if (e.control) {
        ready["control"] = io::to_string(*e.control);
        ready["console"] = "http://" + io::to_string(*e.control) + "/";
    }
    return json_text::serialize(ready);
}

void mock_app::set_scenario(faults::scenario s)
{
    const auto listener = s.listener;
    const auto mailbox = s.mailbox_listener;
    controller_->replace(std::move(s), std::chrono::steady_clock::now());
    server_->set_listener_mode(control::to_listener_mode(listener));
    set_mailbox_listener(control::to_listener_mode(mailbox));
}

void mock_app::log(const std::string& message) const
{
    if (!log_) {
        return;
    }
    if (options_.log == "json") {
        boost::json::object line;
        line["time"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
        line["message"] = message;
        std::cerr << json_text::serialize(line) << '\n';
    } else {
        std::cerr << "smtp-mock: " << message << '\n';
    }
}

} // namespace mock
