// Fuzzes the command parser and the MAIL/RCPT path parsers with arbitrary lines.
#include "smtp/command.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto command = smtp::parse_command(line);
    if (command.name.size() > line.size()) {
        std::abort();
    }
    for (auto parsed : {smtp::parse_mail_argument(line), smtp::parse_rcpt_argument(line),
                        smtp::parse_mail_argument(command.argument)}) {
        if (parsed) {
            // Keywords are unique and upper-case; every parameter came from the input.
            for (std::size_t i = 0; i < parsed->parameters.size(); ++i) {
                for (std::size_t j = i + 1; j < parsed->parameters.size(); ++j) {
                    if (parsed->parameters[i].keyword == parsed->parameters[j].keyword) {
                        std::abort();
                    }
                }
            }
        }
    }
    return 0;
}
