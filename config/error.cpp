#include "config/error.hpp"

namespace config {
namespace {

std::string describe(const std::string& file, int line, int column, const std::string& key_path,
                     const std::string& message)
{
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line) + ':' + std::to_string(column);
    }
    out += ": ";
    if (!key_path.empty()) {
        out += key_path + ": ";
    }
    return out + message;
}

} // namespace

error::error(std::string file_, int line_, int column_, std::string key_path_, std::string message_)
    : std::runtime_error(describe(file_, line_, column_, key_path_, message_))
    , file(std::move(file_))
    , line(line_)
    , column(column_)
    , key_path(std::move(key_path_))
    , message(std::move(message_))
{
}

} // namespace config
