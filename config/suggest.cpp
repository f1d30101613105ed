#include "config/suggest.hpp"

#include <algorithm>

namespace config {
namespace {

// Levenshtein distance with one row of state.
std::size_t distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

std::string did_you_mean(std::string_view given, const std::vector<std::string_view>& accepted)
{
    // Names are short; a long value (or an attack) is compared with nothing.
    constexpr std::size_t longest = 64;
    if (given.size() > longest) {
        return {};
    }
    std::string_view best;
    std::size_t best_distance = 3;
    for (auto candidate : accepted) {
        const auto d = distance(given, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best.empty() ? std::string{} : "did you mean '" + std::string(best) + "'? ";
}

std::string one_of(const std::vector<std::string_view>& accepted)
{
    std::string out = "one of: ";
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        out += (i ? ", " : "") + std::string(accepted[i]);
    }
    return out;
}

} // namespace config
