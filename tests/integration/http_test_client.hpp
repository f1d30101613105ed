#pragma once

// Raw HTTP over a blocking loopback socket for integration tests: send exact bytes (including
// malformed and smuggling ones) and read what comes back until the server closes or a time-out;
// and requests for io::http::fetch.

#include "io/http_client.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace integration {

/// One blocking TCP connection to 127.0.0.1.
class raw_http {
public:
    /// Connects to `port` on 127.0.0.1; port 0 only makes the socket (see reconnect()).
    explicit raw_http(std::uint16_t port)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (port != 0) {
            reconnect(port);
        }
    }

    /// Connects the socket to `port` on 127.0.0.1.
    void reconnect(std::uint16_t port)
    {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~raw_http() { ::close(fd_); }
    raw_http(const raw_http&) = delete;
    raw_http& operator=(const raw_http&) = delete;

    /// Whether connect() succeeded.
    bool connected() const noexcept { return connected_; }

    /// Sends every byte.
    void send(const std::string& bytes)
    {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(n);
        }
    }

    /// Reads until `done(received)` holds, the server closes (then closed() is true), or
    /// `timeout` passes. Returns everything received so far.
    template <typename Predicate>
    const std::string& read_until(Predicate done,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10))
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!closed_ && !done(received_)) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                break;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                break;
            }
            char chunk[16384];
            auto n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) {
                closed_ = true;
                break;
            }
            received_.append(chunk, static_cast<std::size_t>(n));
        }
        return received_;
    }

    /// Reads until the server closes or `timeout` passes.
    const std::string& read_to_close(std::chrono::milliseconds timeout = std::chrono::seconds(10))
    {
        return read_until([](const std::string&) { return false; }, timeout);
    }

    /// Whether the server closed the connection.
    bool closed() const noexcept { return closed_; }

    /// Everything received so far.
    const std::string& received() const noexcept { return received_; }

private:
    int fd_ = -1;
    bool connected_ = false;
    bool closed_ = false;
    std::string received_;
};

/// A GET of `url` for io::http::fetch.
inline io::http::client_request get(std::string url,
                                    std::vector<io::http::header_field> headers = {})
{
    io::http::client_request r;
    r.url = std::move(url);
    r.headers = std::move(headers);
    return r;
}

/// A request with a body for io::http::fetch.
inline io::http::client_request send_body(std::string method, std::string url, std::string body,
                                          std::string content_type = "application/json",
                                          std::vector<io::http::header_field> headers = {})
{
    io::http::client_request r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.headers = std::move(headers);
    return r;
}

/// How many times `needle` occurs in `haystack`.
inline std::size_t count_of(const std::string& haystack, const std::string& needle)
{
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

} // namespace integration
