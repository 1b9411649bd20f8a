// dist/ without MPI: the local communicator, the collectives over an in-process thread group
// (including a peer that never answers: an error naming it, not a hang), and tensor / pipeline
// parallelism of the llama and GPT-2 test models, each rank a thread: greedy tokens identical to
// one process and prompt logits within 1e-4.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "dist/communicator.h"
#include "dist/group_communicator.h"
#include "dist/thread_group.h"
#include "runtime/generator.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::SharedPath;

// Runs fn(rank) on one thread per rank and waits for all.
template <typename Fn>
void OnRanks(int n, Fn fn) {
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) threads.emplace_back([&, r] { fn(r); });
  for (auto& t : threads) t.join();
}

TEST(LocalCommunicatorTest, SizeOneAndNoOps) {
  dist::LocalCommunicator c;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  float x[3] = {1, 2, 3};
  ASSERT_TRUE(c.AllReduceSum(x, 3).ok());
  EXPECT_EQ(x[2], 3);
  int32_t v = 7, all = 0;
  ASSERT_TRUE(c.AllGather(&v, 4, &all).ok());
  EXPECT_EQ(all, 7);
  ASSERT_TRUE(c.Broadcast(&v, 4, 0).ok());
  ASSERT_TRUE(c.Barrier().ok());
  EXPECT_FALSE(c.Send(&v, 4, 1).ok());  // no such peer
}

TEST(ThreadGroupTest, CollectivesAgreeOnEveryRank) {
  constexpr int kRanks = 3;
  auto comms = dist::MakeThreadGroup(kRanks);
  std::vector<std::vector<float>> sums(kRanks);
  std::vector<std::vector<int32_t>> gathered(kRanks, std::vector<int32_t>(kRanks));
  std::vector<int32_t> bcast(kRanks), recv(kRanks, -1);
  OnRanks(kRanks, [&](int r) {
    dist::Communicator& c = *comms[r];
    sums[r] = {0.1f * (r + 1), 1e8f * (r == 0 ? 1 : -0.5f), static_cast<float>(r)};
    ASSERT_TRUE(c.AllReduceSum(sums[r].data(), 3).ok());
    int32_t mine = 10 * r;
    ASSERT_TRUE(c.AllGather(&mine, 4, gathered[r].data()).ok());
    bcast[r] = r == 2 ? 42 : 0;
    ASSERT_TRUE(c.Broadcast(&bcast[r], 4, 2).ok());
    ASSERT_TRUE(c.Barrier().ok());
    if (r == 0) {
      ASSERT_TRUE(c.Send(&mine, 4, 1, 5).ok());
    }
    if (r == 1) {
      ASSERT_TRUE(c.Recv(&recv[r], 4, 0, 5).ok());
    }
  });
  for (int r = 0; r < kRanks; ++r) {
    // Bit-identical on every rank (sums in rank order).
    EXPECT_EQ(std::memcmp(sums[r].data(), sums[0].data(), 12), 0);
    EXPECT_EQ(gathered[r], (std::vector<int32_t>{0, 10, 20}));
    EXPECT_EQ(bcast[r], 42);
  }
  EXPECT_FLOAT_EQ(sums[0][2], 3.0f);
  EXPECT_EQ(recv[1], 0);
  EXPECT_GT(comms[0]->stats().bytes_sent, 0);
}

TEST(ThreadGroupTest, SilentPeerIsAnErrorNamingItWithinTheTimeout) {
  auto comms = dist::MakeThreadGroup(2);
  comms[0]->set_timeout(std::chrono::milliseconds(200));
  float x = 1;
  const auto t0 = std::chrono::steady_clock::now();
  Status s = comms[0]->AllReduceSum(&x, 1);  // rank 1 never calls
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rank 0: no answer from rank 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("all-reduce"), std::string::npos);
  EXPECT_LT(waited, 5.0);
}

TEST(GroupCommunicatorTest, CollectivesStayInsideTheGroupAndErrorsNameWorldRanks) {
  auto world = dist::MakeThreadGroup(4);
  std::vector<float> sums(4);
  std::vector<std::unique_ptr<dist::Communicator>> groups(4);
  for (int r = 0; r < 4; ++r) {  // {0, 1} and {2, 3}, as two pipeline stages of --tp 2
    groups[r] = std::make_unique<dist::GroupCommunicator>(
        world[r].get(), r < 2 ? std::vector<int>{0, 1} : std::vector<int>{2, 3});
  }
  OnRanks(4, [&](int r) {
    EXPECT_EQ(groups[r]->rank(), r % 2);
    EXPECT_EQ(groups[r]->size(), 2);
    sums[r] = static_cast<float>(1 << r);
    ASSERT_TRUE(groups[r]->AllReduceSum(&sums[r], 1).ok());
  });
  EXPECT_EQ(sums, (std::vector<float>{3, 3, 12, 12}));
  groups[2]->set_timeout(std::chrono::milliseconds(200));
  float x = 1;
  Status s = groups[2]->AllReduceSum(&x, 1);  // world rank 3 never answers
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no answer from rank 3"), std::string::npos) << s.message();
}

