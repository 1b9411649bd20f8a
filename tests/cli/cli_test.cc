// End-to-end tests of the `miaotui` binary: exact greedy text, logits written for other engines,
// tokenize/info/synth, and the error contract (one line on stderr, exit status 1).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <nlohmann/json.hpp>

#include "../models/golden_util.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::CliPath;
using testing::ReadRawArray;
using testing::SharedPath;
using testing::TempDir;

struct CmdResult {
  int status = -1;
  std::string out, err;
};

CmdResult Cli(const std::string& args) {
  TempDir dir;
  std::string cmd = CliPath() + " " + args + " >" + dir.File("out") + " 2>" + dir.File("err");
  int rc = std::system(cmd.c_str());
  CmdResult r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  r.out = read(dir.File("out"));
  r.err = read(dir.File("err"));
  return r;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

void ExpectOneLineError(const CmdResult& r, const std::string& must_mention) {
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.err.find("miaotui: error: "), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(must_mention), std::string::npos) << r.err;
}

TEST(CliTest, EveryCommandHasHelp) {
  for (const char* c : {"run", "tokenize", "info", "synth", "bench", "graph", "embed", "classify"}) {
    CmdResult r = Cli(std::string(c) + " --help");
    EXPECT_EQ(r.status, 0) << c;
    EXPECT_NE(r.out.find("usage: miaotui"), std::string::npos) << c;
  }
  EXPECT_EQ(Cli("--help").status, 0);
  ExpectOneLineError(Cli("frobnicate"), "frobnicate");
}

TEST(CliTest, RunGreedyMatchesGoldenAndWritesLogits) {
  MT_REQUIRE_SHARED("golden/stories260K/manifest.json");
  nlohmann::json manifest = testing::ReadManifest("stories260K");
  const auto& p = manifest["prompts"][0];
  TempDir dir;
  CmdResult r = Cli("run -m " + SharedPath("models/stories260K.gguf") + " -p " +
                    Quote(p["text"]) + " --temp 0 -n 48 --ignore-eos --kv-type f32 -t 2 --json "
                    "--logits-out " + dir.File("logits.f32"));
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["prompt_tokens"].get<std::vector<int32_t>>(), p["tokens"].get<std::vector<int32_t>>());
  EXPECT_EQ(j["tokens"].get<std::vector<int32_t>>(), p["greedy_ids"].get<std::vector<int32_t>>());
  EXPECT_EQ(j["text"].get<std::string>(), p["greedy_text"].get<std::string>());
  std::vector<float> got = ReadRawArray<float>(dir.File("logits.f32"));
  std::vector<float> want =
      ReadRawArray<float>(SharedPath("golden/stories260K/" + p["id"].get<std::string>() + ".logits.f32"));
  EXPECT_LT(testing::MaxAbsDiff(got, want), 1e-4f);
}

TEST(CliTest, RunStreamsTextAndTimings) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  CmdResult r = Cli("run -m " + SharedPath("models/stories260K.gguf") +
                    " -p 'Once upon a time' -n 20 --seed 3 --echo");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Once upon a time", 0), 0u) << r.out;
  EXPECT_GT(r.out.size(), 30u);
  EXPECT_NE(r.err.find("tok/s"), std::string::npos) << r.err;
  // Same seed, same text.
  CmdResult again = Cli("run -m " + SharedPath("models/stories260K.gguf") +
                        " -p 'Once upon a time' -n 20 --seed 3 --echo");
  EXPECT_EQ(r.out, again.out);
}

TEST(CliTest, TokenizeVocabOnlyGguf) {
  MT_REQUIRE_SHARED("fixtures/tokenizer/ggml-vocab-llama-spm.gguf");
  CmdResult r = Cli("tokenize -m " + SharedPath("fixtures/tokenizer/ggml-vocab-llama-spm.gguf") +
                    " --json 'Hello world'");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ids"].get<std::vector<int32_t>>(), (std::vector<int32_t>{1, 15043, 3186}));
  EXPECT_EQ(j["pieces"][1].get<std::string>(), " Hello");
  CmdResult nobos = Cli("tokenize -m " + SharedPath("fixtures/tokenizer/ggml-vocab-llama-spm.gguf") +
                        " --no-bos 'Hello world'");
  EXPECT_EQ(nobos.status, 0);
  EXPECT_EQ(nobos.out.find("     1 ->"), std::string::npos) << nobos.out;
}

