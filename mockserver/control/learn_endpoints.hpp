#pragma once

// I/O file: the console's Learn endpoints (bodies in learn_request.hpp). Both act on this very
// mock, under the scenario in force, so what they show also appears in the Sessions view:
// - POST /api/v1/learn/probe runs the built-in probe (smtp-probe's engine) N times in a row
//   with the options the scenario's probe hints ask for, as `smtp-harness run` does, and answers
//   with the scenario's expectation and each run's JSON result (schema probe-result/v1) and
//   Nagios line;
// - POST /api/v1/learn/talk sends typed lines to a fresh connection (CRLF, dot-stuffing and
//   reply framing by harness::talk_session) and answers with the timed conversation.
// Both run as coroutines on the control API's thread: other requests are served meanwhile, and
// stopping the API cancels them.

#include "mockserver/control/api_state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mock::control {

/// Where the Learn endpoints find the mock they act on.
struct learn_target {
    /// The SMTP listeners (the first is used).
    std::function<std::vector<boost::asio::ip::tcp::endpoint>()> smtp;
    /// The implicit-TLS listeners (for scenarios whose probe uses implicit TLS).
    std::function<std::vector<boost::asio::ip::tcp::endpoint>()> smtp_tls;
    /// The PEM of the CA that signs the mock's generated certificates; empty when none.
    std::function<std::string()> ca_pem;
};

/// The Learn endpoints of one control API.
class learn_endpoints {
public:
    /// `state` must outlive this object.
    explicit learn_endpoints(api_state& state);
    /// Removes the CA file it wrote, if any.
    ~learn_endpoints();
    learn_endpoints(const learn_endpoints&) = delete;
    learn_endpoints& operator=(const learn_endpoints&) = delete;

    /// Sets where the mock listens; until then the endpoints answer 501.
    void set_target(learn_target target);

    /// Whether `target` (path and query) names a Learn endpoint.
    static bool serves(std::string_view target) noexcept;

    /// Answers a request for a Learn endpoint (405 for a method other than POST).
    boost::asio::awaitable<api_response> answer(const api_request& request);

private:
    boost::asio::awaitable<api_response> probe(const api_request& request);
    boost::asio::awaitable<api_response> talk(const api_request& request);
    // The CA file the probe trusts, written on first use.
    std::filesystem::path ca_file();

    api_state& state_;
    learn_target target_;
    std::mutex ca_mutex_;
    std::filesystem::path ca_file_;
};

} // namespace mock::control
