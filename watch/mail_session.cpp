#include "watch/mail_session.hpp"

#include "prober/sasl.hpp"
#include "prober/test_message.hpp"
#include "smtp/ascii.hpp"
#include "smtp/limits.hpp"

#include <algorithm>

namespace watch {
namespace {

} // namespace

mail_session::mail_session(email_settings settings, std::string message)
    : settings_(std::move(settings))
    , message_(std::move(message))
    , framer_(smtp::limits::reply_line)
{
}

mail_action_kind mail_session::start()
{
    step_ = step::banner;
    return mail_action_kind::read;
}

mail_action_kind mail_session::send(step s, std::string line)
{
    step_ = s;
    last_command_ = line;
    out_ = std::move(line);
    if (s != step::body) {
        out_ += "\r\n";
    }
    awaiting_write_ = true;
    return mail_action_kind::write;
}

mail_action_kind mail_session::fail(std::string message)
{
    step_ = step::finished;
    ok_ = false;
    error_ = std::move(message);
    return mail_action_kind::done;
}

mail_action_kind mail_session::on_written()
{
    awaiting_write_ = false;
    if (step_ == step::finished) {
        return mail_action_kind::done;
    }
    return mail_action_kind::read;
}

mail_action_kind mail_session::on_tls_done()
{
    tls_active_ = true;
    // RFC 3207 §4.2: forget what was learnt before TLS and greet again.
    framer_.discard_buffered();
    parser_.reset();
    extensions_.clear();
    return send(step::ehlo_tls, "EHLO " + settings_.helo);
}

mail_action_kind mail_session::on_bytes(std::string_view bytes)
{
    framer_.feed(bytes);
    while (auto line = framer_.next()) {
        if (line->too_long) {
            return fail("reply line longer than " + std::to_string(smtp::limits::reply_line) +
                        " octets (RFC 5321 §4.5.3.1.5)");
        }
        auto status = parser_.feed_line(line->text);
        if (status == smtp::reply_status::error) {
            return fail("malformed reply: " + std::string(line->text));
        }
        if (status == smtp::reply_status::complete) {
            auto action = on_reply(parser_.take());
            if (action != mail_action_kind::read) {
                return action;
            }
        }
    }
    return mail_action_kind::read;
}

mail_action_kind mail_session::after_ehlo()
{
    if (settings_.starttls && !tls_active_) {
        if (extensions_.find("\nSTARTTLS\n") == std::string::npos) {
            return fail("STARTTLS required but not advertised");
        }
        return send(step::starttls, "STARTTLS");
    }
    if (settings_.auth) {
        return send(step::auth, "AUTH PLAIN " + prober::sasl_plain_response(settings_.auth->user,
                                                                    settings_.auth->password));
    }
    return begin_mail();
}

mail_action_kind mail_session::begin_mail()
{
    return send(step::mail, "MAIL FROM:<" + settings_.from + ">");
}

mail_action_kind mail_session::on_reply(const smtp::reply& r)
{
    auto refused = [&](std::string_view what) {
        auto shown =
            last_command_.starts_with("AUTH ") ? std::string("AUTH PLAIN ***") : last_command_;
        return fail(std::string(what) + (shown.empty() ? "" : " (" + shown + ")") + " answered " +
                    std::to_string(r.code) + ' ' + r.text());
    };
    switch (step_) {
    case step::banner:
        if (r.code != 220) {
            return refused("banner");
        }
        return send(step::ehlo, "EHLO " + settings_.helo);
    case step::ehlo:
    case step::ehlo_tls: {
        if (r.klass() != 2) {
            return refused("EHLO");
        }
        extensions_ = "\n";
        for (std::size_t i = 1; i < r.lines.size(); ++i) {
            auto word = smtp::to_upper(r.lines[i].substr(0, r.lines[i].find(' ')));
            extensions_ += word + '\n';
        }
        return after_ehlo();
    }
    case step::starttls:
        if (r.code != 220) {
            return refused("STARTTLS");
        }
        awaiting_write_ = false;
        return mail_action_kind::start_tls;
    case step::auth:
        if (r.code != 235) {
            return refused("AUTH");
        }
        return begin_mail();
    case step::mail:
        if (r.klass() != 2) {
            return refused("MAIL");
        }
        rcpt_index_ = 0;
        return send(step::rcpt, "RCPT TO:<" + settings_.to.at(0) + ">");
    case step::rcpt:
        if (r.klass() != 2) {
            return refused("RCPT");
        }
        if (++rcpt_index_ < settings_.to.size()) {
            return send(step::rcpt, "RCPT TO:<" + settings_.to[rcpt_index_] + ">");
        }
        return send(step::data, "DATA");
    case step::data:
        if (r.code != 354) {
            return refused("DATA");
        }
        last_command_.clear();
        send(step::body, prober::dot_stuff(message_));
        last_command_ = "end of data";
        return mail_action_kind::write;
    case step::body:
        if (r.klass() != 2) {
            return refused("message");
        }
        ok_ = true;
        return send(step::quit, "QUIT");
    case step::quit:
        step_ = step::finished;
        return mail_action_kind::done;
    case step::finished:
        return mail_action_kind::done;
    }
    return mail_action_kind::done;
}

} // namespace watch