TEST(CliTest, InfoDescribesModel) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  CmdResult r = Cli("info " + SharedPath("models/stories260K.gguf"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("architecture:  llama"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("n_layer      5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("512 tokens"), std::string::npos) << r.out;
  CmdResult hf = Cli("info " + SharedPath("models/stories260K-hf"));
  EXPECT_EQ(hf.status, 0) << hf.err;
  EXPECT_NE(hf.out.find("n_head_kv    4"), std::string::npos) << hf.out;
}

TEST(CliTest, SynthModelLoadsAndRuns) {
  TempDir dir;
  for (const char* type : {"f32", "f16", "bf16"}) {
    std::string out = dir.File(std::string("tiny-") + type + ".gguf");
    CmdResult s = Cli(std::string("synth --arch llama --shape tiny --type ") + type + " -o " + out);
    ASSERT_EQ(s.status, 0) << s.err;
    CmdResult r = Cli("run -m " + out + " -p 'Hello there' -n 8 --temp 0 --ignore-eos --json");
    ASSERT_EQ(r.status, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["tokens"].size(), 8u) << type;
  }
  // Deterministic for a seed; refuses to overwrite.
  CmdResult again = Cli("synth --shape tiny --type f32 -o " + dir.File("tiny-f32.gguf"));
  ExpectOneLineError(again, "already exists");
}

TEST(CliTest, EmbedPrintsOneVectorPerLine) {
  MT_REQUIRE_SHARED("models/bert-test-hf");
  TempDir dir;
  {
    std::ofstream in(dir.File("in.txt"));
    in << "The quick brown fox jumps over the lazy dog.\nhello\n";
  }
  CmdResult r = Cli("embed -m " + SharedPath("models/bert-test-hf") + " --json --normalize " +
                    dir.File("in.txt"));
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    nlohmann::json j = nlohmann::json::parse(line);
    EXPECT_EQ(j["index"].get<int>(), n);
    EXPECT_EQ(j["embedding"].size(), 128u);
    double norm = 0;
    for (double x : j["embedding"]) norm += x * x;
    EXPECT_NEAR(norm, 1.0, 1e-5);
    ++n;
  }
  EXPECT_EQ(n, 2);
  CmdResult tsv = Cli("embed -m " + SharedPath("models/bert-test-f16.gguf") + " " +
                      dir.File("in.txt"));
  ASSERT_EQ(tsv.status, 0) << tsv.err;
  EXPECT_EQ(std::count(tsv.out.begin(), tsv.out.end(), '\t'), 2 * 127);
  ExpectOneLineError(Cli("classify -m " + SharedPath("models/bert-test-f16.gguf") + " 'hello'"),
                     "classification head");
  ExpectOneLineError(Cli("embed -m " + SharedPath("models/stories260K.gguf") + " " +
                         dir.File("in.txt")),
                     "encoder");
}

TEST(CliTest, ErrorsAreOneLineWithExitStatusOne) {
  TempDir dir;
  ExpectOneLineError(Cli("run -m " + dir.File("missing.gguf") + " -p hi"), "missing.gguf");
  ExpectOneLineError(Cli("run -m x.gguf --temp abc"), "--temp");
  ExpectOneLineError(Cli("run -m x.gguf --bogus"), "--bogus");
  ExpectOneLineError(Cli("synth --shape nonesuch -o " + dir.File("x.gguf")), "nonesuch");
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  ExpectOneLineError(Cli("run -m " + SharedPath("models/stories260K.gguf") + " -p hi --kv-type q8"),
                     "--kv-type");
  ExpectOneLineError(Cli("run -m " + SharedPath("models/stories260K.gguf") + " -p hi --top-p 2"),
                     "--top-p");
  // A prompt longer than the context is refused, not truncated silently.
  std::string long_prompt(3000, 'a');
  for (size_t i = 1; i < long_prompt.size(); i += 2) long_prompt[i] = ' ';
  ExpectOneLineError(Cli("run -m " + SharedPath("models/stories260K.gguf") + " -c 64 -p " +
                         Quote(long_prompt)),
                     "context");
}

// --dry-run prints the memory plan without allocating the KV cache; a plan that does not fit
// the available memory (MIAOTUI_MEM_AVAILABLE stands in for /proc/meminfo) is refused up front
// with the numbers (docs/ERRORS.md, resource limits).
TEST(CliTest, RunDryRunPrintsPlanAndRefusesWhatDoesNotFit) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  const std::string run = "run -m " + SharedPath("models/stories260K.gguf") + " -p hi --dry-run";
  CmdResult ok = Cli(run + " -c 256");
  ASSERT_EQ(ok.status, 0) << ok.err;
  for (const char* item : {"weights (mapped)", "KV cache", "activation arena", "total",
                           "MemAvailable"}) {
    EXPECT_NE(ok.out.find(item), std::string::npos) << item << "\n" << ok.out;
  }
  // 5 layers x K and V x 256 tokens x 32 values x 2 bytes (f16).
  EXPECT_NE(ok.out.find("KV cache           163840 bytes"), std::string::npos) << ok.out;
  ::setenv("MIAOTUI_MEM_AVAILABLE", "1000000", 1);
  CmdResult big = Cli(run + " -c 65536");
  CmdResult real = Cli("run -m " + SharedPath("models/stories260K.gguf") + " -p hi -c 65536");
  ::unsetenv("MIAOTUI_MEM_AVAILABLE");
  ExpectOneLineError(big, "available (MemAvailable)");
  EXPECT_NE(big.err.find("KV cache 41943040 bytes"), std::string::npos) << big.err;
  ExpectOneLineError(real, "use a smaller --ctx-size");
}

// serve --dry-run: the KV cache is planned for every parallel sequence's whole context.
TEST(CliTest, ServeDryRunPlansCtxTimesParallelAndRefusesWhatDoesNotFit) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  const std::string serve = "serve -m " + SharedPath("models/stories260K.gguf") + " --port 0";
  CmdResult ok = Cli(serve + " --dry-run -c 256 --parallel 8");
  ASSERT_EQ(ok.status, 0) << ok.err;
  // 8 sequences x 256 tokens x 5 layers x K and V x 32 values x 2 bytes (f16).
  EXPECT_NE(ok.out.find("KV cache           1310720 bytes"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("8 parallel sequences x 256 tokens"), std::string::npos) << ok.out;
  ::setenv("MIAOTUI_MEM_AVAILABLE", "1000000", 1);
  CmdResult big = Cli(serve + " -c 256 --parallel 64");  // refused before it listens
  ::unsetenv("MIAOTUI_MEM_AVAILABLE");
  ExpectOneLineError(big, "available (MemAvailable)");
  EXPECT_NE(big.err.find("KV cache 10485760 bytes"), std::string::npos) << big.err;
}

}  // namespace
}  // namespace miaotui
