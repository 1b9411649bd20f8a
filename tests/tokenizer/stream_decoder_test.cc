// StreamDecoder: characters split across tokens are held back until complete.
#include "tokenizer/stream_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"
#include "base/utf8.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

TEST(StreamDecoderTest, IncompleteSuffix) {
  EXPECT_EQ(IncompleteUtf8Suffix(""), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("abc"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xE2"), 1u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xE2\x82"), 2u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xE2\x82\xAC"), 0u);  // complete euro sign
  EXPECT_EQ(IncompleteUtf8Suffix("\xF0\x9F\xA6"), 3u);
  EXPECT_EQ(IncompleteUtf8Suffix("\xF0\x80"), 0u);  // can never be valid: not held
  EXPECT_EQ(IncompleteUtf8Suffix("\xC0"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("\x80\x80"), 0u);
}

// Feeds `ids` one by one; checks that every chunk is valid UTF-8 and the whole equals the
// sanitized decoded text.
void CheckStream(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  StreamDecoder dec(tok);
  std::string all;
  for (int32_t id : ids) {
    const std::string chunk = dec.Push(id);
    EXPECT_TRUE(IsValidUtf8(chunk));
    EXPECT_EQ(chunk.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD mid-stream";
    all += chunk;
  }
  all += dec.Flush();
  EXPECT_EQ(all, SanitizeUtf8(tok.Decode(ids)));
}

TEST(StreamDecoderTest, ByteLevelBpeEmojiAndCjk) {
  const std::string rel = "fixtures/tokenizer/ggml-vocab-gpt-2.gguf";
  MT_REQUIRE_SHARED(rel);
  std::unique_ptr<Tokenizer> tok = LoadSharedGguf(rel);
  ASSERT_NE(tok, nullptr);
  const std::string text = "emoji 🦙👨‍👩‍👧 日本語 Ærø ok";
  const std::vector<int32_t> ids = tok->Encode(text, false);
  // Some token must end inside a character, or the test proves nothing.
  bool split = false;
  for (int32_t id : ids) split |= !IsValidUtf8(tok->TokenToPiece(id));
  EXPECT_TRUE(split);
  CheckStream(*tok, ids);
  StreamDecoder dec(*tok);
  std::string out;
  for (int32_t id : ids) out += dec.Push(id);
  EXPECT_EQ(dec.pending_bytes(), 0u);
  EXPECT_EQ(out, text);
}

TEST(StreamDecoderTest, SentencePieceByteFallback) {
  const std::string rel = "fixtures/tokenizer/ggml-vocab-llama-spm.gguf";
  MT_REQUIRE_SHARED(rel);
  std::unique_ptr<Tokenizer> tok = LoadSharedGguf(rel);
  ASSERT_NE(tok, nullptr);
  CheckStream(*tok, tok->Encode("byte fallback 🦙 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", true));
}

TEST(StreamDecoderTest, BrokenBytesBecomeReplacementAtFlush) {
  const std::string rel = "fixtures/tokenizer/ggml-vocab-gpt-2.gguf";
  MT_REQUIRE_SHARED(rel);
  std::unique_ptr<Tokenizer> tok = LoadSharedGguf(rel);
  ASSERT_NE(tok, nullptr);
  // The first byte of a 4-byte character, then plain text: replaced as soon as it is certain.
  const std::vector<int32_t> lead = tok->Encode("\xF0\x9F\xA6\x99", false);
  ASSERT_GE(lead.size(), 2u);
  StreamDecoder dec(*tok);
  EXPECT_EQ(dec.Push(lead[0]), "");
  EXPECT_GT(dec.pending_bytes(), 0u);
  EXPECT_EQ(dec.Push(tok->Encode("x", false)[0]), "\xEF\xBF\xBDx");
  EXPECT_EQ(dec.Push(lead[0]), "");
  EXPECT_EQ(dec.Flush(), "\xEF\xBF\xBD");
  EXPECT_EQ(dec.Push(-5), "");  // an invalid id is no text, never a crash
}

}  // namespace
}  // namespace miaotui::tokenizer
