// The Llama-family variants (Qwen2, Mistral, Llama 3, Phi-3, SmolLM) against fixtures from an
// independent float64 PyTorch forward pass (scripts/torch_reference.py): tiny random models saved
// in Hugging Face form under tests/models/fixtures/<variant>. Each is loaded from its folder and
// from a GGUF made of it with llama.cpp's names (variants_gguf.h); logits at every prompt
// position must agree within 1e-4 and the 16 greedy tokens exactly (the fixtures hold no
// near-ties). Also: unsupported configs give one-line errors that name the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "golden_util.h"
#include "runtime/generator.h"
#include "variants_gguf.h"

namespace miaotui {
namespace {

using testing::MaxAbsDiff;
using testing::PromptLogits;
using testing::ReadRawArray;
using testing::TempDir;

constexpr float kLogitTol = 1e-4f;

std::string FixtureDir(const std::string& variant) {
  return std::string(MIAOTUI_MODEL_FIXTURES) + "/" + variant;
}

struct VariantCase {
  std::string variant;
  std::string arch;  // expected info().arch
  bool gguf;         // load the converted GGUF instead of the folder
};

class VariantTest : public ::testing::TestWithParam<VariantCase> {};

TEST_P(VariantTest, LogitsAndGreedyMatchReference) {
  const VariantCase& c = GetParam();
  const std::string dir = FixtureDir(c.variant);
  TempDir tmp;
  std::string path = dir;
  if (c.gguf) {
    path = tmp.File(c.variant + ".gguf");
    Status s = testing::ConvertHfFixtureToGguf(dir, path);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  auto loaded = models::LoadModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const models::Model& model = **loaded;
  EXPECT_EQ(model.info().arch, c.arch);

  std::ifstream in(dir + "/reference.json");
  nlohmann::json ref = nlohmann::json::parse(in);
  const std::vector<int32_t> prompt = ref["prompt"].get<std::vector<int32_t>>();
  const std::vector<int32_t> want_greedy = ref["greedy"].get<std::vector<int32_t>>();
  const std::vector<float> want = ReadRawArray<float>(dir + "/logits.f32");
  ASSERT_EQ(want.size(), prompt.size() * static_cast<size_t>(model.info().n_vocab));

  std::vector<float> got = PromptLogits(model, prompt, 1);
  EXPECT_LT(MaxAbsDiff(got, want), kLogitTol) << "whole prompt, 1 thread";
  EXPECT_LT(MaxAbsDiff(PromptLogits(model, prompt, 2, true), want), kLogitTol)
      << "token by token, 2 threads";

  runtime::SessionOptions so;
  so.n_threads = 2;
  so.kv_type = DType::kF32;
  so.n_ctx = 64;
  auto session = runtime::Session::Create(model, so);
  ASSERT_TRUE(session.ok()) << session.status().message();
  runtime::GenerateOptions go;
  go.n_predict = static_cast<int32_t>(want_greedy.size());
  go.ignore_eos = true;
  go.sampling.temperature = 0;
  auto r = runtime::Generate(**session, prompt, go, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->tokens, want_greedy);
}

std::vector<VariantCase> AllCases() {
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"qwen2", "qwen2"}, {"mistral", "llama"}, {"llama3", "llama"},
      {"phi3", "phi3"},   {"smollm", "llama"}};
  std::vector<VariantCase> cases;
  for (const auto& [v, arch] : variants) {
    cases.push_back({v, arch, false});
    cases.push_back({v, arch, true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VariantTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& info) {
                           return info.param.variant + (info.param.gguf ? "_gguf" : "_hf");
                         });

// A copy of a fixture folder (in `tmp`) with its config.json edited; returns the folder.
std::string EditedFixture(const TempDir& tmp, const std::string& variant,
                          const std::function<void(nlohmann::json&)>& edit) {
  const std::string copy = tmp.File(variant);
  std::filesystem::copy(FixtureDir(variant), copy);
  std::ifstream in(copy + "/config.json");
  nlohmann::json cfg = nlohmann::json::parse(in);
  in.close();
  edit(cfg);
  std::ofstream(copy + "/config.json") << cfg.dump(2);
  return copy;
}

// The variant-specific features are really used: without them the reference is missed.
TEST(VariantFeaturesTest, WindowAndScalingMatter) {
  for (const std::string v : {"mistral", "llama3"}) {
    TempDir tmp;
    auto m = models::LoadModel(EditedFixture(tmp, v, [&](nlohmann::json& cfg) {
      cfg.erase(v == "mistral" ? "sliding_window" : "rope_scaling");
    }));
    ASSERT_TRUE(m.ok()) << m.status().message();
    std::ifstream rin(FixtureDir(v) + "/reference.json");
    nlohmann::json ref = nlohmann::json::parse(rin);
    const std::vector<float> want = ReadRawArray<float>(FixtureDir(v) + "/logits.f32");
    EXPECT_GT(MaxAbsDiff(PromptLogits(**m, ref["prompt"].get<std::vector<int32_t>>(), 1), want),
              1e-2f)
        << v;
  }
}

// The one-line load error of a fixture whose config.json is edited.
std::string ConfigError(const std::string& variant,
                        const std::function<void(nlohmann::json&)>& edit) {
  TempDir tmp;
  auto m = models::LoadModel(EditedFixture(tmp, variant, edit));
  EXPECT_FALSE(m.ok());
  if (m.ok()) return "";
  EXPECT_EQ(m.status().message().find('\n'), std::string::npos) << m.status().message();
  return m.status().message();
}

TEST(VariantErrorsTest, UnsupportedArchitectureListsSupportedOnes) {
  std::string msg = ConfigError("qwen2", [](nlohmann::json& c) {
    c["architectures"] = {"MambaForCausalLM"};
  });
  EXPECT_NE(msg.find("config.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("MambaForCausalLM"), std::string::npos) << msg;
  for (const char* a : {"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
                        "Phi3ForCausalLM", "GPT2LMHeadModel", "BertModel"}) {
    EXPECT_NE(msg.find(a), std::string::npos) << a << " not listed: " << msg;
  }
}

TEST(VariantErrorsTest, UnsupportedRopeScalingIsNamed) {
  std::string msg = ConfigError("llama3", [](nlohmann::json& c) {
    c["rope_scaling"]["rope_type"] = "yarn";
  });
  EXPECT_NE(msg.find("rope_scaling"), std::string::npos) << msg;
  EXPECT_NE(msg.find("yarn"), std::string::npos) << msg;
  msg = ConfigError("llama3", [](nlohmann::json& c) { c["rope_scaling"].erase("factor"); });
  EXPECT_NE(msg.find("factor"), std::string::npos) << msg;
}

TEST(VariantErrorsTest, BadWindowAndRotaryAreNamed) {
  std::string msg = ConfigError("mistral", [](nlohmann::json& c) { c["sliding_window"] = -3; });
  EXPECT_NE(msg.find("sliding_window"), std::string::npos) << msg;
  msg = ConfigError("qwen2", [](nlohmann::json& c) { c["use_sliding_window"] = true; });
  EXPECT_NE(msg.find("use_sliding_window"), std::string::npos) << msg;
  msg = ConfigError("phi3", [](nlohmann::json& c) { c["partial_rotary_factor"] = 1.5; });
  EXPECT_NE(msg.find("partial_rotary_factor"), std::string::npos) << msg;
}

TEST(VariantErrorsTest, FusedTensorOfWrongShapeIsNamed) {
  // Phi-3 with a larger intermediate size: the fused gate_up matrix no longer fits.
  std::string msg = ConfigError("phi3", [](nlohmann::json& c) { c["intermediate_size"] = 80; });
  EXPECT_NE(msg.find("gate_up_proj"), std::string::npos) << msg;
  EXPECT_NE(msg.find("160"), std::string::npos) << msg;
}

}  // namespace
}  // namespace miaotui
