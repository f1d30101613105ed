#pragma once

// What the effects with memory (greylist, rate_limit, fail_first) remember for one rule: a
// table from a key (a client address, a greylisting triplet) to an entry, bounded and safe to
// use from every session's thread. Time is the decision's time since the scenario was loaded:
// the engine passes it in, nothing here reads a clock.
//
//   memory<std::string, entry> m(&entry_json);      // entry has `last_seen`
//   bool fire = m.update(client, now, [&](entry& e) { return ++e.count <= n; });

#include "faults/effect.hpp"
#include "faults/scenario.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace faults::effects {

/// The most keys one rule remembers; beyond it the key seen longest ago is forgotten (as a
/// real greylisting database expires old triplets), so a flood of clients cannot grow it.
inline constexpr std::size_t max_remembered_keys = 10000;

/// The client address as a key: its text, or "unknown" when the server could not tell.
inline std::string client_key(const connection_context& c)
{
    return c.peer ? to_string(*c.peer) : std::string("unknown");
}

/// A bounded table of `Entry` by `Key`; `Entry` has a `std::chrono::milliseconds last_seen`.
template <class Key, class Entry> class memory final : public effect_state {
public:
    /// How one entry is shown at GET /api/v1/rules.
    using entry_json = boost::json::object (*)(const Key&, const Entry&);

    explicit memory(entry_json show)
        : show_(show)
    {
    }

    /// Runs `f(entry)` under the lock on the entry for `key` (a value-initialised one when the
    /// key is new), after setting its `last_seen` to `now`; returns what `f` returns.
    template <class F> auto update(const Key& key, std::chrono::milliseconds now, F&& f)
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key);
        if (it == entries_.end()) {
            if (entries_.size() >= max_remembered_keys) {
                forget_oldest();
            }
            it = entries_.emplace(key, Entry{}).first;
        }
        auto result = f(it->second);
        it->second.last_seen = now;
        return result;
    }

    /// Every entry, in key order.
    boost::json::value to_json() const override
    {
        std::lock_guard lock(mutex_);
        boost::json::array out;
        for (const auto& [key, entry] : entries_) {
            out.push_back(show_(key, entry));
        }
        return out;
    }

private:
    void forget_oldest()
    {
        entries_.erase(
            std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
                return a.second.last_seen < b.second.last_seen;
            }));
    }

    entry_json show_;
    mutable std::mutex mutex_;
    std::map<Key, Entry> entries_;
};

/// The problem of a rule whose effect `key` only decides whether it fires: it needs another
/// effect saying what to do when it does (e.g. a `reply`).
/// True for the effects that only decide whether their rule fires, and give no instruction.
inline bool only_decides(std::string_view key)
{
    static constexpr std::string_view deciding[] = {"greylist", "rate_limit", "fail_first",
                                                    "expires"};
    return std::find(std::begin(deciding), std::end(deciding), key) != std::end(deciding);
}

inline std::optional<rule_problem> needs_company(const rule& r, std::string_view key)
{
    for (const auto& e : r.effects.items()) {
        if (!only_decides(e->key())) {
            return std::nullopt;
        }
    }
    return rule_problem{"do." + std::string(key),
                        std::string(key) + " only decides when the rule fires; add what it does "
                                           "then (e.g. reply: \"421 4.7.0 ...\", close: fin)"};
}

} // namespace faults::effects
