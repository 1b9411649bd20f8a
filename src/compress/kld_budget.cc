#include "compress/kld_budget.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "compress/tensor_type_rule.h"
#include "formats/gguf.h"
#include "models/model.h"

namespace miaotui::compress {
namespace {

namespace fs = std::filesystem;

double BitsPerWeight(DType t) {
  const DTypeInfo& i = GetDTypeInfo(t);
  return 8.0 * static_cast<double>(i.block_bytes) / static_cast<double>(i.block_size);
}

bool Fits(DType t, int64_t ne0) { return ne0 % GetDTypeInfo(t).block_size == 0; }

// The type a tensor with rows of ne0 values gets at ladder type `want` (see the header).
std::optional<DType> TypeForRows(DType want, int64_t ne0) {
  if (Fits(want, ne0)) return want;
  for (DType t : {DType::kQ4_0, DType::kQ5_0, DType::kQ8_0}) {
    if (Fits(t, ne0) && BitsPerWeight(t) >= BitsPerWeight(want)) return t;
  }
  return std::nullopt;
}

struct Searched {
  std::string name;
  int64_t ne0 = 0, n_elements = 0;
  int level = 0;
};

class Search {
 public:
  Search(const std::string& in, const std::string& out, const std::string& text,
         const KldBudgetOptions& o, const models::Model& base)
      : in_(in), out_(out), text_(text), o_(o), base_(base),
        try_path_(out + ".kld-try.gguf"), best_path_(out + ".kld-best.gguf") {}
  ~Search() {
    std::error_code ec;
    fs::remove(try_path_, ec);
    fs::remove(best_path_, ec);
  }

  Status Init() {
    MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> f, formats::GgufFile::Open(in_));
    for (const auto& t : f->tensors()) {
      if (!ShouldQuantize(t.name, t.shape)) continue;
      if (!TypeForRows(o_.ladder.back(), t.shape.ne[0])) continue;
      tensors_.push_back({t.name, t.shape.ne[0], t.shape.NumElements(), 0});
    }
    if (tensors_.empty()) return InvalidArgument(in_ + ": no tensor to quantize");
    return Status::Ok();
  }

  int evals() const { return static_cast<int>(result_.trials.size()); }
  bool CanEval() const { return evals() < o_.max_evals; }
  int top() const { return static_cast<int>(o_.ladder.size()) - 1; }

  DType TypeOf(const Searched& t, int level) const {
    return *TypeForRows(o_.ladder[static_cast<size_t>(level)], t.ne0);
  }

  // Quantizes with the current levels, measures, and keeps the file as the best when within.
  // A mix measured before (ladder levels that fall back to the same types) is not measured again.
  Result<bool> Try(const std::string& what) {
    std::map<std::string, DType> types;
    for (const Searched& t : tensors_) types[t.name] = TypeOf(t, t.level);
    if (auto it = seen_.find(types); it != seen_.end()) return it->second;
    QuantizeOptions qo;
    qo.type = "Q8_0";
    qo.pure = true;
    qo.n_threads = o_.eval.n_threads;
    qo.importance = o_.importance;
    qo.tensor_types = &types;
    MT_ASSIGN_OR_RETURN(QuantizeReport qr, Quantize(in_, try_path_, qo));
    PerplexityResult pr;
    {
      MT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> m, models::LoadModel(try_path_));
      MT_ASSIGN_OR_RETURN(pr, Perplexity(*m, &base_, text_, o_.eval));
    }
    KldTrial trial{what, qr.out_file_bytes, pr.mean_kl, pr.mean_kl_error, pr.mean_kl <= o_.max_kld};
    result_.trials.push_back(trial);
    seen_[types] = trial.within;
    if (o_.progress) o_.progress(what, trial.file_bytes, trial.mean_kl, trial.within);
    if (trial.within && (!have_best_ || qr.out_file_bytes <= result_.quantize.out_file_bytes)) {
      std::error_code ec;
      fs::rename(try_path_, best_path_, ec);
      if (ec) return Internal("cannot rename " + try_path_ + ": " + ec.message());
      have_best_ = true;
      result_.types = std::move(types);
      result_.quantize = std::move(qr);
      result_.measured = pr;
    }
    return trial.within;
  }

  void SetAll(int level) {
    for (Searched& t : tensors_) t.level = level;
  }

