// PromptCache and Chat on the shipped stories260K model: an incrementally synced prompt gives the
// logits of a fresh evaluation while evaluating only the changed suffix; overflow is refused
// without losing the cache; Chat stops at the template's end-of-turn text, honours cancel, and
// saves/loads/resets conversations.
#include "runtime/chat.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "runtime/prompt_cache.h"
#include "test_util.h"

namespace miaotui::runtime {
namespace {

using testing::SharedPath;
using testing::TempDir;

constexpr char kModel[] = "models/stories260K.gguf";

class ChatRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::SharedExists(kModel)) GTEST_SKIP() << "needs ../shared";
    auto m = models::LoadModel(SharedPath(kModel));
    ASSERT_TRUE(m.ok()) << m.status().message();
    model_ = std::move(*m);
  }
  std::unique_ptr<Session> NewSession(int64_t n_ctx = 256) {
    SessionOptions so;
    so.n_threads = 2;
    so.n_ctx = n_ctx;
    so.kv_type = DType::kF32;
    auto s = Session::Create(*model_, so);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }
  std::vector<int32_t> Ids(const std::string& text) {
    return model_->tokenizer().Encode(text, true);
  }
  std::unique_ptr<models::Model> model_;
};

float MaxDiff(std::span<const float> a, std::span<const float> b) {
  float d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

TEST_F(ChatRuntimeTest, IncrementalSyncMatchesFreshEvaluation) {
  std::vector<int32_t> a = Ids("Once upon a time there was a little girl named Lily. She");
  std::vector<int32_t> b(a.begin(), a.begin() + 8);
  for (int32_t id : Ids("The dog ran to the park and played")) b.push_back(id);
  auto session = NewSession();
  PromptCache cache(*session);
  ASSERT_TRUE(cache.Sync(a).ok());
  EXPECT_EQ(cache.last_reused(), 0);
  auto inc = cache.Sync(b);
  ASSERT_TRUE(inc.ok());
  std::vector<float> got(inc->begin(), inc->end());
  EXPECT_EQ(cache.last_reused(), 8);
  EXPECT_EQ(cache.last_evaluated(), static_cast<int64_t>(b.size()) - 8);
  EXPECT_EQ(cache.tokens(), b);

  auto fresh = NewSession();
  auto want = fresh->Decode(b, false);
  ASSERT_TRUE(want.ok());
  EXPECT_LT(MaxDiff(got, *want), 1e-3f);

  // Nothing new: only the last token is evaluated again, same logits.
  auto again = cache.Sync(b);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(cache.last_evaluated(), 1);
  EXPECT_LT(MaxDiff(*again, got), 1e-4f);
  EXPECT_EQ(CommonPrefix(a, b), 8u);
}

TEST_F(ChatRuntimeTest, OverflowIsRefusedAndTheCacheKept) {
  auto session = NewSession(16);
  PromptCache cache(*session);
  std::vector<int32_t> small = Ids("Once upon a time");
  ASSERT_TRUE(cache.Sync(small).ok());
  std::vector<int32_t> big;
  while (big.size() < 20) big.insert(big.end(), small.begin(), small.end());
  auto r = cache.Sync(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(r.status().message().find("more than the context of 16 tokens"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(cache.tokens(), small);
  EXPECT_EQ(session->n_past(), static_cast<int64_t>(small.size()));
}

ChatFormat Format(const std::string& tmpl) {
  auto f = ChatFormat::Create(tmpl, "<s>", "</s>");
  EXPECT_TRUE(f.ok()) << f.status().message();
  return std::move(*f);
}

constexpr char kTemplate[] =
    "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}";

TEST_F(ChatRuntimeTest, TurnsReuseThePrefixAndStopAtLength) {
  auto session = NewSession();
  ChatOptions o;
  o.sampling.temperature = 0;
  o.n_predict = 6;
  o.system = "Tell a story.";
  auto chat = Chat::Create(*session, Format(kTemplate), o);
  ASSERT_TRUE(chat.ok());
  std::string streamed;
  auto r1 = (*chat)->Send("Once upon a time", [&](std::string_view s) { streamed += s; });
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  EXPECT_EQ(r1->reason, StopReason::kLength);
  EXPECT_EQ(r1->n_tokens, 6);
  EXPECT_EQ(streamed, r1->text);
  EXPECT_FALSE(r1->text.empty());
  ASSERT_EQ((*chat)->messages().size(), 3u);
  EXPECT_EQ((*chat)->messages()[2]["content"], r1->text);
  auto r2 = (*chat)->Send("Then", nullptr);
  ASSERT_TRUE(r2.ok());
  EXPECT_GT(r2->prompt_reused, 10);
  EXPECT_LT(r2->prompt_evaluated, r2->prompt_reused);
  (*chat)->Reset();
  ASSERT_EQ((*chat)->messages().size(), 1u);
  EXPECT_EQ((*chat)->messages()[0]["role"], "system");
}

TEST_F(ChatRuntimeTest, StopsAtEndOfTurnTextAndOnCancel) {
  auto session = NewSession();
  ChatOptions o;
  o.sampling.temperature = 0;
  o.n_predict = 200;
  // The template ends an assistant turn with "." - the model writes one soon.
  auto chat = Chat::Create(
      *session,
      Format("{% for m in messages %}{{ m.content }}{% if m.role == 'assistant' %}.{% endif %}"
             "\n{% endfor %}"),
      o);
  ASSERT_TRUE(chat.ok());
  auto r = (*chat)->Send("Once upon a time", nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->reason, StopReason::kEndOfTurnText);
  EXPECT_EQ(r->text.find('.'), std::string::npos) << r->text;

  std::atomic<bool> cancel{true};
  auto c = (*chat)->Send("Again", nullptr, &cancel);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->reason, StopReason::kCancelled);
  EXPECT_EQ(c->n_tokens, 0);
  EXPECT_EQ((*chat)->messages().size(), 4u);
}

TEST_F(ChatRuntimeTest, SaveLoadAndErrors) {
  auto session = NewSession(24);
  ChatOptions o;
  o.sampling.temperature = 0;
  o.n_predict = 3;
  auto chat = Chat::Create(*session, Format(kTemplate), o);
  ASSERT_TRUE(chat.ok());
  ASSERT_TRUE((*chat)->Send("Hi", nullptr).ok());
  TempDir dir;
  ASSERT_TRUE((*chat)->Save(dir.File("c.json")).ok());
  nlohmann::json saved = (*chat)->messages();
  (*chat)->Reset();
  ASSERT_TRUE((*chat)->Load(dir.File("c.json")).ok());
  EXPECT_EQ((*chat)->messages(), saved);

  std::ofstream(dir.File("bad.json")) << R"([{"role": "user", "content": "x"}, {"role": 3}])";
  Status s = (*chat)->Load(dir.File("bad.json"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("message 1"), std::string::npos) << s.message();
  EXPECT_EQ((*chat)->messages(), saved);

  // A message that cannot fit the 24-token context is refused and taken back.
  auto over = (*chat)->Send(std::string(200, 'a'), nullptr);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ((*chat)->messages(), saved);

  ChatOptions bad;
  bad.sampling.top_p = 2;
  EXPECT_FALSE(Chat::Create(*session, Format(kTemplate), bad).ok());
}

}  // namespace
}  // namespace miaotui::runtime
