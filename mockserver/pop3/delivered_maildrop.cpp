#include "mockserver/pop3/delivered_maildrop.hpp"

#include "mockserver/imap/delivery_faults.hpp"

#include <algorithm>

namespace mock::pop3 {

delivered_maildrop::delivered_maildrop(maildrop_source& inner, wall_clock clock)
    : inner_(inner)
    , clock_(clock ? std::move(clock) : wall_clock(&std::chrono::system_clock::now))
{
}

bool delivered_maildrop::authenticate(std::string_view user, std::string_view password) const
{
    return inner_.authenticate(user, password);
}

std::vector<maildrop_entry> delivered_maildrop::open(std::string_view user)
{
    const auto now = clock_();
    std::vector<maildrop_entry> out;
    for (auto& e : inner_.open(user)) {
        std::size_t copy = 0;
        for (auto& d : imap::planned_deliveries(*e.message)) {
            if (d.folder != imap::folder_id::inbox || e.message->received_at + d.delay > now) {
                continue;
            }
            ++copy;
            out.push_back({copy == 1 ? e.id : e.id + "." + std::to_string(copy),
                           d.content ? std::move(d.content) : e.message});
        }
    }
    return out;
}

void delivered_maildrop::remove(std::string_view user, const std::vector<std::string>& ids)
{
    std::vector<std::string> sources;
    for (const auto& id : ids) {
        auto source = id.substr(0, id.find('.'));
        if (std::find(sources.begin(), sources.end(), source) == sources.end()) {
            sources.push_back(std::move(source));
        }
    }
    inner_.remove(user, sources);
}

} // namespace mock::pop3
