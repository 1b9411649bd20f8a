// RegexSplitter (PCRE2) and the GGUF pre-tokenizer name table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/pre_regexes.h"
#include "tokenizer/regex_split.h"

namespace miaotui::tokenizer {
namespace {

std::vector<std::string> SplitWith(const std::vector<SplitRule>& rules, const std::string& text) {
  auto s = RegexSplitter::Create(rules);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return {};
  std::vector<std::string_view> pieces;
  (*s)->Split(text, &pieces);
  return std::vector<std::string>(pieces.begin(), pieces.end());
}

using V = std::vector<std::string>;

TEST(RegexSplitTest, Gpt2RegexWithUnicodeCategories) {
  EXPECT_EQ(SplitWith({{kGpt2Regex}}, "Hello world's   café 123 日本語!!\n\n"),
            (V{"Hello", " world", "'s", "  ", " café", " 123", " 日本語", "!!", "\n\n"}));
  EXPECT_EQ(SplitWith({{kGpt2Regex}}, ""), V{});
}

TEST(RegexSplitTest, RulesApplyInOrderToEachPiece) {
  // Digits split first, then each piece on its own: "$" only sees the end of its piece.
  EXPECT_EQ(SplitWith({{R"(\p{N})"}, {R"(\s+$)"}}, "ab12 cd  "), (V{"ab", "1", "2", " cd", "  "}));
  EXPECT_EQ(SplitWith({{R"(\s+)", false, true}}, "  a b\t\tc "), (V{"a", "b", "c"}));
  EXPECT_EQ(SplitWith({{".", true}}, "a.b.c"), (V{"a", ".", "b", ".", "c"}));  // literal
  EXPECT_EQ(SplitWith({{"x*"}}, "abxxc"), (V{"ab", "xx", "c"}));  // empty matches cut nothing
}

TEST(RegexSplitTest, BadPatternNamesIt) {
  auto s = RegexSplitter::Create({{"(unclosed"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("(unclosed"), std::string::npos);
}

TEST(RegexSplitTest, LongRunsDoNotFail) {
  const std::string spaces(1 << 20, ' ');
  const V pieces = SplitWith({{kGpt2Regex}}, spaces + "x");
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].size() + pieces[1].size(), spaces.size() + 1);
}

TEST(PreTokenizerNamesTest, EveryKnownNameCompiles) {
  for (std::string_view name : KnownPreTokenizerNames()) {
    auto info = PreTokenizerForName(name);
    ASSERT_TRUE(info.ok()) << name;
    std::vector<SplitRule> rules;
    for (const std::string& r : info->regexes) rules.push_back({r});
    auto s = RegexSplitter::Create(rules);
    EXPECT_TRUE(s.ok()) << name << ": " << s.status().message();
  }
  EXPECT_TRUE(PreTokenizerForName("llama-bpe")->ignore_merges);
  EXPECT_TRUE(PreTokenizerForName("")->regexes.size() == 4);  // "default"
  EXPECT_FALSE(PreTokenizerForName("nope").ok());
}

TEST(PreTokenizerNamesTest, Llama3AndQwen2Splits) {
  auto split = [](std::string_view name, const std::string& text) {
    const auto info = PreTokenizerForName(name);
    std::vector<SplitRule> rules;
    for (const std::string& r : info->regexes) rules.push_back({r});
    return SplitWith(rules, text);
  };
  EXPECT_EQ(split("llama-bpe", "I'M 12345 ok\n\n  x"),
            (V{"I", "'M", " ", "123", "45", " ok", "\n\n", " ", " x"}));
  EXPECT_EQ(split("qwen2", "ab 123"), (V{"ab", " ", "1", "2", "3"}));
}

}  // namespace
}  // namespace miaotui::tokenizer
