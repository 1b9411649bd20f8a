#include "graph/executor.h"

#include <algorithm>
#include <cstring>

#include "base/check.h"
#include "dist/communicator.h"
#include "ops/ops.h"

namespace miaotui::graph {

void Executor::Prepare(const Graph& g, int64_t max_keys) {
  CHECK(g.planned);
  if (g.arena_bytes > arena_size_) {
    arena_ = AlignedAlloc(g.arena_bytes);
    arena_size_ = g.arena_bytes;
  }
  // Per-thread scratch: the largest any node needs.
  int64_t per_thread = 0;
  for (const Node& n : g.nodes) {
    if (!n.alive) continue;
    if (n.op == Op::kAttention || n.op == Op::kAttendSegments) {
      per_thread = std::max(per_thread, ops::AttendScratchFloats(n.attn));
    }
  }
  size_t scratch = static_cast<size_t>(pool_->size()) * static_cast<size_t>(per_thread) * 4;
  if (scratch > scratch_size_) {
    scratch_ = AlignedAlloc(scratch);
    scratch_size_ = scratch;
  }
}

uint8_t* Executor::Ptr(const Graph& g, int id) const {
  const Node& n = g.nodes[id];
  if (n.op == Op::kWeight) return const_cast<uint8_t*>(static_cast<const uint8_t*>(n.weight.data));
  DCHECK(n.offset >= 0);
  return arena_.get() + n.offset;
}

int32_t* Executor::InputI32(const Graph& g, Tensor t) {
  CHECK(g.nodes[t.id].op == Op::kInput && g.nodes[t.id].dtype == DType::kI32);
  CHECK(g.nodes[t.id].offset >= 0);  // an input the dead-node pass removed has no storage
  return reinterpret_cast<int32_t*>(Ptr(g, t.id));
}

float* Executor::InputF32(const Graph& g, Tensor t) {
  CHECK(g.nodes[t.id].op == Op::kInput && g.nodes[t.id].dtype == DType::kF32);
  CHECK(g.nodes[t.id].offset >= 0);
  return reinterpret_cast<float*>(Ptr(g, t.id));
}

const float* Executor::Output(const Graph& g, Tensor t) const {
  return reinterpret_cast<const float*>(Ptr(g, t.id));
}

void Executor::Run(const Graph& g, KvCache* kv) {
  pool_->Run([&](int ith, int nth) {
    for (const Node& n : g.nodes) {
      if (!n.alive || n.op == Op::kInput || n.op == Op::kWeight) continue;
      RunNode(g, n, kv, ith, nth);
      pool_->Barrier();
      if (observer_) {
        if (ith == 0) observer_(g, n, *this);
        pool_->Barrier();
      }
    }
  });
}

void Executor::RunNode(const Graph& g, const Node& n, KvCache* kv, int ith, int nth) {
  auto f32 = [&](int input) { return reinterpret_cast<float*>(Ptr(g, n.inputs[input])); };
  auto i32 = [&](int input) { return reinterpret_cast<const int32_t*>(Ptr(g, n.inputs[input])); };
  float* out = reinterpret_cast<float*>(arena_.get() + n.offset);
  const int64_t cols = n.shape.ne[0], rows = n.shape.ne[1];
  switch (n.op) {
    case Op::kEmbedding:
      ops::Embedding(g.nodes[n.inputs[0]].weight, i32(1), rows, out, ith, nth);
      break;
    case Op::kRmsNorm:
      ops::RmsNorm(f32(0), f32(1), n.eps, rows, cols, out, ith, nth);
      break;
    case Op::kLayerNorm:
      ops::LayerNorm(f32(0), f32(1), f32(2), n.eps, rows, cols, out, ith, nth);
      break;
    case Op::kMatMul:
      ops::MatMul(f32(0), rows, g.nodes[n.inputs[1]].weight, out, ith, nth);
      break;
    case Op::kAdd:
      ops::Add(f32(0), f32(1), cols * rows, out, ith, nth);
      break;
    case Op::kMul:
      ops::Mul(f32(0), f32(1), cols * rows, out, ith, nth);
      break;
    case Op::kSilu:
      ops::Silu(f32(0), cols * rows, out, ith, nth);
      break;
    case Op::kSiluMul:
      ops::SiluMul(f32(0), f32(1), cols * rows, out, ith, nth);
      break;
    case Op::kRope: {
      const float* in = f32(0);
      if (in != out) {  // copy this thread's rows; Rope splits rows the same way
        int64_t r0, r1;
        ThreadPool::SplitRange(rows, nth, ith, &r0, &r1);
        std::memcpy(out + r0 * cols, in + r0 * cols, (r1 - r0) * cols * sizeof(float));
      }
      ops::Rope(out, i32(1), rows, n.rope, ith, nth);
      break;
    }
    case Op::kAttention: {
      CHECK(kv != nullptr);
      const ops::KvLayerView& layer = kv->layer(n.layer);
      const ops::KvIndex index{.positions = i32(3), .slots = i32(4), .seq_of_token = i32(5),
                               .block_table = i32(6), .max_blocks = n.max_blocks};
      ops::StoreKv(f32(1), f32(2), index, rows, n.attn, layer, ith, nth);
      pool_->Barrier();
      ops::Attend(f32(0), index, rows, n.attn, layer, out,
                  reinterpret_cast<float*>(scratch_.get()), ith, nth);
      break;
    }
    case Op::kSelectRows:
      ops::SelectRows(f32(0), cols, i32(1), rows, out, ith, nth);
      break;
    case Op::kAddRow:
      ops::AddRow(f32(0), f32(1), rows, cols, out, ith, nth);
      break;
    case Op::kGelu:
      ops::Gelu(f32(0), cols * rows, out, n.flag, ith, nth);
      break;
    case Op::kTanh:
      ops::Tanh(f32(0), cols * rows, out, ith, nth);
      break;
    case Op::kAttendSegments:
      ops::AttendSegments(f32(0), f32(1), f32(2), i32(3), i32(4), rows, n.flag, n.attn, out,
                          reinterpret_cast<float*>(scratch_.get()), ith, nth);
      break;
    case Op::kPool:
      ops::Pool(f32(0), cols, i32(1), rows, n.pool, out, ith, nth);
      break;
    case Op::kAllReduce: {
      const float* in = f32(0);
      if (in != out) {
        int64_t r0, r1;
        ThreadPool::SplitRange(rows, nth, ith, &r0, &r1);
        std::memcpy(out + r0 * cols, in + r0 * cols, (r1 - r0) * cols * sizeof(float));
      }
      if (comm_ == nullptr) break;
      pool_->Barrier();
      if (ith == 0) {
        if (Status s = comm_->AllReduceSum(out, rows * cols); !s.ok()) comm_->Abort(s);
      }
      break;
    }
    case Op::kInput:
    case Op::kWeight:
      break;
  }
}

}  // namespace miaotui::graph
