#include "io/dns_resolver.hpp"

#include "io/awaitable.hpp"
#include "io/client_error.hpp"
#include "io/endpoint.hpp"

#include <algorithm>
#include <ares.h>
#include <arpa/nameser.h>
#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/this_coro.hpp>
#include <cstring>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <string>

// The one DNS client of the project. A lookup is one c-ares channel driven by Asio (the
// channel below); the functions of io/dns_resolver.hpp run it under their deadline.

namespace io::detail {

namespace net = boost::asio;

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

namespace io {

namespace net = boost::asio;
using detail::dns_channel;
using detail::dns_error_of;

namespace {

template <typename T> using lookup_result = boost::system::result<T>;

// Ends the lookup however the awaiting coroutine ends (even destroyed while suspended): closing
// the channel cancels its socket waits, whose handlers hold the channel alive.
struct channel_closer {
    std::shared_ptr<dns_channel>& channel;
    ~channel_closer()
    {
        if (channel) {
            channel->close();
        }
    }
};

bool family_matches(const net::ip::address& a, address_family family) noexcept
{
    return family == address_family::any || (family == address_family::v4 && a.is_v4()) ||
           (family == address_family::v6 && a.is_v6());
}

int ares_family(address_family family) noexcept
{
    switch (family) {
    case address_family::v4:
        return AF_INET;
    case address_family::v6:
        return AF_INET6;
    case address_family::any:
        break;
    }
    return AF_UNSPEC;
}

std::vector<net::ip::address> addresses_of(const ares_addrinfo* info)
{
    std::vector<net::ip::address> out;
    for (auto* node = info != nullptr ? info->nodes : nullptr; node != nullptr;
         node = node->ai_next) {
        net::ip::address a;
        if (node->ai_family == AF_INET && node->ai_addr != nullptr) {
            const auto* sin = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
            net::ip::address_v4::bytes_type b;
            std::memcpy(b.data(), &sin->sin_addr, b.size());
            a = net::ip::address_v4(b);
        } else if (node->ai_family == AF_INET6 && node->ai_addr != nullptr) {
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
            net::ip::address_v6::bytes_type b;
            std::memcpy(b.data(), &sin6->sin6_addr, b.size());
            a = net::ip::address_v6(b, sin6->sin6_scope_id);
        } else {
            continue;
        }
        if (std::find(out.begin(), out.end(), a) == out.end()) {
            out.push_back(a);
        }
    }
    return out;
}

// Runs one ares_query of `type` and returns the answer message.
net::awaitable<lookup_result<std::string>>
run_query(const std::string& name, int type, dns_deadline deadline, const dns_settings& settings)
{
    auto created = dns_channel::create(co_await net::this_coro::executor, settings);
    if (!created) {
        co_return created.error();
    }
    auto channel = *created;
    channel_closer closer{channel};
    channel->start_query(name, type);
    if (auto ec = co_await channel->run(deadline)) {
        co_return ec;
    }
    if (auto ec = dns_error_of(channel->result().status)) {
        co_return ec;
    }
    co_return std::move(channel->result().answer);
}

const unsigned char* bytes_of(const std::string& s) noexcept
{
    return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

net::awaitable<lookup_result<std::vector<net::ip::address>>>
resolve_host(std::string host, address_family family, dns_deadline deadline, dns_settings settings)
{
    // An address literal is its own answer: it never touches DNS.
    boost::system::error_code literal_ec;
    const auto literal = net::ip::make_address(host, literal_ec);
    if (!literal_ec) {
        if (!family_matches(literal, family)) {
            co_return make_error_code(client_errc::no_address_of_family);
        }
        co_return std::vector<net::ip::address>{literal};
    }
    auto created = dns_channel::create(co_await net::this_coro::executor, settings);
    if (!created) {
        co_return created.error();
    }
    auto channel = *created;
    channel_closer closer{channel};
    channel->start_getaddrinfo(host, ares_family(family));
    if (auto ec = co_await channel->run(deadline)) {
        co_return ec;
    }
    auto& outcome = channel->result();
    if (auto ec = dns_error_of(outcome.status)) {
        if (ec == dns_errc::no_data && family != address_family::any) {
            co_return make_error_code(client_errc::no_address_of_family);
        }
        co_return ec;
    }
    auto addresses = addresses_of(outcome.info);
    std::erase_if(addresses, [family](const auto& a) { return !family_matches(a, family); });
    if (addresses.empty()) {
        co_return family == address_family::any
            ? make_error_code(dns_errc::no_data)
            : make_error_code(client_errc::no_address_of_family);
    }
    co_return addresses;
}

net::awaitable<lookup_result<std::vector<mx_record>>>
query_mx(std::string domain, dns_deadline deadline, dns_settings settings)
{
    auto answer = co_await run_query(domain, ns_t_mx, deadline, settings);
    if (!answer) {
        co_return answer.error();
    }
    ares_mx_reply* replies = nullptr;
    const int status =
        ares_parse_mx_reply(bytes_of(*answer), static_cast<int>(answer->size()), &replies);
    if (status != ARES_SUCCESS) {
        co_return dns_error_of(status);
    }
    std::vector<mx_record> out;
    for (auto* r = replies; r != nullptr; r = r->next) {
        out.push_back({r->priority, r->host != nullptr ? r->host : ""});
    }
    ares_free_data(replies);
    // RFC 5321 §5.1: the lowest preference is tried first.
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.preference < b.preference; });
    co_return out;
}

net::awaitable<lookup_result<std::vector<std::string>>>
query_txt(std::string name, dns_deadline deadline, dns_settings settings)
{
    auto answer = co_await run_query(name, ns_t_txt, deadline, settings);
    if (!answer) {
        co_return answer.error();
    }
    ares_txt_ext* replies = nullptr;
    const int status =
        ares_parse_txt_reply_ext(bytes_of(*answer), static_cast<int>(answer->size()), &replies);
    if (status != ARES_SUCCESS) {
        co_return dns_error_of(status);
    }
    std::vector<std::string> out;
    for (auto* r = replies; r != nullptr; r = r->next) {
        // Each record is one or more character-strings (RFC 1035 §3.3.14); join them.
        if (r->record_start != 0 || out.empty()) {
            out.emplace_back();
        }
        out.back().append(reinterpret_cast<const char*>(r->txt), r->length);
    }
    ares_free_data(replies);
    co_return out;
}

net::awaitable<lookup_result<std::vector<net::ip::address_v4>>>
query_a(std::string name, dns_deadline deadline, dns_settings settings)
{
    auto answer = co_await run_query(name, ns_t_a, deadline, settings);
    if (!answer) {
        co_return answer.error();
    }
    std::array<ares_addrttl, 64> records{};
    int count = static_cast<int>(records.size());
    const int status = ares_parse_a_reply(bytes_of(*answer), static_cast<int>(answer->size()),
                                          nullptr, records.data(), &count);
    if (status != ARES_SUCCESS) {
        co_return dns_error_of(status);
    }
    std::vector<net::ip::address_v4> out;
    for (int i = 0; i < count; ++i) {
        net::ip::address_v4::bytes_type b;
        std::memcpy(b.data(), &records[static_cast<std::size_t>(i)].ipaddr, b.size());
        out.emplace_back(b);
    }
    co_return out;
}

} // namespace io
