#include "mockserver/pop3/store_maildrop.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace mock::pop3 {

namespace {

} // namespace

store_maildrop::store_maildrop(message_store& store, const credential_checker* users,
                               removal_hook on_remove)
    : store_(store)
    , users_(users)
    , on_remove_(std::move(on_remove))
{
}

bool store_maildrop::belongs_to(std::string_view rcpt, std::string_view user)
{
    auto r = smtp::to_lower(rcpt);
    auto u = smtp::to_lower(user);
    if (u.find('@') != std::string::npos) {
        return r == u;
    }
    auto at = r.rfind('@');
    return (at == std::string::npos ? r : r.substr(0, at)) == u;
}

bool store_maildrop::authenticate(std::string_view user, std::string_view password) const
{
    if (users_ == nullptr) {
        return true;
    }
    if (users_->knows(user)) {
        return users_->check(user, password);
    }
    auto local = user.substr(0, user.rfind('@'));
    if (users_->knows(local)) {
        return users_->check(local, password);
    }
    return true; // a test double: unknown users get in with any password
}

std::vector<maildrop_entry> store_maildrop::open(std::string_view user)
{
    std::vector<maildrop_entry> out;
    auto all = store_.list();
    std::lock_guard lock(mutex_);
    for (const auto& m : all) {
        bool mine = false;
        for (const auto& rcpt : m->rcpt_to) {
            if (belongs_to(rcpt, user) && !removed_.count({m->id, smtp::to_lower(rcpt)})) {
                mine = true;
            }
        }
        if (mine) {
            out.push_back({m->id, m});
        }
    }
    return out;
}

void store_maildrop::remove(std::string_view user, const std::vector<std::string>& ids)
{
    std::vector<std::pair<std::string, std::string>> done;
    {
        std::lock_guard lock(mutex_);
        for (const auto& id : ids) {
            auto m = store_.find(id);
            if (!m) {
                continue;
            }
            for (const auto& rcpt : m->rcpt_to) {
                if (belongs_to(rcpt, user) && removed_.insert({id, smtp::to_lower(rcpt)}).second) {
                    done.emplace_back(id, rcpt);
                }
            }
        }
    }
    if (on_remove_) {
        for (const auto& [id, rcpt] : done) {
            on_remove_(id, rcpt);
        }
    }
}

} // namespace mock::pop3
