#pragma once

// I/O file, internal to io/: one c-ares channel driven by Asio, for one lookup. The resolver
// functions of io/dns_resolver.hpp are built on it.

#include "io/awaitable.hpp"
#include "io/dns_resolver.hpp"

#include <ares.h>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <map>
#include <memory>
#include <string>

namespace io::detail {

/// A c-ares channel whose sockets and timeouts are waited for on an Asio executor.
///
/// c-ares tells which of its sockets it wants to read or write through its socket-state
/// callback; each socket gets a posix::stream_descriptor (never owning the descriptor: c-ares
/// closes it) whose readiness waits call ares_process_fd. The coroutine that awaits the lookup
/// waits on one timer, until the next c-ares timeout, the lookup's deadline, or a wake-up when
/// a socket was processed. Handlers keep the channel alive; close() breaks that cycle.
class dns_channel : public std::enable_shared_from_this<dns_channel> {
public:
    /// What the lookup's callback delivered.
    struct outcome {
        bool done = false;             ///< the callback ran
        int status = ARES_SUCCESS;     ///< its ARES_* status
        std::string answer;            ///< ares_query: the answer message
        ares_addrinfo* info = nullptr; ///< ares_getaddrinfo: the addresses (owned)
    };

    /// A channel on `executor` with `settings`; fails with dns_errc::resolver_failure.
    static boost::system::result<std::shared_ptr<dns_channel>>
    create(const boost::asio::any_io_executor& executor, const dns_settings& settings);

    /// Use create(); public for make_shared.
    explicit dns_channel(const boost::asio::any_io_executor& executor);
    ~dns_channel();
    dns_channel(const dns_channel&) = delete;
    dns_channel& operator=(const dns_channel&) = delete;

    /// Starts ares_getaddrinfo for `name` with `family` (AF_INET, AF_INET6 or AF_UNSPEC).
    void start_getaddrinfo(const std::string& name, int family);

    /// Starts ares_query for `name` with class IN and `type` (ns_t_mx, ns_t_txt, ns_t_a).
    void start_query(const std::string& name, int type);

    /// Runs the channel until the lookup's callback ran (then empty), the deadline passed
    /// (client_errc::timeout) or the awaiting coroutine is cancelled (operation_aborted).
    /// Either way the lookup is over when it returns: an unfinished one is cancelled.
    boost::asio::awaitable<boost::system::error_code> run(dns_deadline deadline);

    /// The lookup's result; valid once run() returned empty.
    outcome& result() noexcept { return outcome_; }

    /// Destroys the c-ares channel and stops watching its sockets. Idempotent.
    void close() noexcept;

private:
    struct socket_watch {
        explicit socket_watch(const boost::asio::any_io_executor& ex, int fd)
            : descriptor(ex, fd)
        {
        }
        boost::asio::posix::stream_descriptor descriptor;
        bool want_read = false;
        bool want_write = false;
        bool reading = false;
        bool writing = false;
        bool released = false;
    };

    static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable);
    static void on_addrinfo(void* arg, int status, int timeouts, ares_addrinfo* info);
    static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

    void socket_state(ares_socket_t fd, bool readable, bool writable);
    void arm(const std::shared_ptr<socket_watch>& watch);
    void release(socket_watch& watch) noexcept;
    void wake() noexcept;

    boost::asio::any_io_executor executor_;
    ares_channel channel_ = nullptr;
    std::map<ares_socket_t, std::shared_ptr<socket_watch>> watches_;
    steady_timer wake_;
    outcome outcome_;
};

/// The error_code of an ARES_* status (ARES_SUCCESS is empty).
boost::system::error_code dns_error_of(int ares_status) noexcept;

} // namespace io::detail
