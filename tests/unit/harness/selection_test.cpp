#include "harness/selection.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>

namespace harness {
namespace {

TEST(glob, wildcards)
{
    EXPECT_TRUE(glob_match("banner-*", "banner-missing"));
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("*-hang", "data-end-hang"));
    EXPECT_TRUE(glob_match("*end*", "data-end-hang"));
    EXPECT_FALSE(glob_match("banner-*", "ehlo-banner-x"));
    EXPECT_TRUE(glob_match("ehlo-4?1", "ehlo-421"));
    EXPECT_FALSE(glob_match("ehlo-4?1", "ehlo-4211"));
    EXPECT_TRUE(glob_match("ehlo-[45]*", "ehlo-550"));
    EXPECT_FALSE(glob_match("ehlo-[!45]*", "ehlo-550"));
    EXPECT_TRUE(glob_match("ehlo-[!45]*", "ehlo-drop"));
    EXPECT_TRUE(glob_match("mail-[0-9][0-9][0-9]*", "mail-451"));
    EXPECT_FALSE(glob_match("mail-[0-9]", "mail-x"));
    EXPECT_TRUE(glob_match("a\\*b", "a*b"));
    EXPECT_FALSE(glob_match("a\\*b", "axb"));
    EXPECT_TRUE(glob_match("[unclosed", "[unclosed"));
    EXPECT_FALSE(glob_match("healthy", "healthy-multiline-banner"));
    EXPECT_TRUE(glob_match("**a**b**", "xxaxxbxx"));
}

TEST(shard, parse)
{
    auto s = parse_shard("2/3");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->index, 2u);
    EXPECT_EQ(s->count, 3u);
    for (const char* bad : {"0/3", "4/3", "1/0", "1", "/3", "1/", "a/b", "1/3x", "-1/3", ""}) {
        EXPECT_FALSE(parse_shard(bad)) << bad;
    }
}

TEST(select, filter_keeps_names_matching_any_pattern_in_order)
{
    const std::vector<std::string> names{"banner-421", "ehlo-421", "healthy", "mail-451"};
    EXPECT_EQ(select(names, {}, std::nullopt), (std::vector<std::size_t>{0, 1, 2, 3}));
    EXPECT_EQ(select(names, {"*-421"}, std::nullopt), (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(select(names, {"mail-*", "healthy"}, std::nullopt), (std::vector<std::size_t>{2, 3}));
    EXPECT_TRUE(select(names, {"nothing"}, std::nullopt).empty());
}

TEST(select, shards_partition_the_filtered_list_evenly)
{
    std::vector<std::string> names;
    for (int i = 0; i < 52; ++i) {
        names.push_back("s" + std::to_string(i));
    }
    for (std::size_t n : {1u, 2u, 3u, 5u, 52u, 60u}) {
        std::multiset<std::size_t> seen;
        std::size_t smallest = names.size();
        std::size_t largest = 0;
        for (std::size_t i = 1; i <= n; ++i) {
            auto part = select(names, {}, shard{i, n});
            EXPECT_TRUE(std::is_sorted(part.begin(), part.end()));
            smallest = std::min(smallest, part.size());
            largest = std::max(largest, part.size());
            seen.insert(part.begin(), part.end());
        }
        EXPECT_EQ(seen.size(), names.size()) << n;
        EXPECT_EQ(std::set<std::size_t>(seen.begin(), seen.end()).size(), names.size()) << n;
        EXPECT_LE(largest - smallest, 1u) << n;
    }
    // The shard applies after the filter.
    EXPECT_EQ(select({"a1", "b1", "a2", "b2", "a3"}, {"a*"}, shard{2, 2}),
              std::vector<std::size_t>{2});
}

} // namespace
} // namespace harness
