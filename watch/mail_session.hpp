#pragma once

#include "smtp/line_framer.hpp"
#include "smtp/reply_parser.hpp"
#include "watch/watch_config.hpp"

#include <string>
#include <string_view>

namespace watch {

/// What the driver of a mail_session must do next.
enum class mail_action_kind {
    read,      ///< read whatever arrives and pass it to on_bytes()
    write,     ///< write bytes() completely, then call on_written()
    start_tls, ///< run the TLS client handshake, then call on_tls_done()
    done,      ///< stop; ok() says whether the message was accepted
};

/// The submission of one alert e-mail (RFC 5321 §3.3), with no I/O: banner, EHLO, optional
/// STARTTLS (RFC 3207) and EHLO again, optional AUTH PLAIN (RFC 4954), MAIL, RCPT for each
/// recipient, DATA, the dot-stuffed message, QUIT. It reads replies from the bytes it is fed
/// and answers what to do next; any unexpected reply or malformed input ends it with an error.
class mail_session {
public:
    /// A session that will submit `message` (RFC 5322 text, not yet dot-stuffed).
    mail_session(email_settings settings, std::string message);

    /// The first action (read the banner).
    mail_action_kind start();
    /// Bytes arrived.
    mail_action_kind on_bytes(std::string_view bytes);
    /// The last write completed.
    mail_action_kind on_written();
    /// The TLS handshake completed.
    mail_action_kind on_tls_done();

    /// For write: the octets to send.
    const std::string& bytes() const noexcept { return out_; }
    /// After done: whether the server accepted the message.
    bool ok() const noexcept { return ok_; }
    /// After done without ok: what went wrong, e.g. "RCPT TO:<a@b> answered 550 no such user".
    const std::string& error() const noexcept { return error_; }

private:
    enum class step {
        banner,
        ehlo,
        starttls,
        ehlo_tls,
        auth,
        mail,
        rcpt,
        data,
        body,
        quit,
        finished,
    };

    mail_action_kind on_reply(const smtp::reply& r);
    mail_action_kind send(step s, std::string line);
    mail_action_kind fail(std::string message);
    mail_action_kind after_ehlo();
    mail_action_kind begin_mail();

    email_settings settings_;
    std::string message_;
    smtp::line_framer framer_;
    smtp::reply_parser parser_;
    step step_ = step::banner;
    std::string out_;
    std::string last_command_;
    std::string extensions_;
    std::size_t rcpt_index_ = 0;
    bool tls_active_ = false;
    bool awaiting_write_ = false;
    bool ok_ = false;
    std::string error_;
};

} // namespace watch
