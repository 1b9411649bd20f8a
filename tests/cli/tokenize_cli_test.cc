// `miaotui tokenize` on vocab-only GGUF files of every tokenizer kind: byte-level BPE (GPT-2) and
// WordPiece (BERT bge) give the ids of llama.cpp's test vectors (../shared/fixtures/tokenizer
// *.inp / *.out) through the binary; --parse-special turns special-token text into its id.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_run.h"

namespace miaotui {
namespace {

using testing::RunMiaotui;
using testing::SharedPath;
using testing::ShellQuote;

std::vector<int32_t> Ids(const std::string& vocab, const std::string& flags,
                         const std::string& text) {
  auto r = RunMiaotui("tokenize -m " + SharedPath("fixtures/tokenizer/" + vocab) + " --json " +
                      flags + " " + ShellQuote(text));
  EXPECT_EQ(r.status, 0) << r.err;
  if (r.status != 0) return {};
  return nlohmann::json::parse(r.out)["ids"].get<std::vector<int32_t>>();
}

// Every non-empty vector of llama.cpp's <vocab>.inp / .out through the binary (no BOS).
void ExpectVectors(const std::string& vocab) {
  std::string inp = testing::ReadWholeFile(SharedPath("fixtures/tokenizer/" + vocab + ".inp"));
  std::string out = testing::ReadWholeFile(SharedPath("fixtures/tokenizer/" + vocab + ".out"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (size_t at = 0;;) {
    size_t next = inp.find(sep, at);
    texts.push_back(inp.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) break;
    at = next + sep.size();
  }
  std::istringstream lines(out);
  int checked = 0;
  for (const std::string& text : texts) {
    std::string line;
    std::getline(lines, line);
    if (text.empty()) continue;
    std::vector<int32_t> want;
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) want.push_back(id);
    EXPECT_EQ(Ids(vocab, "--no-bos", text), want) << vocab << ": " << text;
    ++checked;
  }
  EXPECT_GT(checked, 40) << vocab;
}

TEST(TokenizeCliTest, Gpt2ByteLevelVectors) {
  MT_REQUIRE_SHARED("fixtures/tokenizer/ggml-vocab-gpt-2.gguf");
  EXPECT_EQ(Ids("ggml-vocab-gpt-2.gguf", "", "Hello world"), (std::vector<int32_t>{15496, 995}));
  ExpectVectors("ggml-vocab-gpt-2.gguf");
}

TEST(TokenizeCliTest, BertWordPieceVectors) {
  MT_REQUIRE_SHARED("fixtures/tokenizer/ggml-vocab-bert-bge.gguf");
  // [CLS] hello world [SEP] with special tokens, the bare words without.
  EXPECT_EQ(Ids("ggml-vocab-bert-bge.gguf", "", "Hello world"),
            (std::vector<int32_t>{101, 7592, 2088, 102}));
  ExpectVectors("ggml-vocab-bert-bge.gguf");
}

TEST(TokenizeCliTest, ParseSpecial) {
  MT_REQUIRE_SHARED("fixtures/tokenizer/ggml-vocab-gpt-2.gguf");
  EXPECT_EQ(Ids("ggml-vocab-gpt-2.gguf", "--parse-special", "a<|endoftext|>b"),
            (std::vector<int32_t>{64, 50256, 65}));
  std::vector<int32_t> plain = Ids("ggml-vocab-gpt-2.gguf", "", "a<|endoftext|>b");
  EXPECT_GT(plain.size(), 3u);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 50256), 0);
  MT_REQUIRE_SHARED("fixtures/tokenizer/ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(Ids("ggml-vocab-llama-spm.gguf", "--no-bos --parse-special", "<s>Hi</s>").front(), 1);
  EXPECT_EQ(Ids("ggml-vocab-llama-spm.gguf", "--no-bos --parse-special", "<s>Hi</s>").back(), 2);
}

}  // namespace
}  // namespace miaotui
