#include "prober/classify.hpp"

#include "prober/blocklist.hpp"

#include <cstdio>
#include <ctime>

namespace prober {

smtp::failure_kind classify_reply(const smtp::reply& r)
{
    if (r.klass() == 4 || r.klass() == 5) {
        if (find_blocklist(r.text())) {
            return smtp::failure_kind::blocklisted;
        }
        return r.klass() == 4 ? smtp::failure_kind::temp_failure : smtp::failure_kind::perm_failure;
    }
    return smtp::failure_kind::unexpected_reply;
}

probe_status status_of(const probe_failure& f, const probe_options& options, bool critical_level)
{
    using smtp::failure_kind;
    if (f.kind == failure_kind::slow || f.kind == failure_kind::cert_expiring) {
        return critical_level ? probe_status::critical : probe_status::warning;
    }
    // The message was handled by then; a failing QUIT is a warning.
    if (f.at == smtp::phase::quit) {
        return probe_status::warning;
    }
    if (f.kind == failure_kind::temp_failure && options.temp_failure_warning) {
        return probe_status::warning;
    }
    return probe_status::critical;
}

std::string format_seconds(std::chrono::microseconds d)
{
    char buf[32];
    long long us = d.count();
    std::snprintf(buf, sizeof buf, "%lld.%03llds", us / 1'000'000, (us % 1'000'000) / 1000);
    return buf;
}

} // namespace prober
