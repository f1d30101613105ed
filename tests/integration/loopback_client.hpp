#pragma once

// A small blocking SMTP client over POSIX sockets for integration tests: connect with a timeout,
// send, and read whole replies, all on loopback.

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace integration {

/// One TCP connection to 127.0.0.1.
class loopback_client {
public:
    /// Connects within `timeout`; `error()` is the errno when it failed (ETIMEDOUT on timeout).
    loopback_client(std::uint16_t port, std::chrono::milliseconds timeout)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
            return;
        }
        if (errno != EINPROGRESS) {
            error_ = errno;
            return;
        }
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) == 0) {
            error_ = ETIMEDOUT;
            return;
        }
        socklen_t len = sizeof error_;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error_, &len);
    }
    ~loopback_client()
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    loopback_client(const loopback_client&) = delete;
    loopback_client& operator=(const loopback_client&) = delete;

    /// 0 when connected, else the errno of the failed connect.
    int error() const noexcept { return error_; }

    /// Sends every byte.
    void send(const std::string& bytes)
    {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            pollfd p{fd_, POLLOUT, 0};
            ::poll(&p, 1, 5000);
            auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(n);
        }
    }

    /// One complete reply (all its lines), or nothing when none arrives within `timeout` or the
    /// connection closes first.
    std::optional<std::string> reply(std::chrono::milliseconds timeout = std::chrono::seconds(5))
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            // A reply is complete at a line whose fourth octet is not '-'.
            std::size_t start = 0;
            for (auto lf = buffer_.find("\r\n"); lf != std::string::npos;
                 lf = buffer_.find("\r\n", start)) {
                if (lf - start >= 3 && (lf - start == 3 || buffer_[start + 3] != '-')) {
                    auto out = buffer_.substr(0, lf + 2);
                    buffer_.erase(0, lf + 2);
                    return out;
                }
                start = lf + 2;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return std::nullopt;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return std::nullopt;
            }
            char chunk[4096];
            auto n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) {
                return std::nullopt;
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    /// Closes the connection at once with RST (SO_LINGER of zero).
    void reset()
    {
        linger l{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        ::close(fd_);
        fd_ = -1;
    }

    /// Sends one command line and returns its reply.
    std::optional<std::string> command(const std::string& line)
    {
        send(line + "\r\n");
        return reply();
    }

private:
    int fd_ = -1;
    int error_ = 0;
    std::string buffer_;
};

} // namespace integration
