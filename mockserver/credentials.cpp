#include "mockserver/credentials.hpp"

#include <fstream>
#include <stdexcept>

namespace mock {

user_table user_table::load(const std::filesystem::path& file)
{
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error(file.string() + ": cannot open users file");
    }
    user_table table;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0) {
            throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                                     ": expected 'user:password'");
        }
        table.add(line.substr(0, colon), line.substr(colon + 1));
    }
    return table;
}

void user_table::add(std::string user, std::string password)
{
    users_[std::move(user)] = std::move(password);
}

bool user_table::check(std::string_view user, std::string_view password) const
{
    auto it = users_.find(user);
    return it != users_.end() && it->second == password;
}

bool user_table::knows(std::string_view user) const
{
    return users_.find(user) != users_.end();
}

} // namespace mock
