// JsonPrefix (incremental "still a valid JSON object prefix" check) and JsonConstraint (token
// masking with a deadline) on hand-written cases.
#include "runtime/json_prefix.h"

#include <gtest/gtest.h>

#include <cmath>

#include "runtime/json_constraint.h"

namespace miaotui::runtime {
namespace {

bool IsPrefix(const std::string& s) {
  JsonPrefix p;
  return p.Push(s);
}

bool IsComplete(const std::string& s) {
  JsonPrefix p;
  return p.Push(s) && p.complete();
}

TEST(JsonPrefixTest, AcceptsPrefixesOfValidObjects) {
  const std::string doc =
      R"( {"a": [1, -2.5e+3, 0, true, false, null, "x\"\u00e9\n"], "b": {}, "c": [], )"
      R"("d": {"e": [[0.0E1]]}} )";
  for (size_t i = 0; i <= doc.size(); ++i) {
    EXPECT_TRUE(IsPrefix(doc.substr(0, i))) << doc.substr(0, i);
  }
  EXPECT_TRUE(IsComplete(doc));
  EXPECT_FALSE(IsComplete(doc.substr(0, doc.size() - 2)));
  EXPECT_TRUE(IsComplete("{}"));
  EXPECT_TRUE(IsComplete("{\"\xe7\xa7\x92\": 1}"));
}

TEST(JsonPrefixTest, RefusesWhatCanNeverBeValid) {
  for (const char* bad :
       {"[", "1", "\"a\"", "{a", "{\"a\" 1", "{\"a\":}", "{\"a\":1,}", "{\"a\":01", "{\"a\":-}",
        "{\"a\":1.}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":[1,]", "{\"a\":[}", "{\"a\":\"\\x\"",
        "{\"a\":\"\\u12g", "{\"a\":\"\n", "{}x", "{}{}", "{\"a\":1]", "{\"a\":nul,"}) {
    EXPECT_FALSE(IsPrefix(bad)) << bad;
  }
  std::string deep = "{\"a\":";
  for (int i = 0; i < JsonPrefix::kMaxDepth; ++i) deep += "[";
  EXPECT_FALSE(IsPrefix(deep));
}

TEST(JsonPrefixTest, MinCompletionIsExact) {
  struct Case {
    const char* text;
    const char* completion;
  } cases[] = {{"", "{}"},          {"{", "}"},           {"{\"a", "\":0}"},
               {"{\"a\"", ":0}"},   {"{\"a\":", "0}"},    {"{\"a\":[", "]}"},
               {"{\"a\":[1,", "0]}"}, {"{\"a\":tr", "ue}"}, {"{\"a\":1e", "0}"},
               {"{\"a\":\"\\u1", "234\"}"}, {"{\"a\":1,", "\"\":0}"}, {"{\"a\":{}", "}"}};
  for (const auto& c : cases) {
    JsonPrefix p;
    ASSERT_TRUE(p.Push(c.text)) << c.text;
    EXPECT_EQ(p.MinCompletion(), static_cast<int>(std::string(c.completion).size())) << c.text;
    ASSERT_TRUE(p.Push(c.completion)) << c.text;
    EXPECT_TRUE(p.complete()) << c.text << c.completion;
  }
}

// A toy vocabulary: single characters plus a few longer pieces; id 12 is EOS, 13 a control.
std::shared_ptr<const JsonVocab> ToyVocab() {
  auto v = std::make_shared<JsonVocab>();
  for (const char* p : {"{", "}", "\"", ":", "0", "a", " ", "[", "]", ",", "{\"key\": ", "xyz"}) {
    v->pieces.push_back(p);
    v->kind.push_back(0);
  }
  v->pieces.push_back("");
  v->kind.push_back(1);
  v->pieces.push_back("");
  v->kind.push_back(2);
  return v;
}

std::vector<int> Allowed(JsonConstraint& c, int64_t left) {
  std::vector<float> logits(14, 1.0f);
  c.Mask(logits, left);
  std::vector<int> ids;
  for (int i = 0; i < 14; ++i) {
    if (!std::isinf(logits[i])) ids.push_back(i);
  }
  return ids;
}

TEST(JsonConstraintTest, MasksInvalidTokensAndEndsOnlyWhenComplete) {
  JsonConstraint c(ToyVocab());
  EXPECT_EQ(Allowed(c, -1), (std::vector<int>{0, 6, 10}));  // "{", " ", "{\"key\": "
  c.Accept(10);
  // After {"key": a value: 0, "..., [, {, space - but with 2 tokens left only "0" (then "}").
  EXPECT_EQ(Allowed(c, -1), (std::vector<int>{0, 2, 4, 6, 7, 10}));
  EXPECT_EQ(Allowed(c, 2), (std::vector<int>{4}));
  c.Accept(4);
  EXPECT_EQ(Allowed(c, 1), (std::vector<int>{1}));
  c.Accept(1);
  EXPECT_TRUE(c.state().complete());
  EXPECT_EQ(Allowed(c, -1), (std::vector<int>{12}));  // only EOS once complete
}

TEST(JsonConstraintTest, GreedyWalkAlwaysYieldsAnObjectWithinTheLimit) {
  // Whatever the model prefers (here: always the highest id allowed), the deadline closes it.
  for (int limit = 2; limit < 12; ++limit) {
    JsonConstraint c(ToyVocab());
    std::string out;
    JsonPrefix check;
    bool ended = false;
    for (int t = 0; t < limit && !ended; ++t) {
      std::vector<int> ok = Allowed(c, limit - t);
      ASSERT_FALSE(ok.empty());
      const int tok = ok.back() == 13 ? ok[ok.size() - 2] : ok.back();
      if (tok == 12) {
        ended = true;
        break;
      }
      c.Accept(tok);
      out += ToyVocab()->pieces[tok];
    }
    EXPECT_TRUE(check.Push(out) && check.complete()) << limit << ": " << out;
  }
}

}  // namespace
}  // namespace miaotui::runtime
