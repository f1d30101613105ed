#pragma once

// Faults as typed effects (toxiproxy's toxics). Each key of a rule's `do` map is one effect
// that owns its reading and checking, its JSON form, and what it adds to the action. The server
// never sees an effect, only the action: generic instructions (wait, send these bytes at this
// pace, end like this, shape the handshake like that, apply or skip the command).
//
//   const effect_type* t = find_effect_type("delay");
//   std::shared_ptr<const effect> e = t->read(in, value);   // throws config::error
//   action a = compose(rule.effects);                        // every effect's apply, in order
//
// A new effect is one file in faults/effects/ (delay.cpp is the smallest example):
//   - a class derived from effect_of<itself>, with `static constexpr std::string_view name`
//     (its `do` key), a static read() that reads and bounds its value with the reader (errors
//     get the position), to_json() giving back what read() accepts, apply() setting the action's
//     instructions, check() for what depends on the rest of the rule (its phases, the other
//     effects: compose(r.effects) shows what they do together), and a defaulted operator==;
//   - an effect with memory (greylisting, rate limits, fail-first-N) also overrides make_state()
//     and admits(): it sees the connection (peer, ordinal), the decision point and the time, and
//     decides whether its rule fires; its state lives as long as the compiled rule;
//   - `extern const effect_type <name>;` defined in that file, and listed once in effect_types()
//     (effect.cpp), plus the file in faults/CMakeLists.txt.
// Then a catalog scenario that uses it, and its row in the `do` table of tools/faults_doc.py.
// Only when no existing instruction of `action` can express it does the action grow a field,
// which the mock's server_session then carries out.

#include "config/yaml_reader.hpp"
#include "faults/action.hpp"

#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faults {

struct rule;

/// A mistake that involves more than one field of a rule, found after reading it.
struct rule_problem {
    std::string key;     ///< the key path relative to the rule, e.g. "do.close"
    std::string message; ///< what is wrong
};

/// What an effect with memory keeps for one rule while the rule is in force (e.g. the
/// clients it has seen). Made when the rule is compiled; used from every session's thread.
class effect_state {
public:
    virtual ~effect_state() = default;

    /// What it remembers, as GET /api/v1/rules shows it under the rule's `state.<key>`.
    virtual boost::json::value to_json() const = 0;
};

/// What an effect can see when its rule is about to fire.
struct effect_context {
    const connection_context& connection;  ///< the connection
    const decision_point& at;              ///< the decision point
    std::chrono::milliseconds since_load;  ///< time since the scenario was loaded
    std::chrono::milliseconds since_added; ///< time since the rule was put in force
};

/// One effect of a rule's `do` map. Immutable once read; shared between copies of the rule.
class effect {
public:
    virtual ~effect() = default;

    /// The `do` key, e.g. "delay".
    virtual std::string_view key() const noexcept = 0;

    /// The value as a scenario file writes it under `do.<key>`; it reads back the same.
    virtual boost::json::value to_json() const = 0;

    /// A mistake in combination with the rest of `r` (its phases, its other effects); nothing
    /// when there is none.
    virtual std::optional<rule_problem> check(const rule& r) const;

    /// Adds this effect's instructions to `a`.
    virtual void apply(action& a) const = 0;

    /// Adds the instructions that depend on the decision point (e.g. on the address a command
    /// carries) to `a`, when the rule fires there. Nothing by default.
    virtual void apply_at(action& a, const effect_context& context) const;

    /// For an effect with memory: its state for one compiled rule. Null by default.
    virtual std::unique_ptr<effect_state> make_state() const;

    /// Asked after every condition of the rule's `when` held: false keeps the rule from firing
    /// at this point. `state` is what make_state() made (null by default). True by default.
    virtual bool admits(const effect_context& context, effect_state* state) const;

    /// True when `other` is the same effect with the same value.
    virtual bool equals(const effect& other) const = 0;
};

/// The common part of an effect class `E`: its key from `E::name`, and equality from
/// `E`'s operator==.
template <class E> class effect_of : public effect {
public:
    std::string_view key() const noexcept final { return E::name; }

    bool equals(const effect& other) const final
    {
        const auto* same = dynamic_cast<const E*>(&other);
        return same != nullptr && static_cast<const E&>(*this) == *same;
    }

    /// No state of its own: `E`'s defaulted operator== compares only `E`'s members.
    friend bool operator==(const effect_of&, const effect_of&) noexcept { return true; }
};

/// A kind of effect: its `do` key and how its value is read.
struct effect_type {
    /// The `do` key.
    std::string_view key;
    /// Reads and checks the value at `value`; null when the value asks for nothing (e.g.
    /// `hang: false`). Throws config::error.
    std::shared_ptr<const effect> (*read)(const config::yaml_reader& in,
                                          const config::field& value);
};

/// Every effect, in the order the scenario format lists them (and JSON writes them).
const std::vector<const effect_type*>& effect_types();

/// The keys of effect_types(), in order.
const std::vector<std::string_view>& effect_keys();

/// The effects of one rule (`do`), in the order of effect_types().
class effect_list {
public:
    /// Adds `e` (ignores null).
    void add(std::shared_ptr<const effect> e);

    /// The effect with this key, or null.
    const effect* find(std::string_view key) const noexcept;

    /// Whether there is an effect with this key.
    bool has(std::string_view key) const noexcept { return find(key) != nullptr; }

    /// True when there is no effect.
    bool empty() const noexcept { return items_.empty(); }

    /// The effects, in order.
    const std::vector<std::shared_ptr<const effect>>& items() const noexcept { return items_; }

    /// Same effects with the same values, in the same order.
    friend bool operator==(const effect_list& a, const effect_list& b);

private:
    std::vector<std::shared_ptr<const effect>> items_;
};

/// The action the effects produce together (no rule recorded as fired).
action compose(const effect_list& effects);

/// The effects as the `do` map of a scenario file.
boost::json::value to_json(const effect_list& effects);

} // namespace faults
