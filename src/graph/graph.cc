#include "graph/graph.h"

#include "base/check.h"

namespace miaotui::graph {

const char* OpName(Op op) {
  switch (op) {
    case Op::kInput: return "input";
    case Op::kWeight: return "weight";
    case Op::kEmbedding: return "embedding";
    case Op::kRmsNorm: return "rms_norm";
    case Op::kLayerNorm: return "layer_norm";
    case Op::kMatMul: return "matmul";
    case Op::kAdd: return "add";
    case Op::kMul: return "mul";
    case Op::kSilu: return "silu";
    case Op::kSiluMul: return "silu_mul";
    case Op::kRope: return "rope";
    case Op::kAttention: return "attention";
    case Op::kSelectRows: return "select_rows";
    case Op::kAddRow: return "add_row";
    case Op::kGelu: return "gelu";
    case Op::kTanh: return "tanh";
    case Op::kAttendSegments: return "attend_segments";
    case Op::kPool: return "pool";
    case Op::kAllReduce: return "all_reduce";
  }
  return "?";
}

Tensor GraphBuilder::Add(Node n) {
  g_.nodes.push_back(std::move(n));
  return Tensor{static_cast<int>(g_.nodes.size()) - 1};
}

Tensor GraphBuilder::Input(const std::string& name, DType dtype, int64_t n) {
  Node node;
  node.op = Op::kInput;
  node.name = name;
  node.dtype = dtype;
  node.shape = Shape::Of(n);
  return Add(std::move(node));
}

Tensor GraphBuilder::InputMatrix(const std::string& name, int64_t cols, int64_t rows) {
  Node node;
  node.op = Op::kInput;
  node.name = name;
  node.dtype = DType::kF32;
  node.shape = Shape::Of(cols, rows);
  return Add(std::move(node));
}

Tensor GraphBuilder::Weight(const TensorView& w, const std::string& name) {
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    if (g_.nodes[i].op == Op::kWeight && g_.nodes[i].weight.data == w.data) {
      return Tensor{static_cast<int>(i)};
    }
  }
  Node node;
  node.op = Op::kWeight;
  node.name = name;
  node.dtype = w.dtype;
  node.shape = w.shape;
  node.weight = w;
  return Add(std::move(node));
}

namespace {
Node Activation(Op op, std::vector<int> inputs, int64_t cols, int64_t rows) {
  Node n;
  n.op = op;
  n.inputs = std::move(inputs);
  n.dtype = DType::kF32;
  n.shape = Shape::Of(cols, rows);
  return n;
}
}  // namespace

Tensor GraphBuilder::Embedding(const TensorView& table, Tensor ids) {
  Tensor w = Weight(table);
  return Add(Activation(Op::kEmbedding, {w.id, ids.id}, table.cols(), shape(ids).ne[0]));
}

Tensor GraphBuilder::RmsNorm(Tensor x, const TensorView& w, float eps) {
  CHECK(w.dtype == DType::kF32 && w.cols() == shape(x).ne[0]);
  Tensor wt = Weight(w);
  Node n = Activation(Op::kRmsNorm, {x.id, wt.id}, shape(x).ne[0], shape(x).ne[1]);
  n.eps = eps;
  return Add(std::move(n));
}

Tensor GraphBuilder::LayerNorm(Tensor x, const TensorView& w, const TensorView& b, float eps) {
  CHECK(w.dtype == DType::kF32 && b.dtype == DType::kF32);
  Tensor wt = Weight(w), bt = Weight(b);
  Node n = Activation(Op::kLayerNorm, {x.id, wt.id, bt.id}, shape(x).ne[0], shape(x).ne[1]);
  n.eps = eps;
  return Add(std::move(n));
}

Tensor GraphBuilder::MatMul(Tensor x, const TensorView& w) {
  CHECK(w.cols() == shape(x).ne[0]);
  Tensor wt = Weight(w);
  return Add(Activation(Op::kMatMul, {x.id, wt.id}, w.rows(), shape(x).ne[1]));
}

