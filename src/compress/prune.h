// Prune: writes a pruned GGUF from an F32/F16/BF16 Llama-family GGUF (`miaotui prune`).
//
// Contract:
//  - Unstructured / N:M (sparsity > 0 or a pattern): in every attention and FFN projection
//    (blk.N.attn_{q,k,v,output,qkv}.weight, blk.N.ffn_{gate,up,down}.weight; never embeddings,
//    the output head or norms) weights are ranked within a comparison group: with group kRow
//    each output row on its own, exactly floor(S * n_in) weights of every row set to zero, those
//    of lowest score; with group kTensor the whole tensor at once, exactly floor(S * n_in *
//    n_out) zeros in it (rows differ). kAuto is what the Wanda paper (arXiv 2306.11695) compares:
//    wanda per row, magnitude per tensor ("layer" there). With a pattern
//    N:M every group of M consecutive input weights keeps exactly its N highest scores. Score:
//    magnitude = |w|; wanda = |w| * sqrt(mean x_j^2) (the input column's activation norm from
//    calibration, compress/importance.h); among equal scores the lower column index (kTensor: the
//    lower row, then column) is pruned first (deterministic). layer_sparsity, when given, is S
//    layer by layer (one value per block of the input).
//    Zeros are stored densely; every tensor keeps its input type.
//  - Structured (ffn_keep < 1, heads_keep < 1, drop_layers): writes a model with smaller
//    dimensions. Per layer, the FFN intermediate channels of lowest score are removed (rows of
//    ffn_gate/ffn_up, columns of ffn_down); the kept width is the same in every layer, the
//    largest multiple of a granule not above ffn_keep * n_ff (at least one granule): 256 when
//    n_ff is >= 16 multiples of 256 (K-quant blocks stay whole), else 32 when n_ff is >= 16
//    multiples of 32, else 1 (FfnKeptWidth). Attention heads are removed by whole KV groups (a
//    KV head with the query heads that share it; with n_head == n_head_kv, single heads), so the
//    grouping ratio is unchanged: round(heads_keep * n_head_kv) groups kept (at least 1), the
//    same count in every layer. Metadata updated: feed_forward_length, attention.head_count(_kv),
//    attention.key_length/value_length (the head size, unchanged), block_count. Channel score:
//    the Wanda score (or |w| without calibration) summed over the channel's row of ffn_gate and
//    ffn_up and its column of ffn_down; a head group's score sums its rows of q/k/v and its
//    columns of attn_output.
//  - Structured runs before unstructured, so both may be combined.
//  - type non-empty: the pruned model is then quantized (compress::Quantize with that preset;
//    with calibration, importance-weighted using the statistics remapped to the kept columns).
//  - Errors (InvalidArgument, naming the option/file/tensor): sparsity outside [0, 1) (also a
//    layer's, or layer_sparsity not one value per layer), group kTensor with a pattern, a pattern
//    with N < 1, N >= M or M not dividing a pruned row, a keep ratio outside (0, 1], wanda
//    without calibration statistics, a quantized input tensor to prune, a fused tensor layout
//    structured pruning does not know (ffn_gate_up, attn_qkv), a layer index out of range,
//    dropping every layer, nothing to do. Writes atomically; never overwrites its input.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/importance.h"
#include "compress/quantize.h"
#include "tensor/tensor_view.h"

namespace miaotui::compress {

enum class PruneMethod { kMagnitude, kWanda };

// Which weights compete in unstructured (sparsity) pruning; N:M patterns always rank per group.
enum class PruneGroup { kAuto, kRow, kTensor };

// Keep n of every m consecutive input weights; m == 0: no pattern.
struct NmPattern {
  int n = 0, m = 0;
};

struct PruneOptions {
  PruneMethod method = PruneMethod::kMagnitude;
  double sparsity = 0;  // unstructured fraction zeroed per row (or tensor), in [0, 1)
  PruneGroup group = PruneGroup::kAuto;
  // When non-empty: the sparsity of each layer (block_count values, each in [0, 1)), replacing
  // `sparsity`.
  std::vector<double> layer_sparsity;
  NmPattern pattern;    // when m > 0, replaces sparsity
  double ffn_keep = 1;    // (0, 1]
  double heads_keep = 1;  // (0, 1]
  std::vector<int64_t> drop_layers;  // layer indices removed (the rest renumbered)
  // Mean x^2 per input column, per tensor name (CollectImportance). Required for wanda; used for
  // structured scores when present (else magnitude).
  const ImportanceMatrix* importance = nullptr;
  std::string type;  // "" keeps the input's types; else a quantize preset applied afterwards
  int n_threads = 0;  // 0: every core
};

struct PrunedTensor {
  std::string name;
  Shape from, to;
  int64_t n_zero = 0;  // zero weights in the output tensor
  int64_t n_total = 0;
};

struct PruneReport {
  std::vector<PrunedTensor> tensors;  // every tensor changed (zeroed or resized)
  int64_t n_layer_from = 0, n_layer_to = 0;
  int64_t n_ff_from = 0, n_ff_to = 0;
  int64_t n_head_from = 0, n_head_to = 0, n_head_kv_from = 0, n_head_kv_to = 0;
  uint64_t in_file_bytes = 0, out_file_bytes = 0;
  int64_t n_zero = 0, n_prunable = 0;  // over the pruned projections of the output
  std::vector<std::string> notes;      // one line each (e.g. the quantizer's)
};

// "2:4" -> {2, 4}. Errors name the text: not N:M, N < 1, N >= M.
Result<NmPattern> ParseNmPattern(const std::string& text);
// "wanda" / "magnitude".
Result<PruneMethod> ParsePruneMethod(const std::string& text);
// "row" / "tensor".
Result<PruneGroup> ParsePruneGroup(const std::string& text);
// The group a method ranks in: kAuto resolved (wanda: kRow, magnitude: kTensor).
PruneGroup ResolvedGroup(const PruneOptions& options);
// Range checks of the options alone (no file needed); Prune calls it too.
Status ValidatePruneOptions(const PruneOptions& options);

// CollectImportance for pruning; refuses a text of fewer tokens than one window (options.n_ctx):
// too short to estimate activation norms.
Result<ImportanceMatrix> CalibrateForPruning(const std::string& gguf_path, const std::string& text,
                                             const CalibrationOptions& options);

Result<PruneReport> Prune(const std::string& in_path, const std::string& out_path,
                          const PruneOptions& options);

}  // namespace miaotui::compress
