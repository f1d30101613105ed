#include "watch/mail_sender.hpp"

#include "prober/client_session.hpp"
#include "prober/probe_driver.hpp"

#include <boost/asio/this_coro.hpp>

namespace watch {

namespace {

// The options of a submission: a probe that sends `settings`' message and nothing else.
prober::probe_options submission_options(const email_settings& settings,
                                         std::chrono::milliseconds timeout)
{
    prober::probe_options o;
    o.host = settings.host;
    o.port = settings.port;
    o.timeout = timeout;
    o.connect_timeout = timeout;
    o.command_timeout = timeout;
    o.helo_name = settings.helo;
    o.starttls = settings.starttls;
    o.insecure = settings.insecure;
    o.ca_file = settings.ca_file;
    o.auth = settings.auth;
    o.send = true;
    o.mail_from = settings.from;
    o.rcpt_to = settings.to;
    return o;
}

} // namespace

boost::asio::awaitable<std::string> send_mail(email_settings settings, std::string message,
                                              std::string message_id,
                                              std::chrono::milliseconds timeout)
{
    prober::session_params params;
    params.started_at = std::chrono::system_clock::now();
    params.default_helo = settings.helo;
    params.message = std::move(message);
    params.message_id = std::move(message_id);
    prober::client_session session(submission_options(settings, timeout), std::move(params));
    auto result = co_await prober::drive_session(std::move(session));
    if (result.delivery && result.delivery->accepted) {
        co_return std::string(); // delivered, even if QUIT went wrong afterwards
    }
    if (!result.internal_error.empty()) {
        co_return result.internal_error;
    }
    if (result.failure) {
        const auto& f = *result.failure;
        co_return std::string(smtp::to_string(f.kind)) + " at " +
            std::string(smtp::to_string(f.at)) + ": " + f.message;
    }
    co_return std::string("the server did not accept the message");
}

} // namespace watch
