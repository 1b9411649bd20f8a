#include "compress/quantize.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>

#include "base/cpu_features.h"
#include "base/half.h"
#include "base/thread_pool.h"
#include "compress/tensor_type_rule.h"
#include "formats/gguf.h"
#include "quant/convert.h"

namespace miaotui::compress {
namespace {

namespace fs = std::filesystem;

bool IsFloatType(DType t) { return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16; }

Status CheckPaths(const std::string& in, const std::string& out) {
  std::error_code ec;
  if (!fs::exists(in, ec)) return NotFound(in + ": no such file or folder");
  if (fs::is_directory(in, ec)) {
    return Unimplemented(in + " is a Hugging Face folder; quantize reads GGUF files for now "
                         "(convert the folder to an F32/F16 GGUF first)");
  }
  if (out.empty()) return InvalidArgument("no output path given");
  if (fs::is_directory(out, ec)) return InvalidArgument(out + ": output path is a folder");
  if (fs::exists(out, ec) && fs::equivalent(in, out, ec)) {
    return InvalidArgument("refusing to overwrite the input model " + in + " (the output " +
                           out + " is the same file)");
  }
  return Status::Ok();
}

Result<ModelFacts> ReadFacts(const formats::GgufFile& f) {
  ModelFacts m;
  MT_ASSIGN_OR_RETURN(m.arch, f.GetStringOr("general.architecture", ""));
  const std::string a = m.arch + ".";
  MT_ASSIGN_OR_RETURN(m.n_layer, f.GetIntOr(a + "block_count", 0));
  MT_ASSIGN_OR_RETURN(m.n_head, f.GetIntOr(a + "attention.head_count", 0));
  MT_ASSIGN_OR_RETURN(m.n_head_kv, f.GetIntOr(a + "attention.head_count_kv", m.n_head));
  MT_ASSIGN_OR_RETURN(m.n_expert, f.GetIntOr(a + "expert_count", 0));
  m.has_output = f.FindTensor("output.weight") != nullptr;
  for (const auto& t : f.tensors()) {
    const std::string& n = t.name;
    if (n.find("attn_v.weight") != std::string::npos ||
        n.find("attn_qkv.weight") != std::string::npos ||
        n.find("attn_kv_b.weight") != std::string::npos) {
      ++m.n_attn_v;
    }
  }
  return m;
}

// One planned output tensor.
struct Job {
  const formats::GgufTensorInfo* info = nullptr;
  DType to = DType::kF32;
  const float* importance = nullptr;  // ne[0] weights or null
  const uint8_t* src = nullptr;       // the input tensor's bytes
  std::vector<uint8_t> bytes;         // converted data (empty when copied unchanged)
};

std::string RowError(const std::string& tensor, int64_t row, const std::string& what) {
  return "tensor '" + tensor + "' " + what + " (row " + std::to_string(row) + ")";
}

bool AllFinite(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) return false;
  }
  return true;
}

// Converts one row; returns an empty string or what went wrong.
std::string ConvertRow(DType from, const uint8_t* src, DType to, uint8_t* dst, int64_t n,
                       const float* importance, std::vector<float>& x, std::vector<float>& y) {
  if (!quant::DequantizeRow(from, src, x.data(), n).ok()) return "cannot be read as floats";
  if (!AllFinite(x.data(), n)) return "has NaN or Inf values";
  if (to == DType::kF32) {
    std::memcpy(dst, x.data(), static_cast<size_t>(n) * sizeof(float));
    return "";
  }
  if (to == DType::kF16 || to == DType::kBF16) {
    for (int64_t i = 0; i < n; ++i) {
      const uint16_t h = to == DType::kF16 ? FloatToHalf(x[i]) : FloatToBf16(x[i]);
      std::memcpy(dst + 2 * i, &h, 2);
    }
  } else {
    Status s = importance ? quant::QuantizeRowWeighted(to, x.data(), dst, n, importance)
                          : quant::QuantizeRowInto(to, x.data(), dst, n);
    if (!s.ok()) return s.message();
  }
  if (!quant::DequantizeRow(to, dst, y.data(), n).ok() || !AllFinite(y.data(), n)) {
    return std::string("has values out of the range of ") + DTypeName(to) +
           " (its quantized form is not finite)";
  }
  return "";
}

