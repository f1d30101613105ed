#pragma once

#include <string>
#include <string_view>

namespace mock {

/// Calls `f` with each line of `bytes` without its CRLF; a last line without one is passed too.
template <typename F>
void for_each_line(std::string_view bytes, F&& f)
{
    while (!bytes.empty()) {
        auto lf = bytes.find("\r\n");
        if (lf == std::string_view::npos) {
            f(bytes);
            return;
        }
        f(bytes.substr(0, lf));
        bytes.remove_prefix(lf + 2);
    }
}

} // namespace mock
