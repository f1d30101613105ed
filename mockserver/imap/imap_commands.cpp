// The IMAP session's command table and the commands of any state and of the not-authenticated
// state (RFC 3501 §6.1, §6.2): CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN, AUTHENTICATE.
#include "mockserver/imap/command_parser.hpp"
#include "mockserver/imap/imap_session.hpp"
#include "smtp/ascii.hpp"
#include "smtp/sasl_plain.hpp"

#include <fmt/format.h>
#include <utility>

namespace mock::imap {

namespace {

// The states a command is valid in (RFC 3501 §6), as bits.
enum : unsigned { in_not_authenticated = 1, in_authenticated = 2, in_selected = 4 };
constexpr unsigned in_any = in_not_authenticated | in_authenticated | in_selected;
constexpr unsigned logged_in_states = in_authenticated | in_selected;

struct command_info {
    std::string_view name;
    unsigned states;
};

constexpr command_info commands[] = {
    {"CAPABILITY", in_any},
    {"NOOP", in_any},
    {"LOGOUT", in_any},
    {"STARTTLS", in_not_authenticated},
    {"AUTHENTICATE", in_not_authenticated},
    {"LOGIN", in_not_authenticated},
    {"SELECT", logged_in_states},
    {"EXAMINE", logged_in_states},
    {"CREATE", logged_in_states},
    {"DELETE", logged_in_states},
    {"RENAME", logged_in_states},
    {"SUBSCRIBE", logged_in_states},
    {"UNSUBSCRIBE", logged_in_states},
    {"LIST", logged_in_states},
    {"LSUB", logged_in_states},
    {"STATUS", logged_in_states},
    {"APPEND", logged_in_states},
    {"IDLE", logged_in_states}, // RFC 2177 §3
    {"CHECK", in_selected},
    {"CLOSE", in_selected},
    {"UNSELECT", in_selected}, // RFC 3691
    {"EXPUNGE", in_selected},
    {"SEARCH", in_selected},
    {"FETCH", in_selected},
    {"STORE", in_selected},
    {"COPY", in_selected},
    {"MOVE", in_selected}, // RFC 6851
    {"UID", in_selected},
};

unsigned state_bit(imap_session::state s)
{
    switch (s) {
    case imap_session::state::not_authenticated:
        return in_not_authenticated;
    case imap_session::state::authenticated:
        return in_authenticated;
    case imap_session::state::selected:
        return in_selected;
    default:
        return 0;
    }
}

std::optional<unsigned> states_of(std::string_view name)
{
    for (const auto& c : commands) {
        if (c.name == name) {
            return c.states;
        }
    }
    return std::nullopt;
}

} // namespace

std::string imap_session::capability_list() const
{
    // RFC 3501 §7.2.1. STARTTLS, LOGINDISABLED and AUTH= only matter before login.
    std::string caps = "IMAP4rev1";
    if (state_ == state::not_authenticated) {
        if (config_.tls_available && !tls_) {
            caps += " STARTTLS";
        }
        caps += login_disabled() ? " LOGINDISABLED" : " AUTH=PLAIN SASL-IR";
    }
    if (config_.limits.literal_plus) {
        caps += " LITERAL+";
    }
    return caps + " IDLE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE";
}

bool imap_session::login_disabled() const
{
    return config_.login_requires_tls && !tls_;
}

bool imap_session::allowed(const std::string& name) const
{
    const auto states = states_of(name);
    return states && (*states & state_bit(state_)) != 0;
}

void imap_session::execute(std::string_view command, time_point now)
{
    // RFC 3501 §2.2.1: tag SP command [SP arguments]
    arg_reader in(command);
    auto tag = in.tag();
    if (!tag) {
        bad("*", "Error in IMAP command: a command starts with a tag");
        return;
    }
    auto word = in.space() ? in.atom("a command name") : std::nullopt;
    if (!word) {
        syntax_error(*tag, "", in);
        return;
    }
    const auto name = smtp::to_upper(*word);
    const auto states = states_of(name);
    if (!states) {
        bad(*tag, fmt::format("Unknown command {}", *word));
        return;
    }
    if (fault_at(*tag, command.substr(command.find(' ') + 1), now)) {
        return; // a fault answered (or swallowed) the command
    }
    if (!allowed(name)) {
        // RFC 3501 §6: each command is valid in the states it names.
        bad(*tag, state_ == state::not_authenticated ? fmt::format("{} needs a login first", name)
                  : (*states & in_not_authenticated) != 0
                      ? fmt::format("{} is not valid once logged in", name)
                      : fmt::format("{} needs a selected folder", name));
        return;
    }
    dispatch(*tag, name, in, now);
}

// Asks the fault engine about `command` (the text after the tag; empty for the greeting) and
// carries out what it decides; false when the command is to run normally.
bool imap_session::fault_at(std::string_view tag, std::string_view command, time_point now)
{
    if (faults_ == nullptr) {
        return false;
    }
    // The verb: the command name, with UID its sub-command too ("UID FETCH").
    auto name_end = std::min(command.find(' '), command.size());
    auto verb = smtp::to_upper(command.substr(0, name_end));
    if (verb == "UID" && name_end < command.size()) {
        name_end = std::min(command.find(' ', name_end + 1), command.size());
        verb = smtp::to_upper(command.substr(0, name_end));
    }
    const auto argument = command.substr(std::min(name_end + 1, command.size()));
    const auto f = read_mailbox_fault(faults_->decide({smtp::phase::verify, verb, argument}, now));
    if (f.healthy()) {
        return false;
    }
    using refusal = mailbox_fault::refusal;
    if (f.raw) {
        output_.text(*f.raw);
    } else if (f.refuse != refusal::none && tag.empty()) {
        // RFC 3501 §7.1.5: a BYE greeting refuses the connection.
        bye(f.text);
        then_ = then::close;
    } else if (f.refuse == refusal::temporary) {
        // RFC 5530 §3: UNAVAILABLE, a temporary failure.
        tagged(tag, "NO", "[UNAVAILABLE] " + f.text);
    } else if (f.refuse == refusal::permanent) {
        // RFC 5530 §3: AUTHENTICATIONFAILED for a refused login.
        const bool login = verb == "LOGIN" || verb == "AUTHENTICATE";
        tagged(tag, "NO", (login ? "[AUTHENTICATIONFAILED] " : "") + f.text);
    }
    if (f.end == faults::ending::hang) {
        hung_ = true;
    } else if (f.end != faults::ending::proceed) {
        then_ = then::close;
        reset_ = f.end == faults::ending::close_rst;
    }
    return true;
}

void imap_session::dispatch(const std::string& tag, const std::string& name, arg_reader& in,
                            time_point now)
{
    if (name == "CAPABILITY") {
        cmd_capability(tag, in);
    } else if (name == "NOOP" || name == "CHECK") {
        cmd_noop(tag, name, in);
    } else if (name == "LOGOUT") {
        cmd_logout(tag, in);
    } else if (name == "STARTTLS") {
        cmd_starttls(tag, in);
    } else if (name == "LOGIN") {
        cmd_login(tag, in);
    } else if (name == "AUTHENTICATE") {
        cmd_authenticate(tag, in);
    } else if (name == "SELECT" || name == "EXAMINE") {
        cmd_select(tag, name, in);
    } else if (name == "LIST" || name == "LSUB") {
        cmd_list(tag, name, in);
    } else if (name == "STATUS") {
        cmd_status(tag, in);
    } else if (name == "IDLE") {
        cmd_idle(tag, in, now);
    } else if (name == "CLOSE" || name == "UNSELECT") {
        cmd_close(tag, name, in);
    } else if (name == "EXPUNGE" || name == "SEARCH" || name == "FETCH" || name == "STORE" ||
               name == "COPY" || name == "MOVE") {
        dispatch_message_command(tag, name, in, false);
    } else if (name == "UID") {
        // RFC 3501 §6.4.8: UID SP (copy / fetch / search / store); RFC 4315 and RFC 6851 add
        // EXPUNGE and MOVE.
        auto sub =
            in.space() ? in.atom("COPY, FETCH, MOVE, SEARCH, STORE or EXPUNGE") : std::nullopt;
        const auto verb = sub ? smtp::to_upper(*sub) : std::string();
        if (verb != "EXPUNGE" && verb != "SEARCH" && verb != "FETCH" && verb != "STORE" &&
            verb != "COPY" && verb != "MOVE") {
            in.fail("COPY, FETCH, MOVE, SEARCH, STORE or EXPUNGE after UID");
            syntax_error(tag, "UID", in);
            return;
        }
        dispatch_message_command(tag, "UID " + verb, in, true);
    } else {
        cmd_fixed_folders(tag, name, in);
    }
}

void imap_session::dispatch_message_command(const std::string& tag, const std::string& name,
                                            arg_reader& in, bool uid)
{
    const std::string_view verb = uid ? std::string_view(name).substr(4) : std::string_view(name);
    // Flags and new messages are brought up to date before the command runs. Removals are
    // announced first only when no message sequence number of the command can be affected:
    // for UID commands and EXPUNGE (RFC 3501 §7.4.1); otherwise at the end or later.
    sync(uid || verb == "EXPUNGE");
    if (verb == "EXPUNGE") {
        cmd_expunge(tag, name, in, uid);
    } else if (verb == "SEARCH") {
        cmd_search(tag, name, in, uid);
    } else if (verb == "FETCH") {
        cmd_fetch(tag, name, in, uid);
    } else if (verb == "STORE") {
        cmd_store(tag, name, in, uid);
    } else {
        cmd_copy(tag, name, in, uid, verb == "MOVE");
    }
}

void imap_session::cmd_capability(const std::string& tag, arg_reader& in)
{
    if (!in.end()) {
        syntax_error(tag, "CAPABILITY", in);
        return;
    }
    untagged("CAPABILITY " + capability_list());
    complete(tag, "CAPABILITY");
}

void imap_session::cmd_noop(const std::string& tag, const std::string& name, arg_reader& in)
{
    // RFC 3501 §6.1.2, §6.4.1: NOOP and CHECK report what changed.
    if (!in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    complete(tag, name);
}

void imap_session::cmd_logout(const std::string& tag, arg_reader& in)
{
    if (!in.end()) {
        syntax_error(tag, "LOGOUT", in);
        return;
    }
    // RFC 3501 §6.1.3: BYE, then the tagged OK, then the server closes.
    bye(fmt::format("{} IMAP4rev1 server logging out", config_.hostname));
    tagged(tag, "OK", "LOGOUT completed");
    state_ = state::logout;
    then_ = then::close;
}

void imap_session::cmd_starttls(const std::string& tag, arg_reader& in)
{
    if (!in.end()) {
        syntax_error(tag, "STARTTLS", in);
        return;
    }
    if (!config_.tls_available || tls_) {
        bad(tag, tls_ ? "TLS is already active" : "STARTTLS is not offered here");
        return;
    }
    tagged(tag, "OK", "Begin TLS negotiation now");
    // RFC 3501 §6.2.1 (and RFC 2595 §3.1): nothing sent before the handshake counts; a client
    // that pipelines after STARTTLS may be a man in the middle injecting commands.
    reader_.discard_buffered();
    then_ = then::start_tls;
}

void imap_session::cmd_login(const std::string& tag, arg_reader& in)
{
    // RFC 3501 §6.2.3: LOGIN SP userid SP password
    auto user = in.space() ? in.astring("a user name") : std::nullopt;
    auto password = user && in.space() ? in.astring("a password") : std::nullopt;
    if (!password || !in.end()) {
        syntax_error(tag, "LOGIN", in);
        return;
    }
    if (login_disabled()) {
        tagged(tag, "NO", "[PRIVACYREQUIRED] LOGIN is disabled until STARTTLS");
        return;
    }
    if (!mailboxes_.authenticate(*user, *password)) {
        // RFC 5530 §3: AUTHENTICATIONFAILED.
        tagged(tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed");
        return;
    }
    logged_in(tag, std::move(*user), "LOGIN");
}

void imap_session::cmd_authenticate(const std::string& tag, arg_reader& in)
{
    // RFC 3501 §6.2.2: AUTHENTICATE SP auth-type; RFC 4959 §3: [SP (base64 / "=")]
    auto mechanism = in.space() ? in.atom("a SASL mechanism name") : std::nullopt;
    std::optional<std::string> initial;
    if (mechanism && in.take(' ')) {
        initial = in.atom("a base64 initial response");
    }
    if (!mechanism || !in.end()) {
        syntax_error(tag, "AUTHENTICATE", in);
        return;
    }
    if (!smtp::iequals(*mechanism, "PLAIN")) {
        tagged(tag, "NO", fmt::format("Unsupported authentication mechanism {}", *mechanism));
        return;
    }
    if (login_disabled()) {
        tagged(tag, "NO", "[PRIVACYREQUIRED] AUTHENTICATE PLAIN is disabled until STARTTLS");
        return;
    }
    if (initial) {
        check_plain(tag, *initial);
        return;
    }
    // RFC 3501 §7.5: an empty challenge; the client answers with one line.
    output_.text("+ \r\n");
    mode_ = input_mode::authenticate;
    pending_tag_ = tag;
}

void imap_session::on_auth_line(const plain_line& line)
{
    mode_ = input_mode::command;
    const auto tag = std::exchange(pending_tag_, {});
    if (line.too_long) {
        bad(tag, "Authentication response too long");
    } else if (line.text == "*") {
        bad(tag, "Authentication cancelled"); // RFC 3501 §6.2.2
    } else {
        check_plain(tag, line.text);
    }
}

void imap_session::check_plain(const std::string& tag, std::string_view response)
{
    const auto credentials = smtp::decode_sasl_plain(response);
    if (!credentials) {
        bad(tag, "Invalid SASL PLAIN response (base64 of authzid NUL authcid NUL password)");
        return;
    }
    if (!credentials->authzid.empty() && credentials->authzid != credentials->authcid) {
        tagged(tag, "NO", "[AUTHORIZATIONFAILED] Cannot act as another user"); // RFC 5530 §3
        return;
    }
    if (!mailboxes_.authenticate(credentials->authcid, credentials->password)) {
        tagged(tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed");
        return;
    }
    logged_in(tag, credentials->authcid, "AUTHENTICATE");
}

void imap_session::logged_in(const std::string& tag, std::string user, std::string_view name)
{
    state_ = state::authenticated;
    user_ = std::move(user);
    // RFC 3501 §7.1: the capabilities change with the login; say them in the OK.
    tagged(tag, "OK", fmt::format("[CAPABILITY {}] {} completed", capability_list(), name));
}

void imap_session::on_idle_line(const plain_line& line)
{
    // RFC 2177 §3: the client ends IDLE with "DONE".
    mode_ = input_mode::command;
    const auto tag = std::exchange(pending_tag_, {});
    if (!line.too_long && smtp::iequals(line.text, "DONE")) {
        complete(tag, "IDLE");
    } else {
        bad(tag, "Expected DONE to end IDLE");
    }
}

} // namespace mock::imap
