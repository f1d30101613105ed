#include "harness/alerts/webhook_receiver.hpp"

#include "io/http_errors.hpp"
#include "io/http_service.hpp"

#include <stdexcept>
#include <system_error>

namespace harness::alerts {

io::http::response webhook_log::answer(const io::http::request& request)
{
    if (!request.target.starts_with("/hook/")) {
        return io::http::make_error(io::http::http_error::not_found,
                                    "no endpoint " + request.target + "; post to /hook/NAME");
    }
    if (request.method != "POST") {
        auto r = io::http::make_error(io::http::http_error::method_not_allowed,
                                      request.method + " is not allowed here; allowed: POST");
        r.headers.push_back({"Allow", "POST"});
        return r;
    }
    auto t = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - epoch_);
    {
        std::lock_guard lock(mutex_);
        posts_.push_back({request.target, request.body, t});
    }
    io::http::response r;
    r.body = "{}";
    return r;
}

std::vector<received_post> webhook_log::received() const
{
    std::lock_guard lock(mutex_);
    return posts_;
}

struct webhook_receiver::impl {
    explicit impl(std::chrono::steady_clock::time_point epoch)
        : log(epoch)
        , service("the webhook receiver", "127.0.0.1:0", config(),
                  [this](const io::http::request& r) { return log.answer(r); })
    {
    }

    static io::http::service_config config()
    {
        io::http::service_config c;
        c.server_name = "smtp-harness";
        c.body_limit = 4 * 1024 * 1024;
        return c;
    }

    webhook_log log;
    io::http::service service;
};

webhook_receiver::webhook_receiver(std::chrono::steady_clock::time_point epoch)
    : impl_(std::make_unique<impl>(epoch))
{
    try {
        impl_->service.start();
    } catch (const std::system_error& e) {
        throw std::runtime_error(std::string("webhook receiver: ") + e.what());
    }
}

webhook_receiver::~webhook_receiver()
{
    stop();
}

std::string webhook_receiver::base_url() const
{
    return "http://" + impl_->service.address();
}

std::vector<received_post> webhook_receiver::received() const
{
    return impl_->log.received();
}

void webhook_receiver::stop()
{
    impl_->service.stop();
}

} // namespace harness::alerts
