// The real probe driver against the real mock driver over loopback.
#include "faults/controller.hpp"
#include "faults/scenario_loader.hpp"
#include "mockserver/mock_app.hpp"
#include "mockserver/tls_contexts.hpp"
#include "prober/run_probe.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace std::chrono_literals;

namespace {

struct mock_fixture : ::testing::Test {
    mock_fixture()
    {
        auto o = mock::embedded_options();
        o.seed = 1;
        app = std::make_unique<mock::mock_app>(o, mock::embedding{std::nullopt, false});
        app->start();
        port = app->endpoints().smtp.at(0).port();
    }

    void use(const std::string& yaml)
    {
        app->faults().replace(faults::load_scenario(yaml, "inline.yaml"),
                              std::chrono::steady_clock::now());
    }

    // Probe options for STARTTLS that trust the mock's CA, written to a file removed with the
    // fixture.
    prober::probe_options starttls_options()
    {
        ca_file = std::filesystem::temp_directory_path() / ("smtph-ca-" + std::to_string(port));
        std::ofstream(ca_file) << app->smtp().tls()->ca_certificate();
        auto o = options();
        o.starttls = true;
        o.ca_file = ca_file.string();
        o.tls_server_name = "localhost";
        return o;
    }

    ~mock_fixture() override
    {
        if (!ca_file.empty()) {
            std::filesystem::remove(ca_file);
        }
    }

    prober::probe_options options() const
    {
        prober::probe_options o;
        o.host = "127.0.0.1";
        o.port = port;
        o.timeout = 2s;
        o.command_timeout = 1s;
        o.helo_name = "integration.example";
        return o;
    }

    std::unique_ptr<mock::mock_app> app;
    std::uint16_t port = 0;
    std::filesystem::path ca_file;
};

} // namespace

TEST_F(mock_fixture, healthy_server_is_ok)
{
    auto r = prober::run_probe(options());
    EXPECT_TRUE(r.ok()) << (r.failure ? r.failure->message : "");
    EXPECT_EQ(r.banner, "localhost ESMTP smtp-mock ready");
}

TEST_F(mock_fixture, missing_banner_is_a_timeout_at_banner_within_the_deadline)
{
    use("name: x\nrules:\n  - when: {phase: banner}\n    do: {hang: true}\n");
    auto started = std::chrono::steady_clock::now();
    auto r = prober::run_probe(options());
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->kind, smtp::failure_kind::timeout);
    EXPECT_EQ(r.failure->at, smtp::phase::banner);
    EXPECT_LT(took, 2500ms);
}

TEST_F(mock_fixture, ehlo_421_is_a_temporary_failure_at_ehlo)
{
    use("name: x\nrules:\n  - when: {phase: [ehlo, helo]}\n"
        "    do: {reply: \"421 4.3.2 Going down\", close: fin}\n");
    auto r = prober::run_probe(options());
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->kind, smtp::failure_kind::temp_failure);
    EXPECT_EQ(r.failure->at, smtp::phase::ehlo);
    EXPECT_EQ(r.failure->code, 421);
}

TEST_F(mock_fixture, starttls_with_the_mocks_ca_is_ok_and_reports_tls)
{
    auto r = prober::run_probe(starttls_options());
    EXPECT_TRUE(r.ok()) << (r.failure ? r.failure->message : "");
    ASSERT_TRUE(r.tls.has_value());
}

TEST_F(mock_fixture, expired_certificate_is_a_tls_error)
{
    use("name: x\nrules:\n  - when: {phase: tls}\n    do: {tls: {certificate: expired}}\n");
    auto r = prober::run_probe(starttls_options());
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->kind, smtp::failure_kind::tls_error);
    EXPECT_EQ(r.failure->at, smtp::phase::tls);
}

TEST_F(mock_fixture, wrong_host_certificate_is_named_as_a_hostname_mismatch)
{
    use("name: x\nrules:\n  - when: {phase: tls}\n    do: {tls: {certificate: wrong_host}}\n");
    auto r = prober::run_probe(starttls_options());
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->kind, smtp::failure_kind::tls_error);
    EXPECT_NE(r.failure->message.find("hostname mismatch (expected localhost)"), std::string::npos)
        << r.failure->message;
}
