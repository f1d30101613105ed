#include "prober/run_probe.hpp"

#include "prober/probe_driver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>

namespace prober {

namespace net = boost::asio;

namespace {

// The probes of one run on one io_context: at most `limit` at once, the next target started as
// soon as one ends, each result stored at its target's index.
class fleet {
public:
    fleet(const std::vector<probe_options>& targets, std::size_t limit)
        : targets_(targets)
        , results_(targets.size())
        , limit_(limit == 0 ? targets.size() : limit)
    {
    }

    std::vector<probe_result> run()
    {
        while (next_ < targets_.size() && next_ < limit_) {
            start(next_++);
        }
        if (!targets_.empty()) {
            ctx_.run();
        }
        return std::move(results_);
    }

private:
    void start(std::size_t i)
    {
        net::co_spawn(ctx_, async_probe(targets_[i]),
                      [this, i](std::exception_ptr ep, probe_result r) { done(i, ep, std::move(r)); });
    }

    void done(std::size_t i, const std::exception_ptr& ep, probe_result r)
    {
        if (ep) {
            r = probe_result{};
            r.target = targets_[i].host;
            r.status = probe_status::unknown;
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                r.internal_error = std::string("internal error: ") + e.what();
            } catch (...) {
                r.internal_error = "internal error";
            }
        }
        results_[i] = std::move(r);
        if (next_ < targets_.size()) {
            start(next_++);
        }
        if (++finished_ == targets_.size()) {
            // Every result is in: nothing left is worth waiting for.
            ctx_.stop();
        }
    }

    const std::vector<probe_options>& targets_;
    std::vector<probe_result> results_;
    std::size_t limit_;
    std::size_t next_ = 0;
    std::size_t finished_ = 0;
    net::io_context ctx_{1};
};

} // namespace

std::vector<probe_result> run_probes(const std::vector<probe_options>& targets,
                                     std::size_t max_in_flight)
{
    return fleet(targets, max_in_flight).run();
}

probe_result run_probe(const probe_options& options)
{
    return std::move(run_probes({options}).front());
}

} // namespace prober
