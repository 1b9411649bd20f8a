#include "compress/prune.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "base/cpu_features.h"
#include "base/half.h"
#include "base/thread_pool.h"
#include "compress/prune_mask.h"
#include "compress/prune_structured.h"
#include "formats/gguf.h"
#include "quant/convert.h"

namespace miaotui::compress {
namespace {

namespace fs = std::filesystem;

bool IsFloatType(DType t) { return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16; }

// The roles pruned by sparsity: every attention and FFN projection.
const std::set<std::string>& ProjectionRoles() {
  static const std::set<std::string> roles = {
      "attn_q.weight",   "attn_k.weight",  "attn_v.weight",    "attn_output.weight",
      "attn_qkv.weight", "ffn_gate.weight", "ffn_up.weight",   "ffn_down.weight",
      "ffn_gate_up.weight"};
  return roles;
}

// "blk.12.ffn_up.weight" -> (12, "ffn_up.weight"); false for a tensor outside the blocks.
bool SplitBlockName(const std::string& name, int64_t* layer, std::string* role) {
  if (name.rfind("blk.", 0) != 0) return false;
  const size_t dot = name.find('.', 4);
  if (dot == std::string::npos || dot == 4) return false;
  int64_t l = 0;
  for (size_t i = 4; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    l = l * 10 + (name[i] - '0');
  }
  *layer = l;
  *role = name.substr(dot + 1);
  return true;
}

struct Dims {
  std::string arch;
  int64_t n_layer = 0, n_ff = 0, n_head = 0, n_head_kv = 0, head_dim = 0;
};

Result<Dims> ReadDims(const formats::GgufFile& f) {
  Dims d;
  MT_ASSIGN_OR_RETURN(d.arch, f.GetString("general.architecture"));
  const std::string a = d.arch + ".";
  MT_ASSIGN_OR_RETURN(d.n_layer, f.GetInt(a + "block_count"));
  MT_ASSIGN_OR_RETURN(d.n_ff, f.GetIntOr(a + "feed_forward_length", 0));
  MT_ASSIGN_OR_RETURN(d.n_head, f.GetIntOr(a + "attention.head_count", 0));
  MT_ASSIGN_OR_RETURN(d.n_head_kv, f.GetIntOr(a + "attention.head_count_kv", d.n_head));
  MT_ASSIGN_OR_RETURN(int64_t n_embd, f.GetIntOr(a + "embedding_length", 0));
  MT_ASSIGN_OR_RETURN(d.head_dim,
                      f.GetIntOr(a + "attention.key_length", d.n_head > 0 ? n_embd / d.n_head : 0));
  if (d.n_layer <= 0 || d.n_layer > 1024 || d.n_ff < 0 || d.n_ff > (1 << 22) || d.n_head < 0 ||
      d.n_head > 4096 || d.n_head_kv < 0 || d.n_head_kv > 4096 || d.head_dim < 0 ||
      d.head_dim > (1 << 16)) {
    return InvalidArgument(f.path() + ": " + a + "block_count, feed_forward_length or a head "
                           "count/size is out of range");
  }
  return d;
}

Result<FloatMatrix> ReadMatrix(const formats::GgufFile& f, const std::string& name) {
  const formats::GgufTensorInfo* t = f.FindTensor(name);
  if (!t) return InvalidArgument(f.path() + ": tensor '" + name + "' is missing");
  if (!IsFloatType(t->dtype)) {
    return InvalidArgument(f.path() + ": tensor '" + name + "' is " + DTypeName(t->dtype) +
                           "; prune needs F32, F16 or BF16 weights (prune first, then quantize "
                           "with --type)");
  }
  FloatMatrix m{t->shape.ne[0], t->shape.NumRows(), {}};
  m.v.resize(static_cast<size_t>(m.cols * m.rows));
  const auto* src = static_cast<const uint8_t*>(f.View(*t).data);
  const size_t row_bytes = RowBytes(t->dtype, m.cols);
  for (int64_t r = 0; r < m.rows; ++r) {
    MT_RETURN_IF_ERROR(quant::DequantizeRow(t->dtype, src + r * row_bytes, m.Row(r), m.cols));
  }
  return m;
}

std::vector<uint8_t> Encode(const FloatMatrix& m, DType to) {
  std::vector<uint8_t> out(static_cast<size_t>(m.v.size()) * (to == DType::kF32 ? 4 : 2));
  for (size_t i = 0; i < m.v.size(); ++i) {
    if (to == DType::kF32) {
      std::memcpy(out.data() + 4 * i, &m.v[i], 4);
    } else {
      const uint16_t h = to == DType::kF16 ? FloatToHalf(m.v[i]) : FloatToBf16(m.v[i]);
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
  }
  return out;
}

// The statistic (mean x^2 per column) of a tensor, or empty when there is none.
std::vector<float> Stat(const ImportanceMatrix* imp, const std::string& name) {
  if (!imp) return {};
  auto it = imp->find(name);
  return it == imp->end() ? std::vector<float>{} : it->second;
}

// sqrt(mean x^2) per column (empty stays empty).
std::vector<float> Norms(std::vector<float> stat) {
  for (float& x : stat) x = std::sqrt(std::max(x, 0.0f));
  return stat;
}

const float* Ptr(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

// Kept indices per layer; empty vectors keep everything.
struct LayerPlan {
  std::vector<int64_t> ffn;     // intermediate channels
  std::vector<int64_t> q_rows;  // rows of attn_q (and columns of attn_output)
  std::vector<int64_t> kv_rows;
};

Status CheckRows(const std::string& path, const std::string& name, const FloatMatrix& m,
                 int64_t want_rows) {
  if (m.rows == want_rows) return Status::Ok();
  return InvalidArgument(path + ": tensor '" + name + "' has " + std::to_string(m.rows) +
                         " rows; the metadata implies " + std::to_string(want_rows));
}

Result<LayerPlan> PlanLayer(const formats::GgufFile& f, const Dims& d, int64_t layer,
                            const PruneOptions& o) {
  LayerPlan plan;
  const std::string p = "blk." + std::to_string(layer) + ".";
  auto fused = [&](const char* role) -> Status {
    if (!f.FindTensor(p + role)) return Status::Ok();
    return InvalidArgument(f.path() + ": tensor '" + p + role +
                           "' is a fused layout; structured pruning needs separate tensors");
  };
  if (o.ffn_keep < 1) {
    MT_RETURN_IF_ERROR(fused("ffn_gate_up.weight"));
    std::vector<double> score(static_cast<size_t>(d.n_ff), 0.0);
    for (const char* role : {"ffn_gate.weight", "ffn_up.weight"}) {
      if (!f.FindTensor(p + role) && std::string(role) == "ffn_gate.weight") continue;
      MT_ASSIGN_OR_RETURN(FloatMatrix w, ReadMatrix(f, p + role));
      MT_RETURN_IF_ERROR(CheckRows(f.path(), p + role, w, d.n_ff));
      AddRowScores(w, Ptr(Norms(Stat(o.importance, p + role))), 1, score);
    }
    MT_ASSIGN_OR_RETURN(FloatMatrix down, ReadMatrix(f, p + "ffn_down.weight"));
    if (down.cols != d.n_ff) {
      return InvalidArgument(f.path() + ": tensor '" + p + "ffn_down.weight' has " +
                             std::to_string(down.cols) + " columns; feed_forward_length is " +
                             std::to_string(d.n_ff));
    }
    AddColumnScores(down, Ptr(Norms(Stat(o.importance, p + "ffn_down.weight"))), 1, score);
    plan.ffn = TopIndices(score, FfnKeptWidth(d.n_ff, o.ffn_keep));
  }
  if (o.heads_keep < 1) {
    MT_RETURN_IF_ERROR(fused("attn_qkv.weight"));
    const int64_t ratio = d.n_head / d.n_head_kv;
    std::vector<double> score(static_cast<size_t>(d.n_head_kv), 0.0);
    for (const char* role : {"attn_q.weight", "attn_k.weight", "attn_v.weight"}) {
      MT_ASSIGN_OR_RETURN(FloatMatrix w, ReadMatrix(f, p + role));
      const int64_t per_group = (role[5] == 'q' ? ratio : 1) * d.head_dim;
      MT_RETURN_IF_ERROR(CheckRows(f.path(), p + role, w, per_group * d.n_head_kv));
      AddRowScores(w, Ptr(Norms(Stat(o.importance, p + role))), per_group, score);
    }
    MT_ASSIGN_OR_RETURN(FloatMatrix out, ReadMatrix(f, p + "attn_output.weight"));
    if (out.cols != d.n_head * d.head_dim) {
      return InvalidArgument(f.path() + ": tensor '" + p + "attn_output.weight' has " +
                             std::to_string(out.cols) + " columns; expected " +
                             std::to_string(d.n_head * d.head_dim));
    }
    AddColumnScores(out, Ptr(Norms(Stat(o.importance, p + "attn_output.weight"))),
                    ratio * d.head_dim, score);
    const std::vector<int64_t> groups = TopIndices(score, KvGroupsKept(d.n_head_kv, o.heads_keep));
    plan.q_rows = ExpandGroups(groups, ratio * d.head_dim);
    plan.kv_rows = ExpandGroups(groups, d.head_dim);
  }
  return plan;
}

// How a tensor's rows and columns are selected: which index list applies to rows, columns or
// (1-D) elements, by role.
struct Selection {
  const std::vector<int64_t>* rows = nullptr;
  const std::vector<int64_t>* cols = nullptr;
};

Selection SelectionFor(const std::string& role, const LayerPlan& plan) {
  auto nonempty = [](const std::vector<int64_t>& v) { return v.empty() ? nullptr : &v; };
  Selection s;
  if (role == "ffn_gate.weight" || role == "ffn_up.weight" || role == "ffn_gate.bias" ||
      role == "ffn_up.bias") {
    s.rows = nonempty(plan.ffn);
  } else if (role == "ffn_down.weight") {
    s.cols = nonempty(plan.ffn);
  } else if (role == "attn_q.weight" || role == "attn_q.bias") {
    s.rows = nonempty(plan.q_rows);
  } else if (role == "attn_k.weight" || role == "attn_v.weight" || role == "attn_k.bias" ||
             role == "attn_v.bias") {
    s.rows = nonempty(plan.kv_rows);
  } else if (role == "attn_output.weight") {
    s.cols = nonempty(plan.q_rows);
  }
  return s;
}

// Zeroes the lowest-scored weights of every row, or of the whole tensor (group kTensor), in
// parallel over rows; returns the zeros.
int64_t MaskRows(ThreadPool& pool, FloatMatrix& m, const float* norm, const PruneOptions& o,
                 double sparsity) {
  const bool whole = o.pattern.m == 0 && ResolvedGroup(o) == PruneGroup::kTensor;
  const float* row_norm = o.method == PruneMethod::kWanda ? norm : nullptr;
  std::vector<float> scores;
  std::vector<uint8_t> keep_all;
  if (whole) {
    scores.resize(m.v.size());
    pool.Run([&](int ith, int nth) {
      int64_t r0, r1;
      ThreadPool::SplitRange(m.rows, nth, ith, &r0, &r1);
      for (int64_t r = r0; r < r1; ++r) RowScores(m.Row(r), row_norm, m.cols, &scores[r * m.cols]);
    });
    keep_all.resize(m.v.size());
    SelectTensor(scores.data(), static_cast<int64_t>(scores.size()), sparsity, keep_all.data());
  }
  std::vector<int64_t> zeros(static_cast<size_t>(pool.size()), 0);
  pool.Run([&](int ith, int nth) {
    int64_t r0, r1;
    ThreadPool::SplitRange(m.rows, nth, ith, &r0, &r1);
    std::vector<float> score(static_cast<size_t>(m.cols));
    std::vector<uint8_t> row_keep(static_cast<size_t>(m.cols));
    std::vector<int32_t> scratch;
    for (int64_t r = r0; r < r1; ++r) {
      float* row = m.Row(r);
      const uint8_t* keep = whole ? &keep_all[r * m.cols] : row_keep.data();
      if (!whole) {
        RowScores(row, row_norm, m.cols, score.data());
        SelectRow(score.data(), m.cols, sparsity, o.pattern, row_keep.data(), scratch);
      }
      for (int64_t j = 0; j < m.cols; ++j) {
        if (!keep[j]) row[j] = 0.0f;
        if (row[j] == 0.0f) ++zeros[ith];
      }
    }
  });
  int64_t n = 0;
  for (int64_t z : zeros) n += z;
  return n;
}

Status CheckPaths(const std::string& in, const std::string& out) {
  std::error_code ec;
  if (!fs::is_regular_file(in, ec)) return NotFound(in + ": no such GGUF file");
  if (out.empty()) return InvalidArgument("no output path given");
  if (fs::exists(out, ec) && fs::equivalent(in, out, ec)) {
    return InvalidArgument("refusing to overwrite the input model " + in);
  }
  return Status::Ok();
}

}  // namespace

Result<NmPattern> ParseNmPattern(const std::string& text) {
  const size_t colon = text.find(':');
  auto number = [](const std::string& s, int* out) {
    if (s.empty() || s.size() > 4) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    *out = std::stoi(s);
    return true;
  };
  NmPattern p;
  if (colon == std::string::npos || !number(text.substr(0, colon), &p.n) ||
      !number(text.substr(colon + 1), &p.m)) {
    return InvalidArgument("--pattern '" + text + "' is not N:M (e.g. 2:4)");
  }
  if (p.n < 1 || p.n >= p.m) {
    return InvalidArgument("--pattern " + text + ": N must be in [1, M) (N weights kept of M)");
  }
  return p;
}

Result<PruneMethod> ParsePruneMethod(const std::string& text) {
  if (text == "magnitude") return PruneMethod::kMagnitude;
  if (text == "wanda") return PruneMethod::kWanda;
  return InvalidArgument("--method '" + text + "' is not one of magnitude, wanda");
}

Result<PruneGroup> ParsePruneGroup(const std::string& text) {
  if (text == "row") return PruneGroup::kRow;
  if (text == "tensor") return PruneGroup::kTensor;
  return InvalidArgument("--group '" + text + "' is not one of row, tensor");
}

PruneGroup ResolvedGroup(const PruneOptions& o) {
  if (o.group != PruneGroup::kAuto) return o.group;
  return o.method == PruneMethod::kWanda ? PruneGroup::kRow : PruneGroup::kTensor;
}

Status ValidatePruneOptions(const PruneOptions& o) {
  if (!(o.sparsity >= 0 && o.sparsity < 1)) {
    return InvalidArgument("--sparsity " + std::to_string(o.sparsity) + " is outside [0, 1)");
  }
  bool layer_pruned = false;
  for (size_t l = 0; l < o.layer_sparsity.size(); ++l) {
    const double s = o.layer_sparsity[l];
    if (!(s >= 0 && s < 1)) {
      return InvalidArgument("sparsity " + std::to_string(s) + " of layer " + std::to_string(l) +
                             " is outside [0, 1)");
    }
    layer_pruned = layer_pruned || s > 0;
  }
  if (o.pattern.m != 0 && o.group == PruneGroup::kTensor) {
    return InvalidArgument("--group tensor does not apply to --pattern (N:M ranks per group)");
  }
  if (o.pattern.m != 0 && !o.layer_sparsity.empty()) {
    return InvalidArgument("per-layer sparsity does not apply to --pattern");
  }
  if (o.pattern.m != 0 && (o.pattern.n < 1 || o.pattern.n >= o.pattern.m)) {
    return InvalidArgument("pattern " + std::to_string(o.pattern.n) + ":" +
                           std::to_string(o.pattern.m) + ": N must be in [1, M)");
  }
  if (o.pattern.m != 0 && o.sparsity > 0) {
    return InvalidArgument("give either --sparsity or --pattern, not both");
  }
  for (auto [name, v] : {std::pair{"--ffn-keep", o.ffn_keep}, {"--heads-keep", o.heads_keep}}) {
    if (!(v > 0 && v <= 1)) {
      return InvalidArgument(std::string(name) + " " + std::to_string(v) +
                             " is outside (0, 1] (the fraction kept)");
    }
  }
  const bool unstructured = o.sparsity > 0 || layer_pruned || o.pattern.m != 0;
  if (!unstructured && o.ffn_keep == 1 && o.heads_keep == 1 && o.drop_layers.empty()) {
    return InvalidArgument("nothing to prune: give --sparsity, --pattern, --ffn-keep, "
                           "--heads-keep or --drop-layers");
  }
  if (unstructured && o.method == PruneMethod::kWanda &&
      (o.importance == nullptr || o.importance->empty())) {
    return InvalidArgument("--method wanda needs calibration statistics (--calib TEXT)");
  }
  return Status::Ok();
}

Result<ImportanceMatrix> CalibrateForPruning(const std::string& gguf_path, const std::string& text,
                                             const CalibrationOptions& options) {
  MT_ASSIGN_OR_RETURN(Importance imp, CollectImportance(gguf_path, text, options));
  if (imp.n_tokens < options.n_ctx) {
    return InvalidArgument("the calibration text has " + std::to_string(imp.n_tokens) +
                           " tokens, too few to estimate activation norms (at least one window "
                           "of " + std::to_string(options.n_ctx) + ")");
  }
  return std::move(imp.matrix);
}

Result<PruneReport> Prune(const std::string& in_path, const std::string& out_path,
                          const PruneOptions& o) {
  MT_RETURN_IF_ERROR(ValidatePruneOptions(o));
  if (!o.type.empty()) MT_RETURN_IF_ERROR(ParseQuantPreset(o.type).status());
  MT_RETURN_IF_ERROR(CheckPaths(in_path, out_path));
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> file, formats::GgufFile::Open(in_path));
  const formats::GgufFile& f = *file;
  MT_ASSIGN_OR_RETURN(Dims d, ReadDims(f));
  const bool structured = o.ffn_keep < 1 || o.heads_keep < 1;
  if (structured && (d.n_ff <= 0 || d.n_head <= 0 || d.n_head_kv <= 0 || d.head_dim <= 0 ||
                     d.n_head % d.n_head_kv != 0)) {
    return InvalidArgument(in_path + ": structured pruning needs " + d.arch +
                           ".feed_forward_length and consistent attention head counts");
  }
  std::vector<int64_t> new_index(static_cast<size_t>(d.n_layer));
  for (int64_t l : o.drop_layers) {
    if (l < 0 || l >= d.n_layer) {
      return InvalidArgument("--drop-layers: layer " + std::to_string(l) + " is out of range [0, " +
                             std::to_string(d.n_layer) + ")");
    }
  }
  int64_t kept_layers = 0;
  for (int64_t l = 0; l < d.n_layer; ++l) {
    const bool drop =
        std::find(o.drop_layers.begin(), o.drop_layers.end(), l) != o.drop_layers.end();
    new_index[l] = drop ? -1 : kept_layers++;
  }
  if (kept_layers == 0) return InvalidArgument("--drop-layers would remove every layer");
  if (!o.layer_sparsity.empty() && static_cast<int64_t>(o.layer_sparsity.size()) != d.n_layer) {
    return InvalidArgument("per-layer sparsity has " + std::to_string(o.layer_sparsity.size()) +
                           " values; " + in_path + " has " + std::to_string(d.n_layer) +
                           " layers");
  }

  for (const formats::GgufTensorInfo& t : f.tensors()) {
    const std::vector<float> stat = Stat(o.importance, t.name);
    if (!stat.empty() && static_cast<int64_t>(stat.size()) != t.shape.ne[0]) {
      return InvalidArgument("calibration statistics of tensor '" + t.name + "' have " +
                             std::to_string(stat.size()) + " values; the tensor has " +
                             std::to_string(t.shape.ne[0]) + " columns");
    }
  }

  PruneReport report;
  report.in_file_bytes = f.file_size();
  report.n_layer_from = d.n_layer;
  report.n_layer_to = kept_layers;
  report.n_ff_from = report.n_ff_to = d.n_ff;
  report.n_head_from = report.n_head_to = d.n_head;
  report.n_head_kv_from = report.n_head_kv_to = d.n_head_kv;
  std::vector<LayerPlan> plans(static_cast<size_t>(d.n_layer));
  if (structured) {
    for (int64_t l = 0; l < d.n_layer; ++l) {
      if (new_index[l] < 0) continue;
      MT_ASSIGN_OR_RETURN(plans[l], PlanLayer(f, d, l, o));
      if (!plans[l].ffn.empty()) report.n_ff_to = static_cast<int64_t>(plans[l].ffn.size());
      if (!plans[l].kv_rows.empty()) {
        report.n_head_kv_to = static_cast<int64_t>(plans[l].kv_rows.size()) / d.head_dim;
        report.n_head_to = report.n_head_kv_to * (d.n_head / d.n_head_kv);
      }
    }
  }

  ThreadPool pool(o.n_threads > 0 ? o.n_threads : HardwareConcurrency());
  ImportanceMatrix out_importance;
  std::vector<std::vector<uint8_t>> buffers;  // inner data pointers survive moves
  buffers.reserve(f.tensors().size());
  formats::GgufWriter w;
  for (const formats::GgufKv& kv : f.metadata()) w.SetValue(kv.key, kv.value);
  const std::string a = d.arch + ".";
  if (report.n_layer_to != d.n_layer) w.SetUint32(a + "block_count", report.n_layer_to);
  if (report.n_ff_to != d.n_ff) w.SetUint32(a + "feed_forward_length", report.n_ff_to);
  if (report.n_head_to != d.n_head) {
    MT_ASSIGN_OR_RETURN(int64_t v_len, f.GetIntOr(a + "attention.value_length", d.head_dim));
    w.SetUint32(a + "attention.head_count", report.n_head_to);
    w.SetUint32(a + "attention.head_count_kv", report.n_head_kv_to);
    w.SetUint32(a + "attention.key_length", d.head_dim);
    w.SetUint32(a + "attention.value_length", v_len);
  }

  for (const formats::GgufTensorInfo& t : f.tensors()) {
    int64_t layer = -1;
    std::string role, name = t.name;
    const bool in_block = SplitBlockName(t.name, &layer, &role);
    if (in_block) {
      if (layer >= d.n_layer) {
        return InvalidArgument(in_path + ": tensor '" + t.name + "' is past block_count " +
                               std::to_string(d.n_layer));
      }
      if (new_index[layer] < 0) continue;
      name = "blk." + std::to_string(new_index[layer]) + "." + role;
    }
    const Selection sel = in_block ? SelectionFor(role, plans[layer]) : Selection{};
    const double sparsity = in_block && !o.layer_sparsity.empty() ? o.layer_sparsity[layer]
                                                                   : o.sparsity;
    const bool prunable = (sparsity > 0 || o.pattern.m != 0) && in_block &&
                          ProjectionRoles().count(role) > 0;
    std::vector<float> stat = Stat(o.importance, t.name);
    if (!stat.empty() && sel.cols) stat = SelectElements(stat, *sel.cols);
    const std::vector<float> norm = Norms(stat);
    if (!stat.empty()) out_importance[name] = std::move(stat);
    if (!sel.rows && !sel.cols && !prunable) {
      // A projection left dense by a per-layer sparsity of 0 still counts in the total.
      if (in_block && !o.layer_sparsity.empty() && ProjectionRoles().count(role) > 0) {
        report.n_prunable += t.shape.NumElements();
      }
      w.AddTensor(name, t.dtype, t.shape, f.View(t).data);
      continue;
    }
    MT_ASSIGN_OR_RETURN(FloatMatrix m, ReadMatrix(f, t.name));
    if (sel.rows && t.shape.n_dims == 1) {
      m = SelectColumns(m, *sel.rows);  // a bias: its elements are the rows of its matrix
    } else if (sel.rows) {
      m = SelectRows(m, *sel.rows);
    }
    if (sel.cols) m = SelectColumns(m, *sel.cols);
    Shape shape = t.shape;
    if (shape.n_dims == 1) {
      shape.ne[0] = m.cols;
    } else {
      shape.ne[0] = m.cols;
      shape.ne[1] = m.rows;
    }
    PrunedTensor pt{name, t.shape, shape, 0, static_cast<int64_t>(m.v.size())};
    if (prunable) {
      if (o.pattern.m > 0 && m.cols % o.pattern.m != 0) {
        return InvalidArgument("--pattern " + std::to_string(o.pattern.n) + ":" +
                               std::to_string(o.pattern.m) + ": M does not divide the rows of "
                               "tensor '" + t.name + "' (" + std::to_string(m.cols) +
                               " weights)");
      }
      if (o.method == PruneMethod::kWanda && norm.empty()) {
        return InvalidArgument("--method wanda: no calibration statistics for tensor '" +
                               t.name + "'");
      }
      pt.n_zero = MaskRows(pool, m, Ptr(norm), o, sparsity);
      report.n_zero += pt.n_zero;
      report.n_prunable += pt.n_total;
    } else if (in_block && !o.layer_sparsity.empty() && ProjectionRoles().count(role) > 0) {
      report.n_prunable += pt.n_total;
    }
    buffers.push_back(Encode(m, t.dtype));
    w.AddTensor(name, t.dtype, shape, buffers.back().data());
    report.tensors.push_back(std::move(pt));
  }

  if (o.type.empty()) {
    MT_RETURN_IF_ERROR(w.Write(out_path));
  } else {
    // Prune, then quantize: the pruned model is staged beside OUT and removed afterwards.
    const std::string staged = out_path + ".prune-staging.gguf";
    MT_RETURN_IF_ERROR(w.Write(staged));
    QuantizeOptions q;
    q.type = o.type;
    q.n_threads = o.n_threads;
    if (o.importance) q.importance = &out_importance;
    auto r = Quantize(staged, out_path, q);
    std::error_code ec;
    fs::remove(staged, ec);
    if (!r.ok()) return r.status();
    report.notes = r->notes;
  }
  std::error_code ec;
  report.out_file_bytes = fs::file_size(out_path, ec);
  return report;
}

}  // namespace miaotui::compress
