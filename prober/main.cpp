// smtp-probe: the monitoring probe. Everything but argument handling lives in smtph::prober.
#include "prober/cli.hpp"
#include "prober/report.hpp"
#include "prober/run_probe.hpp"
#include "watch/run_watch.hpp"

#include <cstdio>
#include <exception>
#include <string>

namespace {

int run(int argc, char** argv)
{
    auto request = prober::parse_cli(argc, argv);
    switch (request.what) {
    case prober::cli_request::command::exit:
        std::fputs(request.message.c_str(), stdout);
        return request.exit_code;
    case prober::cli_request::command::watch:
        return watch::run_watch(request.watch_config);
    case prober::cli_request::command::exporter:
        return prober::run_exporter(request.exporter);
    case prober::cli_request::command::probe:
        break;
    }
    auto results = prober::run_probes(request.targets, request.max_concurrent);
    auto text = prober::format_results(results, request.format, request.verbose);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return prober::exit_code(prober::worst_status(results));
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::printf("SMTP UNKNOWN - internal error: %s\n", e.what());
        return 3;
    }
}
