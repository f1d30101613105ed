#include "harness/monitor_spec.hpp"

#include <algorithm>
#include <stdexcept>

namespace harness {

namespace {

constexpr std::string_view cmd_prefix = "cmd:";
constexpr std::string_view http_prefix = "http:";

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

std::vector<std::string> split_words(std::string_view command)
{
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < command.size(); ++i) {
        const char c = command[i];
        if (is_space(c)) {
            if (in_word) {
                words.push_back(std::move(word));
                word.clear();
                in_word = false;
            }
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const auto end = command.find('\'', i + 1);
            if (end == std::string_view::npos) {
                throw std::invalid_argument("unclosed single quote in: " + std::string(command));
            }
            word.append(command.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            std::size_t j = i + 1;
            for (; j < command.size() && command[j] != '"'; ++j) {
                // Inside double quotes a backslash escapes only \ and ".
                if (command[j] == '\\' && j + 1 < command.size() &&
                    (command[j + 1] == '"' || command[j + 1] == '\\')) {
                    ++j;
                }
                word.push_back(command[j]);
            }
            if (j >= command.size()) {
                throw std::invalid_argument("unclosed double quote in: " + std::string(command));
            }
            i = j;
        } else if (c == '\\') {
            if (i + 1 >= command.size()) {
                throw std::invalid_argument("trailing backslash in: " + std::string(command));
            }
            word.push_back(command[++i]);
        } else {
            word.push_back(c);
        }
    }
    if (in_word) {
        words.push_back(std::move(word));
    }
    return words;
}

std::string substitute(std::string_view text, const placeholder_values& values,
                       std::vector<std::string>* used)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
            out.push_back('{');
            ++i;
        } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
            out.push_back('}');
            ++i;
        } else if (c == '{') {
            const auto end = text.find('}', i + 1);
            if (end == std::string_view::npos) {
                throw std::invalid_argument("unmatched '{' in: " + std::string(text));
            }
            const auto name = text.substr(i + 1, end - i - 1);
            auto it = values.find(name);
            if (it == values.end()) {
                std::string known;
                for (const auto& [key, value] : values) {
                    known += (known.empty() ? "{" : ", {") + key + "}";
                }
                throw std::invalid_argument("unknown placeholder {" + std::string(name) +
                                            "} (expected one of " + known + ")");
            }
            if (used) {
                used->emplace_back(name);
            }
            out += it->second;
            i = end;
        } else if (c == '}') {
            throw std::invalid_argument("unmatched '}' in: " + std::string(text));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

placeholder_values template_values(const template_inputs& in)
{
    placeholder_values v{{"host", in.host},
                         {"port", std::to_string(in.port)},
                         {"scenario", in.scenario},
                         {"ca_file", in.ca_file},
                         {"cert_file", in.cert_file},
                         {"tls_name", in.tls_name},
                         {"dns_port", std::to_string(in.dns_port)},
                         {"domain", in.domain}};
    if (in.pop3_port != 0 && in.imap_port != 0) {
        v.insert({{"pop3_port", std::to_string(in.pop3_port)},
                  {"imap_port", std::to_string(in.imap_port)},
                  {"mailbox_user", in.mailbox_user},
                  {"mailbox_password", in.mailbox_password},
                  {"mail_to", in.mail_to}});
    }
    return v;
}

namespace {

// Checks every placeholder of `text` and says whether one names the mailbox.
bool check_template(std::string_view text, const placeholder_values& probe_values)
{
    std::vector<std::string> used;
    (void)substitute(text, probe_values, &used); // bad placeholders now, not per scenario
    return std::any_of(used.begin(), used.end(), [](const std::string& name) {
        return name == "pop3_port" || name == "imap_port" || name == "mailbox_user" ||
               name == "mailbox_password" || name == "mail_to";
    });
}

} // namespace

monitor_spec parse_monitor_spec(std::string_view spec)
{
    monitor_spec out;
    out.text = std::string(spec);
    // Values for checking templates, with every placeholder there can be.
    const auto probe_values =
        template_values({"127.0.0.1", 25, "healthy", "ca.pem", "cert.pem", "localhost", 53, 110,
                         143, "user", "password", "user@localhost"});
    if (spec == "builtin") {
        out.kind = monitor_spec::kind_t::builtin;
    } else if (spec.rfind(cmd_prefix, 0) == 0) {
        out.kind = monitor_spec::kind_t::command;
        out.argv = split_words(spec.substr(cmd_prefix.size()));
        if (out.argv.empty()) {
            throw std::invalid_argument(
                "cmd: needs a program, e.g. cmd:check_smtp -H {host} -p {port}");
        }
        for (const auto& w : out.argv) {
            out.uses_mailbox = check_template(w, probe_values) || out.uses_mailbox;
        }
    } else if (spec.rfind(http_prefix, 0) == 0) {
        out.kind = monitor_spec::kind_t::http;
        out.url = std::string(spec.substr(http_prefix.size()));
        if (out.url.rfind("http://", 0) != 0) {
            throw std::invalid_argument("http: needs an http:// URL, e.g. "
                                        "http:http://127.0.0.1:9115/probe?target={host}:{port}");
        }
        out.uses_mailbox = check_template(out.url, probe_values);
    } else {
        throw std::invalid_argument("unknown monitor '" + std::string(spec) +
                                    "' (expected builtin, cmd:TEMPLATE or http:URL)");
    }
    return out;
}

} // namespace harness
