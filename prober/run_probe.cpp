#include "prober/run_probe.hpp"

#include "prober/probe_driver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>

namespace prober {

namespace net = boost::asio;

std::vector<probe_result> run_probes(const std::vector<probe_options>& targets)
{
    std::vector<probe_result> results(targets.size());
    if (targets.empty()) {
        return results;
    }
    net::io_context ctx(1);
    std::size_t pending = targets.size();
    for (std::size_t i = 0; i < targets.size(); ++i) {
        auto on_done = [&, i](std::exception_ptr ep, probe_result r) {
            if (ep) {
                probe_result failed;
                failed.target = targets[i].host;
                failed.status = probe_status::unknown;
                try {
                    std::rethrow_exception(ep);
                } catch (const std::exception& e) {
                    failed.internal_error = std::string("internal error: ") + e.what();
                } catch (...) {
                    failed.internal_error = "internal error";
                }
                results[i] = std::move(failed);
            } else {
                results[i] = std::move(r);
            }
            if (--pending == 0) {
                // Every result is in: nothing left is worth waiting for.
                ctx.stop();
            }
        };
        net::co_spawn(ctx, async_probe(targets[i]), on_done);
    }
    ctx.run();
    return results;
}

probe_result run_probe(const probe_options& options)
{
    return std::move(run_probes({options}).front());
}

} // namespace prober
