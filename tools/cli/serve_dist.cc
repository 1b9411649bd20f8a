// The step broadcast of tensor-parallel serving (see serve_dist.h). Wire format, rank 0 to all:
// a header of kHeader int64 (kind, n_tokens, n_outputs, n_seqs, max_blocks, kv_blocks,
// block_size, kv_type), then for a step one int32 payload: tokens, positions, slots, seq_ids
// (n_tokens each), the block table (n_seqs x max_blocks) and the output rows (n_outputs).
#include "serve_dist.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

#include "base/cpu_features.h"
#include "base/thread_pool.h"
#include "commands.h"
#include "graph/executor.h"
#include "graph/kv_cache.h"
#include "graph/passes.h"

namespace miaotui::cli {
namespace {

constexpr int kHeader = 8;
constexpr int64_t kStop = 0, kStep = 1;

int64_t PayloadInts(const int64_t* h) { return 4 * h[1] + h[3] * h[4] + h[2]; }

Status BroadcastStep(dist::Communicator& comm, const runtime::StepInputs& in) {
  const runtime::EngineOptions& o = *in.options;
  int64_t h[kHeader] = {kStep, in.shape.n_tokens, in.shape.n_outputs, in.shape.n_seqs,
                        in.shape.max_blocks, o.kv_blocks, o.block_size,
                        static_cast<int64_t>(o.kv_type)};
  std::vector<int32_t> payload;
  payload.reserve(static_cast<size_t>(PayloadInts(h)));
  for (auto part : {in.tokens, in.positions, in.slots, in.seq_ids, in.block_table, in.out_rows}) {
    payload.insert(payload.end(), part.begin(), part.end());
  }
  MT_RETURN_IF_ERROR(comm.Broadcast(h, sizeof(h), 0));
  return comm.Broadcast(payload.data(), payload.size() * sizeof(int32_t), 0);
}

// A rank other than 0: runs every step rank 0 announces, on its own shard and KV cache.
Status Follow(dist::Communicator& comm, const models::Model& model, int n_threads) {
  ThreadPool pool(n_threads > 0 ? n_threads : HardwareConcurrency());
  graph::Executor executor(&pool);
  executor.SetCommunicator(&comm);
  const graph::PassOptions passes = runtime::EngineOptions{}.passes;  // as rank 0's engine
  std::map<models::ForwardShape, models::ForwardGraph> graphs;
  std::unique_ptr<graph::KvCache> kv;
  int64_t kv_geometry[3] = {0, 0, 0};
  std::vector<int32_t> payload;
  const std::chrono::milliseconds bounded = comm.timeout();
  for (;;) {
    int64_t h[kHeader];
    comm.set_timeout(std::chrono::milliseconds(0));  // idle server: wait for the next request
    Status got = comm.Broadcast(h, sizeof(h), 0);
    comm.set_timeout(bounded);
    MT_RETURN_IF_ERROR(got);
    if (h[0] == kStop) return Status::Ok();
    if (h[0] != kStep || h[1] < 1 || h[2] < 0 || h[3] < 1 || h[4] < 1 || h[5] < 1 || h[6] < 1) {
      return Internal("malformed step header from rank 0");
    }
    payload.resize(static_cast<size_t>(PayloadInts(h)));
    MT_RETURN_IF_ERROR(comm.Broadcast(payload.data(), payload.size() * sizeof(int32_t), 0));
    if (!kv) {
      const models::ModelInfo& info = model.info();
      kv = std::make_unique<graph::KvCache>(static_cast<int>(info.n_layer), h[5], h[6],
                                            info.kv_dim, static_cast<DType>(h[7]));
      std::copy(h + 5, h + 8, kv_geometry);
    } else if (!std::equal(kv_geometry, kv_geometry + 3, h + 5)) {
      return Internal("rank 0 changed the KV-cache geometry between steps");
    }
    const models::ForwardShape shape{.n_tokens = h[1], .n_outputs = h[2], .n_seqs = h[3],
                                     .max_blocks = h[4]};
    auto it = graphs.find(shape);
    if (it == graphs.end()) {
      if (graphs.size() >= 64) graphs.clear();
      models::ForwardGraph fg = model.BuildForward(shape);
      graph::Optimize(fg.graph, passes, &model.weight_packer());
      it = graphs.emplace(shape, std::move(fg)).first;
    }
    const models::ForwardGraph& fg = it->second;
    executor.Prepare(fg.graph, shape.max_blocks * h[6]);
    const int32_t* src = payload.data();
    auto fill = [&](graph::Tensor t, int64_t n) {
      std::copy(src, src + n, executor.InputI32(fg.graph, t));
      src += n;
    };
    fill(fg.tokens, shape.n_tokens);
    fill(fg.kv.positions, shape.n_tokens);
    fill(fg.kv.slots, shape.n_tokens);
    fill(fg.kv.seq_ids, shape.n_tokens);
    fill(fg.kv.block_table, shape.n_seqs * shape.max_blocks);
    fill(fg.out_rows, shape.n_outputs);
    executor.Run(fg.graph, kv.get());
  }
}

}  // namespace

Result<std::unique_ptr<models::Model>> ServeDist::Load(const std::string& path,
                                                       server::ServerOptions* o,
                                                       int* follower_exit) {
  MT_ASSIGN_OR_RETURN(run_, StartDist(args));
  if (run_.comm->size() == 1) return models::LoadModel(path);
  if (args.pp > 1) {
    return Unimplemented("rank " + std::to_string(run_.comm->rank()) +
                         ": miaotui serve runs tensor parallelism only (--tp N); pipeline stages "
                         "would have to send every step's logits back to rank 0 "
                         "(docs/DISTRIBUTED.md)");
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, LoadShard(run_, path));
  if (model->info().is_encoder) {
    return Unimplemented("rank " + std::to_string(run_.comm->rank()) + ": " + path +
                         ": serving an encoder under tensor parallelism is not supported");
  }
  dist::Communicator* comm = run_.comm.get();
  if (comm->rank() != 0) {
    const Status s = Follow(*comm, *model, o->engine.n_threads);
    if (!s.ok()) comm->Abort(s);
    *follower_exit = 0;
    return std::unique_ptr<models::Model>();
  }
  leader_ = true;
  o->engine.comm = comm;
  o->engine.on_step = [comm](const runtime::StepInputs& in) { return BroadcastStep(*comm, in); };
  return model;
}

void ServeDist::Stop() {
  if (!leader_) return;
  leader_ = false;
  int64_t h[kHeader] = {kStop};
  if (Status s = run_.comm->Broadcast(h, sizeof(h), 0); !s.ok()) run_.comm->Abort(s);
}

int ServeDist::Fail(const Status& s) {
  if (run_.comm && run_.comm->size() > 1) run_.comm->Abort(s);
  return cli::Fail(s);
}

}  // namespace miaotui::cli
