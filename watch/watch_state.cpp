#include "watch/watch_state.hpp"

#include "json/json_text.hpp"
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace watch {
namespace {

namespace json = boost::json;

std::int64_t ms_of(wall_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

wall_clock::time_point time_of(std::int64_t ms)
{
    return wall_clock::time_point(std::chrono::milliseconds(ms));
}

prober::probe_status status_of(const json::value& v)
{
    return parse_status(v.as_string()).value_or(prober::probe_status::unknown);
}

json::object outcome_json(const check_outcome& o)
{
    json::object j;
    j["status"] = to_string(o.status);
    j["kind"] = o.kind ? json::value(to_string(*o.kind)) : json::value(nullptr);
    j["phase"] = o.phase ? json::value(to_string(*o.phase)) : json::value(nullptr);
    j["code"] = o.code;
    j["message"] = o.message;
    return j;
}

check_outcome outcome_from(const json::object& j)
{
    check_outcome o;
    o.status = status_of(j.at("status"));
    if (j.at("kind").is_string()) {
        o.kind = smtp::parse_failure_kind(j.at("kind").as_string());
    }
    if (j.at("phase").is_string()) {
        o.phase = smtp::parse_phase(j.at("phase").as_string());
    }
    o.code = static_cast<int>(j.at("code").to_number<std::int64_t>());
    o.message = std::string(j.at("message").as_string());
    return o;
}

json::object event_json(const alert_event& e)
{
    json::object j;
    j["type"] = to_string(e.type);
    j["target"] = e.target;
    j["id"] = e.id;
    j["status"] = to_string(e.status);
    j["problem_status"] = to_string(e.problem_status);
    j["kind"] = e.kind ? json::value(to_string(*e.kind)) : json::value(nullptr);
    j["phase"] = e.phase ? json::value(to_string(*e.phase)) : json::value(nullptr);
    j["code"] = e.code;
    j["message"] = e.message;
    j["attempt"] = e.attempt;
    j["max_attempts"] = e.max_attempts;
    j["number"] = e.number;
    j["at_ms"] = ms_of(e.at);
    j["since_ms"] = ms_of(e.since);
    j["flap_percent"] = e.flap_percent;
    j["flapping"] = e.flapping;
    return j;
}

alert_event event_from(const json::object& j)
{
    alert_event e;
    e.type = parse_notification_type(j.at("type").as_string()).value_or(notification_type::problem);
    e.target = std::string(j.at("target").as_string());
    e.id = std::string(j.at("id").as_string());
    e.status = status_of(j.at("status"));
    e.problem_status = status_of(j.at("problem_status"));
    if (j.at("kind").is_string()) {
        e.kind = smtp::parse_failure_kind(j.at("kind").as_string());
    }
    if (j.at("phase").is_string()) {
        e.phase = smtp::parse_phase(j.at("phase").as_string());
    }
    e.code = static_cast<int>(j.at("code").to_number<std::int64_t>());
    e.message = std::string(j.at("message").as_string());
    e.attempt = static_cast<int>(j.at("attempt").to_number<std::int64_t>());
    e.max_attempts = static_cast<int>(j.at("max_attempts").to_number<std::int64_t>());
    e.number = static_cast<int>(j.at("number").to_number<std::int64_t>());
    e.at = time_of(j.at("at_ms").to_number<std::int64_t>());
    e.since = time_of(j.at("since_ms").to_number<std::int64_t>());
    e.flap_percent = j.at("flap_percent").to_number<double>();
    e.flapping = j.at("flapping").as_bool();
    return e;
}

json::object monitor_json(const monitor_state& s)
{
    json::object j;
    j["status"] = to_string(s.status);
    j["type"] = to_string(s.type);
    j["attempt"] = s.attempt;
    j["hard_status"] = to_string(s.hard_status);
    j["problem_open"] = s.problem_open;
    j["notified_status"] = to_string(s.notified_status);
    j["notification_number"] = s.notification_number;
    j["problem_since_ms"] = ms_of(s.problem_since);
    j["last_notified_ms"] = ms_of(s.last_notified);
    j["last_check_ms"] = ms_of(s.last_check);
    j["last_hard_change_ms"] = ms_of(s.last_hard_change);
    j["last_problem"] = outcome_json(s.last_problem);
    json::array h;
    for (auto st : s.history) {
        h.push_back(json::value(to_string(st)));
    }
    j["history"] = std::move(h);
    j["flapping"] = s.flapping;
    j["flap_percent"] = s.flap_percent;
    j["checks"] = s.checks;
    j["flapping_since_ms"] = ms_of(s.flapping_since);
    j["flap_status"] = to_string(s.flap_status);
    j["notified_problem"] = outcome_json(s.notified_problem);
    return j;
}

monitor_state monitor_from(const json::object& j)
{
    monitor_state s;
    s.status = status_of(j.at("status"));
    s.type = j.at("type").as_string() == "SOFT" ? state_type::soft : state_type::hard;
    s.attempt = static_cast<int>(j.at("attempt").to_number<std::int64_t>());
    s.hard_status = status_of(j.at("hard_status"));
    s.problem_open = j.at("problem_open").as_bool();
    s.notified_status = status_of(j.at("notified_status"));
    s.notification_number = static_cast<int>(j.at("notification_number").to_number<std::int64_t>());
    s.problem_since = time_of(j.at("problem_since_ms").to_number<std::int64_t>());
    s.last_notified = time_of(j.at("last_notified_ms").to_number<std::int64_t>());
    s.last_check = time_of(j.at("last_check_ms").to_number<std::int64_t>());
    s.last_hard_change = time_of(j.at("last_hard_change_ms").to_number<std::int64_t>());
    s.last_problem = outcome_from(j.at("last_problem").as_object());
    for (const auto& v : j.at("history").as_array()) {
        s.history.push_back(status_of(v));
    }
    s.flapping = j.at("flapping").as_bool();
    s.flap_percent = j.at("flap_percent").to_number<double>();
    s.checks = j.at("checks").to_number<std::uint64_t>();
    // Absent from the state files of earlier versions.
    if (const auto* v = j.if_contains("flapping_since_ms")) {
        s.flapping_since = time_of(v->to_number<std::int64_t>());
    }
    if (const auto* v = j.if_contains("flap_status")) {
        s.flap_status = status_of(*v);
    }
    if (const auto* v = j.if_contains("notified_problem")) {
        s.notified_problem = outcome_from(v->as_object());
    } else {
        s.notified_problem = s.last_problem;
    }
    return s;
}

} // namespace

std::string state_to_json(const watch_snapshot& s)
{
    json::object root;
    root["schema"] = state_schema;
    json::object monitors;
    for (const auto& [name, m] : s.monitors) {
        monitors[name] = monitor_json(m);
    }
    root["monitors"] = std::move(monitors);
    json::array outbox;
    for (const auto& d : s.outbox) {
        json::object j;
        j["seq"] = d.seq;
        j["notifier"] = d.notifier;
        j["attempts"] = d.attempts;
        j["event"] = event_json(d.event);
        outbox.push_back(std::move(j));
    }
    root["outbox"] = std::move(outbox);
    root["next_seq"] = s.next_seq;
    return json_text::serialize(root) + "\n";
}

std::optional<watch_snapshot> state_from_json(std::string_view text)
{
    try {
        auto root = json::parse(text).as_object();
        if (root.at("schema").as_string() != state_schema) {
            return std::nullopt;
        }
        watch_snapshot s;
        for (const auto& [name, m] : root.at("monitors").as_object()) {
            s.monitors[std::string(name)] = monitor_from(m.as_object());
        }
        for (const auto& v : root.at("outbox").as_array()) {
            const auto& j = v.as_object();
            pending_delivery d;
            d.seq = j.at("seq").to_number<std::uint64_t>();
            d.notifier = std::string(j.at("notifier").as_string());
            d.attempts = static_cast<int>(j.at("attempts").to_number<std::int64_t>());
            d.event = event_from(j.at("event").as_object());
            s.outbox.push_back(std::move(d));
        }
        s.next_seq = root.at("next_seq").to_number<std::uint64_t>();
        return s;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

boost::system::error_code write_file_atomically(const std::filesystem::path& file,
                                                std::string_view text)
{
    auto temp = file;
    temp += ".tmp";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return {errno, boost::system::system_category()};
    }
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            boost::system::error_code ec{errno, boost::system::system_category()};
            ::close(fd);
            return ec;
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    const int sync_errno = errno;
    if (::close(fd) != 0 || !synced) {
        return {synced ? errno : sync_errno, boost::system::system_category()};
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) {
        return {errno, boost::system::system_category()};
    }
    return {};
}

std::optional<std::string> read_whole_file(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

} // namespace watch