// The reference: one process, the whole model.
struct Reference {
  std::vector<int32_t> tokens;
  std::vector<float> logits;
};

runtime::GenerateOptions Greedy(int n) {
  runtime::GenerateOptions go;
  go.n_predict = n;
  go.ignore_eos = true;
  go.prompt_logits = true;
  go.sampling.temperature = 0;
  return go;
}

Reference RunWhole(const std::string& path, const std::vector<int32_t>& prompt) {
  auto model = models::LoadModel(path);
  EXPECT_TRUE(model.ok()) << model.status().message();
  runtime::SessionOptions so;
  so.n_threads = 1;
  so.n_ctx = 128;
  so.kv_type = DType::kF32;
  auto session = runtime::Session::Create(**model, so);
  auto r = runtime::Generate(**session, prompt, Greedy(12), nullptr);
  EXPECT_TRUE(r.ok());
  return {r->tokens, r->prompt_logits};
}

struct ParallelCase {
  std::string model;
  int tp, pp;
};

class ParallelTest : public ::testing::TestWithParam<ParallelCase> {};

TEST_P(ParallelTest, GreedyTokensAndLogitsMatchOneProcess) {
  const ParallelCase& pc = GetParam();
  MT_REQUIRE_SHARED("models/" + pc.model);
  const std::string path = SharedPath("models/" + pc.model);
  auto whole = models::LoadModel(path);
  ASSERT_TRUE(whole.ok());
  const std::vector<int32_t> prompt =
      (*whole)->tokenizer().Encode("Once upon a time, there was a little dog named", true);
  const Reference ref = RunWhole(path, prompt);
  const int n = pc.tp * pc.pp;
  auto comms = dist::MakeThreadGroup(n);
  std::vector<Reference> got(n);
  OnRanks(n, [&](int r) {
    models::Shard shard{.tp_rank = r % pc.tp, .tp_size = pc.tp, .pp_rank = r / pc.tp,
                        .pp_size = pc.pp};
    auto model = models::LoadModel(path, shard);
    ASSERT_TRUE(model.ok()) << model.status().message();
    ASSERT_TRUE(runtime::CheckSameModelEverywhere(*comms[r], (*model)->info()).ok());
    runtime::SessionOptions so;
    so.n_threads = 1;
    so.n_ctx = 128;
    so.kv_type = DType::kF32;
    so.comm = comms[r].get();
    so.micro_batch = 4;  // several micro-batches per prompt
    auto session = runtime::Session::Create(**model, so);
    ASSERT_TRUE(session.ok()) << session.status().message();
    auto res = runtime::Generate(**session, prompt, Greedy(12), nullptr);
    ASSERT_TRUE(res.ok()) << res.status().message();
    got[r] = {res->tokens, res->prompt_logits};
  });
  for (int r = 0; r < n; ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    EXPECT_EQ(got[r].tokens, ref.tokens);
    if (r / pc.tp != pc.pp - 1) continue;  // only the last stage has logits
    ASSERT_EQ(got[r].logits.size(), ref.logits.size());
    float max_diff = 0;
    for (size_t i = 0; i < ref.logits.size(); ++i) {
      max_diff = std::max(max_diff, std::abs(got[r].logits[i] - ref.logits[i]));
    }
    EXPECT_LT(max_diff, 1e-4f);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, ParallelTest,
    ::testing::Values(ParallelCase{"stories260K.gguf", 2, 1}, ParallelCase{"stories260K.gguf", 1, 2},
                      ParallelCase{"gpt2-test-f16.gguf", 2, 1},
                      ParallelCase{"gpt2-test-f16.gguf", 1, 2}),
    [](const auto& info) {
      std::string m = info.param.model.substr(0, info.param.model.find('-'));
      m = m.substr(0, m.find('.'));
      return m + "_tp" + std::to_string(info.param.tp) + "_pp" + std::to_string(info.param.pp);
    });

TEST(ParallelErrorsTest, TensorParallelMustDivideTheHeads) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  auto m = models::LoadModel(SharedPath("models/stories260K.gguf"),
                             models::Shard{.tp_rank = 0, .tp_size = 3});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("--tp 3 does not divide the head count 8"),
            std::string::npos)
      << m.status().message();
}

TEST(ParallelErrorsTest, DifferentModelFilesAreNamed) {
  MT_REQUIRE_SHARED("models/gpt2-test-f16.gguf");
  auto comms = dist::MakeThreadGroup(2);
  std::vector<Status> st(2);
  OnRanks(2, [&](int r) {
    auto m = models::LoadModel(SharedPath(r == 0 ? "models/stories260K.gguf"
                                                 : "models/gpt2-test-f16.gguf"),
                               models::Shard{});
    ASSERT_TRUE(m.ok());
    st[r] = runtime::CheckSameModelEverywhere(*comms[r], (*m)->info());
  });
  for (const Status& s : st) {
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("rank 1's model file differs from rank 0's"), std::string::npos)
        << s.message();
  }
}

}  // namespace
}  // namespace miaotui