  Status Run() {
    SetAll(top());
    MT_ASSIGN_OR_RETURN(bool ok, Try(std::string("uniform ") + DTypeName(o_.ladder.back())));
    if (!ok) {
      const KldTrial& t = result_.trials.back();
      char buf[160];
      std::snprintf(buf, sizeof(buf), "mean KL %.6f with every tensor %s is above --max-kld %g",
                    t.mean_kl, DTypeName(o_.ladder.back()), o_.max_kld);
      return OutOfRange(std::string(buf) + ": no file within the budget");
    }
    // Bisection: `hi` is within budget, everything below `lo` is not.
    int lo = 0, hi = top();
    while (lo < hi && CanEval()) {
      const int mid = (lo + hi) / 2;
      SetAll(mid);
      MT_ASSIGN_OR_RETURN(bool within,
                          Try(std::string("uniform ") + DTypeName(o_.ladder[static_cast<size_t>(mid)])));
      if (within) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    SetAll(hi);
    // Greedy refinement, largest savings first.
    for (bool kept = true; kept && CanEval();) {
      kept = false;
      std::vector<size_t> order;
      for (size_t i = 0; i < tensors_.size(); ++i) {
        if (tensors_[i].level > 0) order.push_back(i);
      }
      auto saving = [&](size_t i) {
        const Searched& t = tensors_[i];
        return t.n_elements * (BitsPerWeight(TypeOf(t, t.level)) - BitsPerWeight(TypeOf(t, t.level - 1)));
      };
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return saving(a) > saving(b); });
      for (size_t i : order) {
        if (!CanEval()) break;
        if (saving(i) <= 0) continue;  // the lower level falls back to the same type
        Searched& t = tensors_[i];
        --t.level;
        MT_ASSIGN_OR_RETURN(bool within, Try(t.name + " -> " + DTypeName(TypeOf(t, t.level))));
        if (within) {
          kept = true;
        } else {
          ++t.level;
        }
      }
    }
    std::error_code ec;
    fs::rename(best_path_, out_, ec);
    if (ec) return Internal("cannot write " + out_ + ": " + ec.message());
    return Status::Ok();
  }

  KldBudgetResult& result() { return result_; }

 private:
  std::string in_, out_, text_;
  const KldBudgetOptions& o_;
  const models::Model& base_;
  std::string try_path_, best_path_;
  std::vector<Searched> tensors_;
  KldBudgetResult result_;
  std::map<std::map<std::string, DType>, bool> seen_;  // mixes measured: within budget?
  bool have_best_ = false;
};

Status CheckOptions(const KldBudgetOptions& o) {
  if (!(o.max_kld > 0) || !std::isfinite(o.max_kld)) {
    return InvalidArgument("--max-kld must be a positive number, got " + std::to_string(o.max_kld));
  }
  if (o.ladder.empty()) return InvalidArgument("--max-kld: empty type ladder");
  for (size_t i = 1; i < o.ladder.size(); ++i) {
    if (BitsPerWeight(o.ladder[i]) <= BitsPerWeight(o.ladder[i - 1])) {
      return InvalidArgument(std::string("--max-kld: the type ladder must grow in bits per weight (") +
                             DTypeName(o.ladder[i - 1]) + " then " + DTypeName(o.ladder[i]) + ")");
    }
  }
  if (o.max_evals < 2) {
    return InvalidArgument("--max-evals must be at least 2, got " + std::to_string(o.max_evals));
  }
  return Status::Ok();
}

}  // namespace

Result<KldBudgetResult> QuantizeWithinKld(const std::string& in_path, const std::string& out_path,
                                          const std::string& eval_text,
                                          const KldBudgetOptions& options) {
  MT_RETURN_IF_ERROR(CheckOptions(options));
  std::error_code ec;
  if (!fs::is_regular_file(in_path, ec)) return NotFound(in_path + ": no such GGUF file");
  if (fs::exists(out_path, ec) && fs::equivalent(in_path, out_path, ec)) {
    return InvalidArgument("refusing to overwrite the input model " + in_path);
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> base, models::LoadModel(in_path));
  Search search(in_path, out_path, eval_text, options, *base);
  MT_RETURN_IF_ERROR(search.Init());
  MT_RETURN_IF_ERROR(search.Run());
  return std::move(search.result());
}

}  // namespace miaotui::compress
