// The SentencePiece BPE algorithm on small hand-made vocabularies and on llama-spm: merge order,
// byte fallback, special tokens, invalid UTF-8, round trips, MakeTokenizer checks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"
#include "tokenizer/synth_vocab.h"
#include "tokenizer/tokenizer.h"
#include "base/utf8.h"
#include "tokenizer_test_util.h"

namespace miaotui::tokenizer {
namespace {

using Ids = std::vector<int32_t>;

// <unk> <s> </s>, optionally the 256 byte tokens, then `pieces` (NORMAL) with `scores`.
Vocab SmallVocab(const std::vector<std::string>& pieces, const std::vector<float>& scores,
                 bool bytes) {
  Vocab v;
  v.model = "llama";
  v.tokens = {"<unk>", "<s>", "</s>"};
  v.types = {TokenType::kUnknown, TokenType::kControl, TokenType::kControl};
  v.scores = {0, 0, 0};
  v.unk_id = 0;
  v.bos_id = 1;
  v.eos_id = 2;
  if (bytes) AppendByteTokens(&v);
  for (size_t i = 0; i < pieces.size(); ++i) {
    v.tokens.push_back(pieces[i]);
    v.types.push_back(TokenType::kNormal);
    v.scores.push_back(scores[i]);
  }
  return v;
}

std::unique_ptr<Tokenizer> Make(Vocab v) {
  auto tok = MakeTokenizer(std::move(v));
  EXPECT_TRUE(tok.ok()) << tok.status().message();
  return tok.ok() ? std::move(tok).value() : nullptr;
}

TEST(SpmTokenizerTest, HighestScoreMergesFirst) {
  // ids: 3 a, 4 b, 5 c, 6 ab, 7 bc
  Vocab v = SmallVocab({"a", "b", "c", "ab", "bc"}, {-10, -10, -10, -2, -1}, false);
  v.add_space_prefix = false;
  auto tok = Make(v);
  EXPECT_EQ(tok->Encode("abc", false), (Ids{3, 7}));  // bc scores higher
  v.scores[7] = -2;                                    // a tie: the leftmost pair wins
  EXPECT_EQ(Make(v)->Encode("abc", false), (Ids{6, 5}));
  v.scores[7] = -3;
  EXPECT_EQ(Make(v)->Encode("abc", false), (Ids{6, 5}));
}

TEST(SpmTokenizerTest, MergesChainAndDummyPrefix) {
  // ids: 3 ▁, 4 h, 5 i, 6 ▁h, 7 ▁hi
  auto tok = Make(SmallVocab({"\xE2\x96\x81", "h", "i", "\xE2\x96\x81h", "\xE2\x96\x81hi"},
                             {-5, -5, -5, -2, -1}, false));
  EXPECT_EQ(tok->Encode("hi", false), (Ids{7}));
  EXPECT_EQ(tok->Encode("hi hi", true), (Ids{1, 7, 7}));
  EXPECT_EQ(tok->Encode("", true), (Ids{1}));
  EXPECT_EQ(tok->Encode("", false), (Ids{}));
  EXPECT_EQ(tok->Decode({1, 7, 7}), "<s> hi hi");
  EXPECT_EQ(tok->Decode({1, 7, 7, 2}, /*skip_special=*/true), " hi hi");
}

TEST(SpmTokenizerTest, ByteFallbackAndStreamingPieces) {
  auto tok = Make(SmallVocab({"\xE2\x96\x81", "a"}, {-1, -1}, true));
  // "é" = C3 A9 is not a piece: its bytes are <0xC3> (3 + 0xC3) and <0xA9>.
  const Ids ids = tok->Encode("a\xC3\xA9", false);
  EXPECT_EQ(ids, (Ids{259, 260, 3 + 0xC3, 3 + 0xA9}));
  // Each byte token is one raw byte, possibly half a character; together they are UTF-8 again.
  EXPECT_EQ(tok->TokenToPiece(3 + 0xC3), "\xC3");
  EXPECT_EQ(tok->TokenToPiece(3 + 0xA9), "\xA9");
  EXPECT_EQ(tok->Decode(ids), " a\xC3\xA9");
  EXPECT_EQ(tok->TokenToPiece(3 + '\n'), "\n");
  // Without byte tokens, unknown characters become <unk>, one per byte as in llama.cpp.
  auto no_bytes = Make(SmallVocab({"\xE2\x96\x81", "a"}, {-1, -1}, false));
  EXPECT_EQ(no_bytes->Encode("a\xC3\xA9", false), (Ids{3, 4, 0, 0}));
}

TEST(SpmTokenizerTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(SanitizeUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SanitizeUtf8("\xE2\x96"), "\xEF\xBF\xBD");           // truncated: one U+FFFD
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80x"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx");  // above U+10FFFF
  EXPECT_EQ(SanitizeUtf8("ok \xF0\x9F\xA6\x99"), "ok \xF0\x9F\xA6\x99");
  auto tok = Make(SmallVocab({"\xE2\x96\x81", "a", "b"}, {-1, -1, -1}, true));
  EXPECT_EQ(tok->Encode("a\xFF" "b", false), tok->Encode("a\xEF\xBF\xBD" "b", false));
  EXPECT_EQ(tok->Decode(tok->Encode("a\xFF" "b", false)), " a\xEF\xBF\xBD" "b");
  EXPECT_TRUE(IsValidUtf8(tok->Decode(tok->Encode("\x80\x80\xC3", false))));
}

TEST(SpmTokenizerTest, SpecialTokensParsedOnlyWhenAsked) {
  Vocab v = SmallVocab({"\xE2\x96\x81", "<", ">", "s", "/", "x", "<|u|>"}, {-1, -1, -1, -1, -1,
                       -1, -1}, true);
  v.types.back() = TokenType::kUserDefined;  // id 265: always matched
  auto tok = Make(v);
  // Off: "<s>" is text. On: it is BOS, and the text after a special token gets the prefix.
  EXPECT_EQ(tok->Encode("<s>x", false), (Ids{259, 260, 262, 261, 264}));
  EXPECT_EQ(tok->Encode("<s>x", false, true), (Ids{1, 259, 264}));
  EXPECT_EQ(tok->Encode("x</s>", false, true), (Ids{259, 264, 2}));
  EXPECT_EQ(tok->Encode("x<|u|>x", false, false), (Ids{259, 264, 265, 259, 264}));
  EXPECT_EQ(tok->Encode("<s>", true, true), (Ids{1, 1}));
  EXPECT_EQ(tok->TokenToPiece(265), "<|u|>");
  EXPECT_EQ(tok->TokenToPiece(2), "</s>");
  EXPECT_EQ(tok->TokenToPiece(-1), "");
  EXPECT_EQ(tok->TokenToPiece(100000), "");
  EXPECT_TRUE(tok->IsControl(1));
  EXPECT_FALSE(tok->IsControl(265));
  EXPECT_FALSE(tok->IsControl(-3));
}

TEST(SpmTokenizerTest, MakeTokenizerChecks) {
  Vocab ok = SmallVocab({"a"}, {0}, false);
  Vocab v = ok;
  v.model = "rwkv";
  EXPECT_EQ(MakeTokenizer(v).status().code(), StatusCode::kUnimplemented);
  v = ok;
  v.scores.pop_back();
  EXPECT_EQ(MakeTokenizer(v).status().code(), StatusCode::kInvalidArgument);
  v = ok;
  v.bos_id = 99;
  EXPECT_EQ(MakeTokenizer(v).status().code(), StatusCode::kInvalidArgument);
  v = ok;
  v.tokens.clear();
  v.scores.clear();
  v.types.clear();
  EXPECT_EQ(MakeTokenizer(v).status().code(), StatusCode::kInvalidArgument);
  v = ok;
  v.types[3] = TokenType::kByte;  // "a" is not <0xXX>
  EXPECT_EQ(MakeTokenizer(v).status().code(), StatusCode::kInvalidArgument);
  v = ok;
  v.merges = {"a b"};
  EXPECT_EQ(MakeTokenizer(v).status().code(), StatusCode::kInvalidArgument);
  v = ok;
  v.scores.clear();  // absent scores and types take defaults
  v.types.clear();
  EXPECT_TRUE(MakeTokenizer(v).ok());
}

TEST(SpmTokenizerTest, LlamaSpmSpecialsAndRoundTrips) {
  MT_REQUIRE_SHARED("fixtures/tokenizer/ggml-vocab-llama-spm.gguf");
  auto tok = LoadSharedGguf("fixtures/tokenizer/ggml-vocab-llama-spm.gguf");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->Encode("<s>Hello</s>", false, true), (Ids{1, 15043, 2}));
  EXPECT_NE(tok->Encode("<s>Hello</s>", false, false), (Ids{1, 15043, 2}));
  EXPECT_EQ(tok->Decode(tok->Encode("<s>Hello</s>", false, false)), " <s>Hello</s>");
  EXPECT_EQ(tok->Encode("Hello world", true), (Ids{1, 15043, 3186}));
  EXPECT_EQ(tok->TokenToPiece(15043), " Hello");
  EXPECT_EQ(tok->TokenToPiece(29871), " ");
  EXPECT_EQ(tok->TokenToPiece(13), "\n");  // <0x0A>
  EXPECT_TRUE(tok->IsEndOfGeneration(2));
  EXPECT_FALSE(tok->IsEndOfGeneration(1));
  for (const std::string x : {"Hello world", "  two  spaces ", "tab\there\nnewline\n",
                              "Ünïcödé 日本語 🦙 ∑", "a\x01" "b", "1234567890", "'s 're 've"}) {
    EXPECT_EQ(tok->Decode(tok->Encode(x, false)), " " + x) << x;
    EXPECT_EQ(tok->Decode(tok->Encode(x, true), /*skip_special=*/true), " " + x) << x;
  }
}

// A megabyte of text in one fragment: the merge loop must be O(n log n) to finish in time.
TEST(SpmTokenizerTest, OneMegabyteRoundTrips) {
  MT_REQUIRE_SHARED("data/tinyshakespeare.txt");
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  auto tok = LoadSharedGguf("models/stories260K.gguf");
  ASSERT_NE(tok, nullptr);
  std::string text = ReadFileToString(::miaotui::testing::SharedPath("data/tinyshakespeare.txt"));
  text.resize(std::min<size_t>(text.size(), 1 << 20));
  const Ids ids = tok->Encode(text, false);
  EXPECT_GT(ids.size(), text.size() / 4);
  EXPECT_LT(ids.size(), text.size());
  EXPECT_EQ(tok->Decode(ids), " " + text);
}

}  // namespace
}  // namespace miaotui::tokenizer
