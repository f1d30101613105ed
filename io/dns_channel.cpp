#include "io/dns_channel.hpp"

#include "io/client_error.hpp"
#include "io/endpoint.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>

namespace io::detail {

namespace net = boost::asio;

namespace {

// c-ares needs its library initialised once per process (a no-op on Linux, but required).
bool library_ready() noexcept
{
    static const int status = ares_library_init(ARES_LIB_INIT_ALL);
    return status == ARES_SUCCESS;
}

} // namespace

boost::system::error_code dns_error_of(int ares_status) noexcept
{
    switch (ares_status) {
    case ARES_SUCCESS:
        return {};
    case ARES_ENOTFOUND:
    case ARES_ENONAME:
        return dns_errc::nxdomain;
    case ARES_ENODATA:
        return dns_errc::no_data;
    case ARES_ESERVFAIL:
        return dns_errc::server_failure;
    case ARES_EREFUSED:
        return dns_errc::refused;
    case ARES_ETIMEOUT:
        return dns_errc::timeout;
    case ARES_ECONNREFUSED:
        return dns_errc::unreachable;
    case ARES_EFORMERR:
    case ARES_EBADRESP:
    case ARES_EOF:
        return dns_errc::bad_response;
    case ARES_EBADNAME:
    case ARES_EBADQUERY:
    case ARES_EBADFAMILY:
    case ARES_EBADSTR:
        return dns_errc::bad_name;
    case ARES_ENOTIMP:
        return dns_errc::not_implemented;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
        return net::error::operation_aborted;
    default:
        return dns_errc::resolver_failure;
    }
}

dns_channel::dns_channel(const net::any_io_executor& executor)
    : executor_(executor)
    , wake_(executor)
{
}

dns_channel::~dns_channel()
{
    close();
    if (outcome_.info != nullptr) {
        ares_freeaddrinfo(outcome_.info);
    }
}

boost::system::result<std::shared_ptr<dns_channel>>
dns_channel::create(const net::any_io_executor& executor, const dns_settings& settings)
{
    if (!library_ready()) {
        return make_error_code(dns_errc::resolver_failure);
    }
    auto self = std::make_shared<dns_channel>(executor);
    ares_options options{};
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS;
    // Report SERVFAIL, REFUSED and NOTIMP as such instead of trying the next server and ending
    // with "connection refused": what the DNS server said is what a monitor must report.
    options.flags = ARES_FLAG_NOCHECKRESP;
    options.sock_state_cb = &dns_channel::on_socket_state;
    options.sock_state_cb_data = self.get();
    char dns_only[] = "b";
    if (settings.server) {
        // Everything goes to the given server: no hosts file, no search domains.
        mask |= ARES_OPT_LOOKUPS | ARES_OPT_DOMAINS;
        options.lookups = dns_only;
        options.domains = nullptr;
        options.ndomains = 0;
    }
    if (ares_init_options(&self->channel_, &options, mask) != ARES_SUCCESS) {
        self->channel_ = nullptr;
        return make_error_code(dns_errc::resolver_failure);
    }
    if (settings.server) {
        const std::string server = to_string(*settings.server);
        if (ares_set_servers_ports_csv(self->channel_, server.c_str()) != ARES_SUCCESS) {
            return make_error_code(dns_errc::resolver_failure);
        }
    }
    return self;
}

void dns_channel::start_getaddrinfo(const std::string& name, int family)
{
    ares_addrinfo_hints hints{};
    hints.ai_family = family;
    hints.ai_socktype = 0;
    ares_getaddrinfo(channel_, name.c_str(), nullptr, &hints, &dns_channel::on_addrinfo, this);
}

void dns_channel::start_query(const std::string& name, int type)
{
    constexpr int class_in = 1; // RFC 1035 §3.2.4
    ares_query(channel_, name.c_str(), class_in, type, &dns_channel::on_answer, this);
}

net::awaitable<boost::system::error_code> dns_channel::run(dns_deadline deadline)
{
    auto keep = shared_from_this();
    while (!outcome_.done) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            ares_cancel(channel_); // the callback runs now, with ARES_ECANCELLED
            co_return client_errc::timeout;
        }
        // Sleep until c-ares' next retransmission, the deadline, or a socket was processed.
        timeval tv{};
        auto wake_at = deadline;
        if (ares_timeout(channel_, nullptr, &tv) != nullptr) {
            wake_at = std::min(deadline, now + std::chrono::seconds(tv.tv_sec) +
                                             std::chrono::microseconds(tv.tv_usec));
        }
        wake_.expires_at(wake_at);
        auto [ec] = co_await wake_.async_wait();
        if (outcome_.done) {
            break;
        }
        auto state = co_await net::this_coro::cancellation_state;
        if (state.cancelled() != net::cancellation_type::none) {
            ares_cancel(channel_);
            co_return net::error::operation_aborted;
        }
        if (!ec) {
            ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD); // c-ares' timeouts
        }
    }
    co_return boost::system::error_code{};
}

