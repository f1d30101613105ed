#pragma once

// POP3's view of the maildrops when delivery faults are in play: the INBOX deliveries of each
// message (imap::planned_deliveries, the same reading IMAP uses), those already due, with the
// content the fault gave them. A message delivered to Junk or nowhere is not there, one
// delivered late appears when it is due, one delivered twice is there twice (the second copy's
// UIDL is "ID.2"). Deleting any copy removes the message from the maildrop (and so from IMAP).

#include "mockserver/pop3/maildrop.hpp"

#include <chrono>
#include <functional>

namespace mock::pop3 {

/// The maildrops of `inner` as delivery faults let them be seen. Thread-safe when `inner` is.
class delivered_maildrop final : public maildrop_source {
public:
    /// The wall clock that decides when a late delivery is due.
    using wall_clock = std::function<std::chrono::system_clock::time_point()>;

    /// `inner` must outlive this; `clock` defaults to the system clock.
    explicit delivered_maildrop(maildrop_source& inner, wall_clock clock = {});

    bool authenticate(std::string_view user, std::string_view password) const override;
    std::vector<maildrop_entry> open(std::string_view user) override;
    void remove(std::string_view user, const std::vector<std::string>& ids) override;

private:
    maildrop_source& inner_;
    wall_clock clock_;
};

} // namespace mock::pop3
