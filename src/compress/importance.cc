#include "compress/importance.h"

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "formats/gguf.h"
#include "models/registry.h"
#include "runtime/session.h"

namespace miaotui::compress {
namespace {

Result<std::unique_ptr<models::Model>> LoadFrom(std::shared_ptr<const formats::GgufFile> f) {
  MT_ASSIGN_OR_RETURN(std::string arch, f->GetString("general.architecture"));
  for (const auto& a : models::Architectures()) {
    if (a.gguf_name == arch) return a.from_gguf(f);
  }
  return Unimplemented(f->path() + ": architecture '" + arch + "' is not supported");
}

// Sums of x^2 per column and the rows seen, per tensor.
struct Accumulator {
  std::vector<double> sum;
  int64_t rows = 0;
};

}  // namespace

Result<Importance> CollectImportance(const std::string& gguf_path, const std::string& text,
                                     const CalibrationOptions& options) {
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> opened,
                      formats::GgufFile::Open(gguf_path));
  std::shared_ptr<const formats::GgufFile> file(std::move(opened));
  auto loaded = LoadFrom(file);
  if (!loaded.ok()) return loaded.status().WithPrefix("calibration");
  const models::Model& model = **loaded;
  std::map<const void*, std::string> name_of;
  for (const auto& t : file->tensors()) name_of[file->View(t).data] = t.name;

  const std::vector<int32_t> tokens = model.tokenizer().Encode(text, /*add_special=*/true);
  const int64_t n_ctx = std::max<int64_t>(2, options.n_ctx);
  if (tokens.size() < 2) return InvalidArgument("the calibration text has fewer than 2 tokens");
  int64_t n_chunks = std::max<int64_t>(1, static_cast<int64_t>(tokens.size()) / n_ctx);
  if (options.n_chunks > 0) n_chunks = std::min(n_chunks, options.n_chunks);
  const int64_t len = std::min<int64_t>(n_ctx, static_cast<int64_t>(tokens.size()));

  runtime::SessionOptions so;
  so.n_threads = options.n_threads;
  so.n_ctx = len;
  so.max_batch = len;
  so.kv_type = DType::kF32;
  MT_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Session> session,
                      runtime::Session::Create(model, so));
  std::map<std::string, Accumulator> acc;
  session->SetNodeObserver([&](const graph::Graph& g, const graph::Node& n,
                               const graph::Executor& ex) {
    if (n.op != graph::Op::kMatMul) return;
    const graph::Node& w = g.nodes[n.inputs[1]];
    auto it = name_of.find(w.weight.data);
    if (it == name_of.end()) return;
    const graph::Node& in = g.nodes[n.inputs[0]];
    const int64_t cols = in.shape.ne[0], rows = in.shape.NumRows();
    const float* x = ex.Output(g, graph::Tensor{n.inputs[0]});
    Accumulator& a = acc[it->second];
    a.sum.resize(static_cast<size_t>(cols), 0.0);
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) a.sum[c] += static_cast<double>(row[c]) * row[c];
    }
    a.rows += rows;
  });
  const bool add_bos = model.tokenizer().vocab().add_bos && model.tokenizer().bos_id() >= 0;
  Importance result;
  std::vector<int32_t> chunk;
  for (int64_t c = 0; c < n_chunks; ++c) {
    chunk.assign(tokens.begin() + c * len, tokens.begin() + (c + 1) * len);
    if (add_bos) chunk[0] = model.tokenizer().bos_id();
    session->Reset();
    MT_RETURN_IF_ERROR(session->Decode(chunk, /*all_logits=*/true).status());
    result.n_tokens += len;
    if (options.progress) options.progress(c + 1, n_chunks);
  }
  session->SetNodeObserver(nullptr);
  if (acc.empty()) {
    return Internal(gguf_path + ": no matrix product of the model matched a tensor of the file");
  }
  for (auto& [name, a] : acc) {
    // A floor of 1e-4 of the tensor's average keeps a never-active column from getting no
    // weight at all (which would leave a sub-block without a fit).
    double avg = 0;
    for (double s : a.sum) avg += s / a.rows;
    const double floor = 1e-4 * avg / std::max<size_t>(1, a.sum.size()) + 1e-30;
    std::vector<float> mean(a.sum.size());
    for (size_t i = 0; i < mean.size(); ++i) {
      mean[i] = static_cast<float>(std::max(a.sum[i] / a.rows, floor));
    }
    result.matrix[name] = std::move(mean);
  }
  return result;
}

}  // namespace miaotui::compress
