#include "harness/monitor_spec.hpp"

#include <gtest/gtest.h>
#include <stdexcept>

namespace harness {
namespace {

using words = std::vector<std::string>;

TEST(split_words, like_a_shell_without_expansion)
{
    EXPECT_EQ(split_words("check_smtp -H {host} -p {port}"),
              (words{"check_smtp", "-H", "{host}", "-p", "{port}"}));
    EXPECT_EQ(split_words("  a\t b  "), (words{"a", "b"}));
    EXPECT_EQ(split_words("sh -c 'echo $HOST | cat'"), (words{"sh", "-c", "echo $HOST | cat"}));
    EXPECT_EQ(split_words(R"(a "b c" d\ e "q\"x" '')"), (words{"a", "b c", "d e", "q\"x", ""}));
    EXPECT_EQ(split_words(R"(pre"mid"'post')"), (words{"premidpost"}));
    EXPECT_TRUE(split_words("   ").empty());
    EXPECT_THROW(split_words("a 'open"), std::invalid_argument);
    EXPECT_THROW(split_words("a \"open"), std::invalid_argument);
    EXPECT_THROW(split_words("a\\"), std::invalid_argument);
}

TEST(substitute, placeholders_and_escaped_braces)
{
    const auto v = template_values(
        {"127.0.0.1", 40123, "banner-missing", "/tmp/w/ca.pem", "/tmp/w/cert.pem", "localhost"});
    EXPECT_EQ(substitute("{host}:{port}", v), "127.0.0.1:40123");
    EXPECT_EQ(substitute("--name={scenario}", v), "--name=banner-missing");
    EXPECT_EQ(substitute("{{host}} {port}{port}", v), "{host} 4012340123");
    EXPECT_EQ(substitute("plain", v), "plain");
    EXPECT_EQ(substitute("-CAfile={ca_file} -servername {tls_name}", v),
              "-CAfile=/tmp/w/ca.pem -servername localhost");
    EXPECT_EQ(substitute("--pin {cert_file}", v), "--pin /tmp/w/cert.pem");
    // The mock's DNS server: 0 when the scenario asks for none.
    EXPECT_EQ(substitute("RES_OPTIONS=port:{dns_port}", v), "RES_OPTIONS=port:0");
    const auto with_dns = template_values(
        {"127.0.0.1", 40123, "dnsbl-listed", "ca.pem", "c.pem", "localhost", 40153});
    EXPECT_EQ(substitute("-p {dns_port}", with_dns), "-p 40153");
    // The mail domain that DNS server routes to the mock by MX.
    EXPECT_EQ(substitute("--mx {domain}", v), "--mx mock.test");
    template_inputs mx_inputs{"127.0.0.1", 1, "mx-a-only", "ca.pem", "c.pem", "localhost", 40153};
    mx_inputs.domain = "mail.example.test";
    const auto other = template_values(mx_inputs);
    EXPECT_EQ(substitute("{domain}", other), "mail.example.test");
    EXPECT_THROW(substitute("{hots}", v), std::invalid_argument);
    EXPECT_THROW(substitute("{host", v), std::invalid_argument);
    EXPECT_THROW(substitute("host}", v), std::invalid_argument);
}

TEST(substitute, values_are_inserted_verbatim_into_one_word)
{
    // Substitution happens after splitting, so a value never becomes two arguments.
    const auto v = template_values({"a b", 1, "x;rm", "c a.pem", "c e.pem", "n"});
    EXPECT_EQ(substitute("{host}", v), "a b");
    EXPECT_EQ(substitute("{scenario}", v), "x;rm");
}

TEST(substitute, the_mailbox_placeholders_exist_only_with_a_mailbox)
{
    const template_inputs with{
        "127.0.0.1", 40123, "delivery-never",   "ca.pem", "c.pem", "localhost", 0, 40110, 40143,
        "harness",   "pw",  "harness@localhost"};
    EXPECT_EQ(substitute("--imap-port {imap_port} --pop {pop3_port}", template_values(with)),
              "--imap-port 40143 --pop 40110");
    EXPECT_EQ(substitute("{mailbox_user}:{mailbox_password} {mail_to}", template_values(with)),
              "harness:pw harness@localhost");
    std::vector<std::string> used;
    (void)substitute("{host} {imap_port}", template_values(with), &used);
    EXPECT_EQ(used, (std::vector<std::string>{"host", "imap_port"}));
    // A mock without a mailbox has no value for them: the error lists what there is.
    try {
        (void)substitute("{imap_port}", template_values({"127.0.0.1", 1, "healthy", "ca.pem",
                                                         "c.pem", "localhost"}));
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "unknown placeholder {imap_port} (expected one of {ca_file}, "
                               "{cert_file}, {dns_port}, {domain}, {host}, {port}, {scenario}, "
                               "{tls_name})");
    }
}

TEST(monitor_spec, a_template_that_names_the_mailbox_asks_for_one)
{
    EXPECT_FALSE(parse_monitor_spec("cmd:check_smtp -H {host} -p {port}").uses_mailbox);
    EXPECT_FALSE(parse_monitor_spec("builtin").uses_mailbox);
    for (const char* spec :
         {"cmd:check_imap_receive -H {host} -p {imap_port}", "cmd:sh -c 'fetch {mailbox_user}'",
          "cmd:send --to={mail_to}", "http:http://127.0.0.1:9115/probe?pop3={host}:{pop3_port}"}) {
        EXPECT_TRUE(parse_monitor_spec(spec).uses_mailbox) << spec;
    }
    EXPECT_THROW(parse_monitor_spec("cmd:check -p {imap_prot}"), std::invalid_argument);
}

TEST(monitor_spec, the_three_kinds)
{
    EXPECT_EQ(parse_monitor_spec("builtin").kind, monitor_spec::kind_t::builtin);

    auto cmd = parse_monitor_spec("cmd:/usr/lib/nagios/plugins/check_smtp -H {host} -p {port}");
    EXPECT_EQ(cmd.kind, monitor_spec::kind_t::command);
    EXPECT_EQ(cmd.argv,
              (words{"/usr/lib/nagios/plugins/check_smtp", "-H", "{host}", "-p", "{port}"}));
    EXPECT_EQ(cmd.text, "cmd:/usr/lib/nagios/plugins/check_smtp -H {host} -p {port}");

    auto http = parse_monitor_spec("http:http://127.0.0.1:9115/probe?target={host}:{port}");
    EXPECT_EQ(http.kind, monitor_spec::kind_t::http);
    EXPECT_EQ(http.url, "http://127.0.0.1:9115/probe?target={host}:{port}");
}

TEST(monitor_spec, mistakes_are_rejected_up_front)
{
    EXPECT_THROW(parse_monitor_spec("nagios"), std::invalid_argument);
    EXPECT_THROW(parse_monitor_spec("cmd:"), std::invalid_argument);
    EXPECT_THROW(parse_monitor_spec("cmd:   "), std::invalid_argument);
    EXPECT_THROW(parse_monitor_spec("cmd:check -H {hostname}"), std::invalid_argument);
    EXPECT_THROW(parse_monitor_spec("cmd:check 'unclosed"), std::invalid_argument);
    EXPECT_THROW(parse_monitor_spec("http:https://x/probe"), std::invalid_argument);
    EXPECT_THROW(parse_monitor_spec("http:http://x/probe?t={target}"), std::invalid_argument);
    EXPECT_THROW(parse_monitor_spec("Builtin"), std::invalid_argument);
}

} // namespace
} // namespace harness
