// Reading ../shared/golden manifests and running a model the way the goldens were made
// (F32 KV cache, whole prompt in one batch, logits at every position).
#pragma once

#include <nlohmann/json.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "runtime/generator.h"
#include "runtime/session.h"
#include "test_util.h"

namespace miaotui::testing {

inline nlohmann::json ReadManifest(const std::string& golden_dir) {
  std::ifstream in(SharedPath("golden/" + golden_dir + "/manifest.json"));
  return nlohmann::json::parse(in);
}

inline std::unique_ptr<models::Model> LoadOrDie(const std::string& shared_rel) {
  auto m = models::LoadModel(SharedPath(shared_rel));
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? std::move(*m) : nullptr;
}

// Logits of every prompt position, [n, n_vocab].
inline std::vector<float> PromptLogits(const models::Model& model, const std::vector<int32_t>& ids,
                                       int threads, bool token_by_token = false,
                                       DType kv = DType::kF32) {
  runtime::SessionOptions so;
  so.n_threads = threads;
  so.n_ctx = static_cast<int64_t>(ids.size()) + 64;
  so.kv_type = kv;
  auto s = runtime::Session::Create(model, so);
  EXPECT_TRUE(s.ok());
  std::vector<float> out;
  if (!token_by_token) {
    auto l = (*s)->Decode(ids, true);
    EXPECT_TRUE(l.ok()) << l.status().message();
    if (l.ok()) out.assign(l->begin(), l->end());
    return out;
  }
  for (int32_t id : ids) {
    auto l = (*s)->Decode(std::span<const int32_t>(&id, 1), true);
    EXPECT_TRUE(l.ok()) << l.status().message();
    if (l.ok()) out.insert(out.end(), l->begin(), l->end());
  }
  return out;
}

// Greedy continuation of `ids` as the goldens made it (1 thread, F32 cache, n tokens, no EOS
// stop); empty (with a test failure) on error.
inline std::vector<int32_t> GreedyTokens(const models::Model& model,
                                         const std::vector<int32_t>& ids, int n = 48) {
  runtime::SessionOptions so;
  so.n_threads = 1;
  so.kv_type = DType::kF32;
  so.n_ctx = static_cast<int64_t>(ids.size()) + n + 16;
  auto session = runtime::Session::Create(model, so);
  EXPECT_TRUE(session.ok());
  if (!session.ok()) return {};
  runtime::GenerateOptions go;
  go.n_predict = n;
  go.ignore_eos = true;
  go.sampling.temperature = 0;
  auto r = runtime::Generate(**session, ids, go, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->tokens : std::vector<int32_t>{};
}

inline float MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  float m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

}  // namespace miaotui::testing
