#pragma once

// One embedded smtp-mock (mockserver/mock_app.hpp) serving one scenario on 127.0.0.1, ephemeral
// ports, for the duration of one monitor run.

#include "faults/scenario.hpp"
#include "harness/recorded_session.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mock {
class mock_app;
}

namespace harness {

/// How every mock of a run is set up.
struct mock_settings {
    /// A `user:password` file for AUTH; empty for none.
    std::filesystem::path users_file;
    /// Where each mock writes the PEM of its CA (one file per scenario).
    std::filesystem::path work_dir;
    /// Seed of the fault engine's draws, so that `intermittent` is reproducible.
    std::uint64_t seed = 1;
    /// How long stopping waits for sessions still open (a hung fault, a slow monitor).
    std::chrono::milliseconds grace{300};
    /// The user's own certificate chain and key for handshakes without a fault; empty for a
    /// certificate the mock makes, signed by its own CA.
    std::filesystem::path tls_cert;
    /// The private key of tls_cert.
    std::filesystem::path tls_key;
    /// The CA that signs tls_cert (default: tls_cert itself, for a self-signed certificate).
    std::filesystem::path tls_ca;
    /// The name the mock calls itself and its certificates carry (the name tls_cert carries).
    std::string tls_name = "localhost";
    /// Serve POP3 and IMAP for every scenario (a monitor template names the mailbox), not only
    /// for those whose probe hint `verify` asks for a round trip.
    bool mailbox = false;
};

/// A started mock with the scenario's rules and listener state in force. Stops on
/// destruction. Throws std::runtime_error (or std::system_error) when it cannot start.
class scenario_mock {
public:
    scenario_mock(const faults::scenario& s, const mock_settings& settings);
    ~scenario_mock();
    scenario_mock(const scenario_mock&) = delete;
    scenario_mock& operator=(const scenario_mock&) = delete;

    /// The SMTP listener on 127.0.0.1 (bound even when the listener is closed or black-holed).
    const boost::asio::ip::tcp::endpoint& smtp() const noexcept { return smtp_; }
    /// The implicit-TLS listener, when the scenario's probe uses implicit TLS.
    const std::optional<boost::asio::ip::tcp::endpoint>& smtp_tls() const noexcept
    {
        return smtp_tls_;
    }
    /// The POP3 listener, when the mock serves a mailbox (mock_settings::mailbox, or a scenario
    /// whose probe verifies delivery).
    const std::optional<boost::asio::ip::tcp::endpoint>& pop3() const noexcept { return pop3_; }
    /// The IMAP listener, with the POP3 one.
    const std::optional<boost::asio::ip::tcp::endpoint>& imap() const noexcept { return imap_; }
    /// The DNS server (UDP and TCP on this port), when the scenario's probe hint `dnsbl` or
    /// `mx` asks for one.
    const std::optional<boost::asio::ip::tcp::endpoint>& dns() const noexcept { return dns_; }
    /// The mail domain its DNS server answers for (MX to the mock's name).
    const std::string& mail_domain() const noexcept { return mail_domain_; }
    /// A PEM file holding the CAs that sign the mock's certificates: the user's (with
    /// tls_cert) and the mock's own, which signs the faulty certificates of TLS scenarios.
    const std::filesystem::path& ca_file() const noexcept { return ca_file_; }
    /// A PEM file holding the certificate chain of handshakes without a fault.
    const std::filesystem::path& cert_file() const noexcept { return cert_file_; }
    /// The name the mock calls itself and its good certificate carries.
    const std::string& tls_name() const noexcept { return tls_name_; }

    /// How many sessions the mock has accepted so far (each one is recorded), plus the queries
    /// its DNS server received (a blocklist check contacts only that) and the connections its
    /// mailbox services accepted (a mail-loop monitor may only read the mailbox).
    std::uint64_t sessions() const;

    /// How many times the scenario's rules have fired so far, all rules together.
    std::uint64_t faults_fired() const;

    /// The ids of the scenario's rules that have not fired so far, in scenario order.
    std::vector<std::string> unfired_rules() const;

    /// The recorded sessions as text lines: "session N from PEER (outcome)", then each
    /// transcript line as "T ms DIR text" (fired fault rules are events). For `explain`.
    std::string transcripts() const;

    /// The recorded sessions (the first 100), oldest first. For `explain`'s timeline and the
    /// reports' transcripts.
    std::vector<recorded_session> recorded() const;

    /// Stops the server (idempotent).
    void stop();

private:
    std::filesystem::path ca_file_;
    std::filesystem::path cert_file_;
    std::string tls_name_;
    std::string mail_domain_;
    std::unique_ptr<mock::mock_app> app_;
    boost::asio::ip::tcp::endpoint smtp_;
    std::optional<boost::asio::ip::tcp::endpoint> smtp_tls_;
    std::optional<boost::asio::ip::tcp::endpoint> pop3_;
    std::optional<boost::asio::ip::tcp::endpoint> imap_;
    std::optional<boost::asio::ip::tcp::endpoint> dns_;
};

} // namespace harness
