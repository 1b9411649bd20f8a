// The computational graph: one forward pass of a model as a list of nodes in execution order.
//
// A node is an op, its input nodes, its output shape and dtype, and small parameters. Weights are
// leaf nodes pointing into the model's mapped file; inputs (token ids, positions, rows to output)
// are leaf nodes the caller fills before each run. Activations are row-major [rows, cols] F32
// matrices (Shape in GGUF order: ne[0] = cols, ne[1] = rows).
//
// GraphBuilder gives model code an API that reads like the paper:
//   Tensor h = g.RmsNorm(x, w.attn_norm, eps);
//   Tensor q = g.Rope(g.MatMul(h, w.wq), pos, rope);
// The builder appends nodes in order, so the node list is always a valid topological order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/attention.h"
#include "ops/ops.h"
#include "ops/rope.h"
#include "tensor/tensor_view.h"

namespace miaotui::graph {

enum class Op {
  kInput,       // filled by the caller (I32 ids/positions/rows)
  kWeight,      // a view into the model file
  kEmbedding,   // (table weight, ids input)
  kRmsNorm,     // (x, weight)
  kLayerNorm,   // (x, weight, bias)
  kMatMul,      // (x, weight)
  kAdd,         // (a, b)
  kMul,         // (a, b)
  kSilu,        // (a)
  kSiluMul,     // (a, b): silu(a) * b, made by the fusion pass
  kRope,        // (x, positions)
  kAttention,   // (q, k, v, positions, slots, seq_ids, block_table): stores k, v in the KV
                // cache, attends causally
  kSelectRows,  // (x, rows input)
  kAddRow,      // (x, bias weight): a bias row added to every row
  kGelu,        // (a): flag = tanh form
  kAttendSegments,  // (q, k, v, seg_begin, seg_end): attention within each sequence, no cache
  kPool,        // (x, segment starts input): one row per segment
  kTanh,        // (a)
  kAllReduce,   // (x): x summed over the ranks of the run's communicator (tensor parallelism)
};
const char* OpName(Op op);

struct Node {
  Op op = Op::kInput;
  std::string name;
  std::vector<int> inputs;
  DType dtype = DType::kF32;
  Shape shape;
  TensorView weight;        // kWeight only
  float eps = 0;            // norms
  ops::RopeParams rope;     // kRope
  ops::AttentionParams attn;  // kAttention
  int layer = -1;           // kAttention: which KV-cache layer
  int64_t max_blocks = 0;   // kAttention: block-table row length
  bool flag = false;        // kGelu: tanh form; kAttendSegments: causal
  ops::PoolMode pool = ops::PoolMode::kMean;  // kPool
  // Filled by the planner.
  int64_t offset = -1;      // byte offset in the arena (-1: none, e.g. weights)
  bool alive = true;        // false once a pass removed it
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<int> outputs;
  // Filled by the planner.
  size_t arena_bytes = 0;
  bool planned = false;

  size_t NodeBytes(int id) const {
    const Node& n = nodes[id];
    return RowBytes(n.dtype, n.shape.ne[0]) * static_cast<size_t>(n.shape.NumRows());
  }
};

struct Tensor {
  int id = -1;
};

// The inputs that tell attention where each token's keys and values live (see ops/attention.h):
// positions, slots and seq_ids have one entry per token; block_table is [n_seqs, max_blocks].
struct KvInputs {
  Tensor positions, slots, seq_ids, block_table;
  int64_t max_blocks = 0;
};

class GraphBuilder {
 public:
  Tensor Input(const std::string& name, DType dtype, int64_t n);
  Tensor Weight(const TensorView& w, const std::string& name = "");
  // An F32 [rows, cols] activation filled by the caller (a pipeline stage's incoming hidden
  // states).
  Tensor InputMatrix(const std::string& name, int64_t cols, int64_t rows);

  Tensor Embedding(const TensorView& table, Tensor ids);
  Tensor RmsNorm(Tensor x, const TensorView& w, float eps);
  Tensor LayerNorm(Tensor x, const TensorView& w, const TensorView& b, float eps);
  Tensor MatMul(Tensor x, const TensorView& w);
  Tensor Add(Tensor a, Tensor b);
  Tensor Mul(Tensor a, Tensor b);
  Tensor Silu(Tensor a);
  Tensor Rope(Tensor x, Tensor positions, const ops::RopeParams& p);
  Tensor Attention(Tensor q, Tensor k, Tensor v, const KvInputs& kv,
                   const ops::AttentionParams& p, int layer);
  Tensor SelectRows(Tensor x, Tensor rows);
  Tensor AddRow(Tensor x, const TensorView& bias);
  // x W^T + b: a linear layer with bias (b may be an invalid view: no bias).
  Tensor Linear(Tensor x, const TensorView& w, const TensorView& b) {
    Tensor y = MatMul(x, w);
    return b.valid() ? AddRow(y, b) : y;
  }
  Tensor Gelu(Tensor a, bool tanh_form);
  Tensor Tanh(Tensor a);
  Tensor AttendSegments(Tensor q, Tensor k, Tensor v, Tensor seg_begin, Tensor seg_end,
                        const ops::AttentionParams& p, bool causal);
  Tensor Pool(Tensor x, Tensor starts, int64_t n_segments, ops::PoolMode mode);
  // The sum of x over every rank (tensor-parallel partial results); x itself when run alone.
  Tensor AllReduce(Tensor x);

  void MarkOutput(Tensor t) { g_.outputs.push_back(t.id); }
  // Names the most recent node (for --dot and debugging).
  Tensor Named(Tensor t, const std::string& name) {
    g_.nodes[t.id].name = name;
    return t;
  }
  const Shape& shape(Tensor t) const { return g_.nodes[t.id].shape; }

  Graph Finish() { return std::move(g_); }

 private:
  Tensor Add(Node n);
  Graph g_;
};

}  // namespace miaotui::graph
