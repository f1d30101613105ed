#include "mockserver/mock_app.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>

namespace mock {

mock_app::mock_app(const server_options& options)
    : options_(options)
{
    if (options.store != "memory") {
        throw std::runtime_error("--store " + options.store + ": expected 'memory' or 'maildir:DIR'");
    }
    store_ = std::make_unique<message_store>();
    server_ = std::make_unique<server>(options_, nullptr, *store_);
}

mock_app::~mock_app()
{
    stop();
}

void mock_app::start()
{
    server_->start();
}

void mock_app::stop()
{
    server_->stop();
}

std::string mock_app::ready_line() const
{
    boost::json::object ready;
    ready["event"] = "ready";
    boost::json::array smtp;
    for (const auto& a : server_->smtp_addresses()) {
        smtp.emplace_back(a);
    }
    ready["smtp"] = std::move(smtp);
    auto tls = server_->smtp_tls_addresses();
    if (!tls.empty()) {
        boost::json::array list;
        for (const auto& a : tls) {
            list.emplace_back(a);
        }
        ready["smtp_tls"] = std::move(list);
    }
    return boost::json::serialize(ready);
}

void mock_app::log(const std::string& message) const
{
    if (options_.log == "json") {
        boost::json::object line;
        line["time"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
        line["message"] = message;
        std::cerr << boost::json::serialize(line) << '\n';
    } else {
        std::cerr << "smtp-mock: " << message << '\n';
    }
}

} // namespace mock