Tensor GraphBuilder::Add(Tensor a, Tensor b) {
  CHECK(shape(a) == shape(b));
  return Add(Activation(Op::kAdd, {a.id, b.id}, shape(a).ne[0], shape(a).ne[1]));
}

Tensor GraphBuilder::Mul(Tensor a, Tensor b) {
  CHECK(shape(a) == shape(b));
  return Add(Activation(Op::kMul, {a.id, b.id}, shape(a).ne[0], shape(a).ne[1]));
}

Tensor GraphBuilder::Silu(Tensor a) {
  return Add(Activation(Op::kSilu, {a.id}, shape(a).ne[0], shape(a).ne[1]));
}

Tensor GraphBuilder::Rope(Tensor x, Tensor positions, const ops::RopeParams& p) {
  CHECK(shape(x).ne[0] == p.n_heads * p.head_dim);
  Node n = Activation(Op::kRope, {x.id, positions.id}, shape(x).ne[0], shape(x).ne[1]);
  n.rope = p;
  return Add(std::move(n));
}

Tensor GraphBuilder::Attention(Tensor q, Tensor k, Tensor v, const KvInputs& kv,
                               const ops::AttentionParams& p, int layer) {
  CHECK(shape(q).ne[0] == p.n_head * p.head_dim);
  CHECK(shape(k).ne[0] == p.n_head_kv * p.head_dim && shape(v) == shape(k));
  Node n = Activation(Op::kAttention,
                      {q.id, k.id, v.id, kv.positions.id, kv.slots.id, kv.seq_ids.id,
                       kv.block_table.id},
                      shape(q).ne[0], shape(q).ne[1]);
  n.attn = p;
  n.layer = layer;
  n.max_blocks = kv.max_blocks;
  return Add(std::move(n));
}

Tensor GraphBuilder::SelectRows(Tensor x, Tensor rows) {
  return Add(Activation(Op::kSelectRows, {x.id, rows.id}, shape(x).ne[0], shape(rows).ne[0]));
}

Tensor GraphBuilder::AddRow(Tensor x, const TensorView& bias) {
  CHECK(bias.dtype == DType::kF32 && bias.cols() == shape(x).ne[0]);
  Tensor b = Weight(bias);
  return Add(Activation(Op::kAddRow, {x.id, b.id}, shape(x).ne[0], shape(x).ne[1]));
}

Tensor GraphBuilder::Tanh(Tensor a) {
  return Add(Activation(Op::kTanh, {a.id}, shape(a).ne[0], shape(a).ne[1]));
}

Tensor GraphBuilder::Gelu(Tensor a, bool tanh_form) {
  Node n = Activation(Op::kGelu, {a.id}, shape(a).ne[0], shape(a).ne[1]);
  n.flag = tanh_form;
  return Add(std::move(n));
}

Tensor GraphBuilder::AttendSegments(Tensor q, Tensor k, Tensor v, Tensor seg_begin,
                                    Tensor seg_end, const ops::AttentionParams& p, bool causal) {
  CHECK(shape(q).ne[0] == p.n_head * p.head_dim);
  CHECK(shape(k).ne[0] == p.n_head_kv * p.head_dim && shape(v) == shape(k));
  Node n = Activation(Op::kAttendSegments, {q.id, k.id, v.id, seg_begin.id, seg_end.id},
                      shape(q).ne[0], shape(q).ne[1]);
  n.attn = p;
  n.flag = causal;
  return Add(std::move(n));
}

Tensor GraphBuilder::Pool(Tensor x, Tensor starts, int64_t n_segments, ops::PoolMode mode) {
  CHECK(shape(starts).ne[0] == n_segments + 1);
  Node n = Activation(Op::kPool, {x.id, starts.id}, shape(x).ne[0], n_segments);
  n.pool = mode;
  return Add(std::move(n));
}

Tensor GraphBuilder::AllReduce(Tensor x) {
  return Add(Activation(Op::kAllReduce, {x.id}, shape(x).ne[0], shape(x).ne[1]));
}

}  // namespace miaotui::graph