void dns_channel::close() noexcept
{
    if (channel_ != nullptr) {
        // Pending callbacks run with ARES_EDESTRUCTION; sockets are reported closed first.
        ares_destroy(channel_);
        channel_ = nullptr;
    }
    for (auto& [fd, watch] : watches_) {
        release(*watch);
    }
    watches_.clear();
    wake_.cancel();
}

void dns_channel::on_socket_state(void* data, ares_socket_t fd, int readable, int writable)
{
    static_cast<dns_channel*>(data)->socket_state(fd, readable != 0, writable != 0);
}

void dns_channel::on_addrinfo(void* arg, int status, int, ares_addrinfo* info)
{
    auto* self = static_cast<dns_channel*>(arg);
    if (self->outcome_.info != nullptr) {
        ares_freeaddrinfo(self->outcome_.info);
    }
    self->outcome_.done = true;
    self->outcome_.status = status;
    self->outcome_.info = info;
    self->wake();
}

void dns_channel::on_answer(void* arg, int status, int, unsigned char* abuf, int alen)
{
    auto* self = static_cast<dns_channel*>(arg);
    self->outcome_.done = true;
    self->outcome_.status = status;
    if (abuf != nullptr && alen > 0) {
        self->outcome_.answer.assign(reinterpret_cast<const char*>(abuf),
                                     static_cast<std::size_t>(alen));
    }
    self->wake();
}

void dns_channel::socket_state(ares_socket_t fd, bool readable, bool writable)
{
    auto it = watches_.find(fd);
    if (!readable && !writable) {
        // c-ares is about to close the socket: stop watching it without closing it.
        if (it != watches_.end()) {
            release(*it->second);
            watches_.erase(it);
        }
        return;
    }
    if (it == watches_.end()) {
        it = watches_.emplace(fd, std::make_shared<socket_watch>(executor_, fd)).first;
    }
    it->second->want_read = readable;
    it->second->want_write = writable;
    arm(it->second);
}

void dns_channel::arm(const std::shared_ptr<socket_watch>& watch)
{
    auto self = shared_from_this();
    const auto fd = static_cast<ares_socket_t>(watch->descriptor.native_handle());
    if (watch->want_read && !watch->reading) {
        watch->reading = true;
        watch->descriptor.async_wait(net::posix::descriptor_base::wait_read,
                                     [self, watch, fd](const boost::system::error_code& ec) {
                                         watch->reading = false;
                                         if (ec || watch->released || self->channel_ == nullptr) {
                                             return;
                                         }
                                         ares_process_fd(self->channel_, fd, ARES_SOCKET_BAD);
                                         if (!watch->released) {
                                             self->arm(watch);
                                         }
                                         self->wake();
                                     });
    }
    if (watch->want_write && !watch->writing) {
        watch->writing = true;
        watch->descriptor.async_wait(net::posix::descriptor_base::wait_write,
                                     [self, watch, fd](const boost::system::error_code& ec) {
                                         watch->writing = false;
                                         if (ec || watch->released || self->channel_ == nullptr) {
                                             return;
                                         }
                                         ares_process_fd(self->channel_, ARES_SOCKET_BAD, fd);
                                         if (!watch->released) {
                                             self->arm(watch);
                                         }
                                         self->wake();
                                     });
    }
}

void dns_channel::release(socket_watch& watch) noexcept
{
    if (!watch.released) {
        watch.released = true;
        // Pending waits complete with operation_aborted; the descriptor stays open for c-ares.
        watch.descriptor.release();
    }
}

void dns_channel::wake() noexcept
{
    wake_.cancel();
}

} // namespace io::detail