Status ConvertTensor(ThreadPool& pool, Job& job) {
  const formats::GgufTensorInfo& t = *job.info;
  const int64_t n = t.shape.ne[0], rows = t.shape.NumRows();
  const size_t in_row = RowBytes(t.dtype, n), out_row = RowBytes(job.to, n);
  job.bytes.resize(out_row * static_cast<size_t>(rows));
  std::vector<std::string> errors(static_cast<size_t>(pool.size()));
  std::vector<int64_t> error_rows(static_cast<size_t>(pool.size()), -1);
  pool.Run([&](int ith, int nth) {
    int64_t r0, r1;
    ThreadPool::SplitRange(rows, nth, ith, &r0, &r1);
    std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    for (int64_t r = r0; r < r1; ++r) {
      std::string e = ConvertRow(t.dtype, job.src + r * in_row, job.to,
                                 job.bytes.data() + r * out_row, n, job.importance, x, y);
      if (!e.empty()) {
        errors[ith] = e;
        error_rows[ith] = r;
        return;
      }
    }
  });
  for (size_t i = 0; i < errors.size(); ++i) {
    if (error_rows[i] >= 0) return InvalidArgument(RowError(t.name, error_rows[i], errors[i]));
  }
  return Status::Ok();
}

}  // namespace

Result<QuantizeReport> Quantize(const std::string& in_path, const std::string& out_path,
                                const QuantizeOptions& options) {
  MT_ASSIGN_OR_RETURN(QuantPreset preset, ParseQuantPreset(options.type));
  MT_RETURN_IF_ERROR(CheckPaths(in_path, out_path));
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> file, formats::GgufFile::Open(in_path));
  const formats::GgufFile& f = *file;
  MT_ASSIGN_OR_RETURN(ModelFacts facts, ReadFacts(f));
  const bool has_imp = options.importance != nullptr && !options.importance->empty();
  TensorTypeRule rule(preset, facts, options.pure, has_imp);

  QuantizeReport report;
  report.preset = preset;
  report.in_file_bytes = f.file_size();
  std::vector<std::string> names;
  for (const auto& t : f.tensors()) names.push_back(t.name);
  SortForQuantize(names);
  std::vector<Job> jobs;
  int64_t total_bytes = 0;
  for (const std::string& name : names) {
    const formats::GgufTensorInfo* t = f.FindTensor(name);
    Job job;
    job.info = t;
    job.to = t->dtype;
    if (ShouldQuantize(name, t->shape)) {
      if (!IsFloatType(t->dtype) && preset.base != DType::kF32) {
        return InvalidArgument(in_path + ": tensor '" + name + "' is " + DTypeName(t->dtype) +
                               "; quantize needs F32, F16 or BF16 weights (requantizing is "
                               "not supported; --type F32 dequantizes)");
      }
      std::string note;
      job.to = rule.Choose(name, t->shape, &note);
      if (options.tensor_types != nullptr) {
        if (auto it = options.tensor_types->find(name); it != options.tensor_types->end()) {
          if (t->shape.ne[0] % GetDTypeInfo(it->second).block_size != 0) {
            return InvalidArgument("tensor '" + name + "': rows of " +
                                   std::to_string(t->shape.ne[0]) + " values cannot be " +
                                   DTypeName(it->second));
          }
          job.to = it->second;
          note.clear();
        }
      }
      if (!note.empty()) report.notes.push_back(note);
      if (has_imp) {
        auto it = options.importance->find(name);
        if (it != options.importance->end()) {
          if (static_cast<int64_t>(it->second.size()) != t->shape.ne[0]) {
            return InvalidArgument("importance of tensor '" + name + "' has " +
                                   std::to_string(it->second.size()) + " values, expected " +
                                   std::to_string(t->shape.ne[0]));
          }
          job.importance = it->second.data();
        }
      }
    }
    total_bytes += static_cast<int64_t>(t->n_bytes);
    report.tensors.push_back({name, t->dtype, job.to});
    jobs.push_back(std::move(job));
  }

  ThreadPool pool(options.n_threads > 0 ? options.n_threads : HardwareConcurrency());
  formats::GgufWriter w;
  for (const formats::GgufKv& kv : f.metadata()) {
    if (kv.key == "general.file_type" || kv.key == "general.quantization_version") continue;
    w.SetValue(kv.key, kv.value);
  }
  w.SetUint32("general.quantization_version", 2);
  w.SetUint32("general.file_type", static_cast<uint32_t>(preset.file_type));
  int64_t done = 0;
  for (Job& job : jobs) {
    const formats::GgufTensorInfo& t = *job.info;
    job.src = static_cast<const uint8_t*>(f.View(t).data);
    if (job.to != t.dtype || IsFloatType(t.dtype)) MT_RETURN_IF_ERROR(ConvertTensor(pool, job));
    w.AddTensor(t.name, job.to, t.shape, job.bytes.empty() ? job.src : job.bytes.data());
    done += static_cast<int64_t>(t.n_bytes);
    if (options.progress) options.progress(done, total_bytes);
  }
  MT_RETURN_IF_ERROR(w.Write(out_path));
  std::error_code ec;
  report.out_file_bytes = fs::file_size(out_path, ec);
  return report;
}

}  // namespace miaotui::compress
