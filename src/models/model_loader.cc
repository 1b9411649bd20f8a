// LoadModel: recognises a GGUF file or a Hugging Face folder and dispatches to the registered
// architecture.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/check.h"
#include "base/mmap_file.h"
#include "models/registry.h"

namespace miaotui::models {
namespace {

std::string SupportedList(bool hf) {
  std::string s;
  for (const auto& a : Architectures()) {
    if (hf) {
      for (const auto& n : a.hf_names) s += (s.empty() ? "" : ", ") + n;
    } else {
      s += (s.empty() ? "" : ", ") + a.gguf_name;
    }
  }
  return s;
}

}  // namespace

Result<std::string> ReadHfArchitecture(const std::string& dir);  // model_loader_hf.cc

std::optional<std::string> Model::FindNonFiniteWeight() const {
  return source_ ? source_->FindNonFinite() : std::nullopt;
}

EncoderGraph Model::BuildEncoder(int64_t, int64_t, ops::PoolMode) const {
  CHECK(false && "BuildEncoder called on a decoder model");
  return {};
}

Result<std::unique_ptr<Model>> LoadModel(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such file or folder");
  if (std::filesystem::is_directory(path, ec)) {
    MT_ASSIGN_OR_RETURN(std::string arch, ReadHfArchitecture(path));
    for (const auto& a : Architectures()) {
      for (const auto& n : a.hf_names) {
        if (n == arch) return a.from_hf(path);
      }
    }
    return Unimplemented(path + "/config.json: architecture '" + arch +
                         "' is not supported (supported: " + SupportedList(true) + ")");
  }
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> file, formats::GgufFile::Open(path));
  std::shared_ptr<const formats::GgufFile> gguf(std::move(file));
  MT_ASSIGN_OR_RETURN(std::string arch, gguf->GetString("general.architecture"));
  for (const auto& a : Architectures()) {
    if (a.gguf_name == arch) return a.from_gguf(gguf);
  }
  return Unimplemented(path + ": general.architecture is '" + arch +
                       "', which is not supported (supported: " + SupportedList(false) + ")");
}

namespace {

// FNV-1a over the file size and every byte before the tensor data (header, metadata, tensor
// table): two ranks with different files disagree here without reading any weights.
uint64_t Fingerprint(const formats::GgufFile& f) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  const uint64_t size = f.file_size();
  mix(reinterpret_cast<const uint8_t*>(&size), sizeof(size));
  mix(f.raw_data(), static_cast<size_t>(f.data_offset()));
  return h;
}

// The same for a Hugging Face folder: config.json and every *.safetensors file's size and header
// (its first 8 + N bytes), in name order; no weight bytes are read.
Result<uint64_t> HfFingerprint(const std::string& dir) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  std::vector<std::filesystem::path> files = {std::filesystem::path(dir) / "config.json"};
  std::vector<std::filesystem::path> weights;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".safetensors") weights.push_back(e.path());
  }
  std::sort(weights.begin(), weights.end());
  files.insert(files.end(), weights.begin(), weights.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return NotFound(f.string() + ": cannot be read");
    const uint64_t size = std::filesystem::file_size(f, ec);
    mix(&size, sizeof(size));
    uint64_t n = size;  // config.json: all of it
    if (f.extension() == ".safetensors") {
      uint8_t len[8] = {};
      in.read(reinterpret_cast<char*>(len), 8);
      n = 0;
      for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
      mix(len, 8);
    }
    std::vector<char> bytes(static_cast<size_t>(std::min<uint64_t>(n, size)));
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    mix(bytes.data(), static_cast<size_t>(in.gcount()));
  }
  return h;
}

Result<std::unique_ptr<Model>> LoadHfShard(const std::string& dir, const Shard& shard) {
  if (shard.whole()) return LoadModel(dir);
  MT_ASSIGN_OR_RETURN(std::string arch, ReadHfArchitecture(dir));
  for (const auto& a : Architectures()) {
    if (std::find(a.hf_names.begin(), a.hf_names.end(), arch) == a.hf_names.end()) continue;
    if (!a.from_hf_shard) {
      return Unimplemented(dir + "/config.json: architecture '" + arch + "' does not support "
                           "tensor or pipeline parallelism from a Hugging Face folder (convert it "
                           "to GGUF with miaotui convert)");
    }
    MT_ASSIGN_OR_RETURN(std::unique_ptr<Model> m, a.from_hf_shard(dir, shard));
    // After loading: every header has been validated (length within the file, <= 100 MB).
    MT_ASSIGN_OR_RETURN(uint64_t fingerprint, HfFingerprint(dir));
    m->set_fingerprint(fingerprint);
    return m;
  }
  return LoadModel(dir);  // the whole-model loader names the unsupported architecture
}

}  // namespace

Result<std::unique_ptr<Model>> LoadModel(const std::string& path, const Shard& shard) {
  if (shard.tp_size < 1 || shard.pp_size < 1 || shard.tp_rank < 0 ||
      shard.tp_rank >= shard.tp_size || shard.pp_rank < 0 || shard.pp_rank >= shard.pp_size) {
    return InvalidArgument("invalid shard: tensor-parallel rank " + std::to_string(shard.tp_rank) +
                           " of " + std::to_string(shard.tp_size) + ", pipeline rank " +
                           std::to_string(shard.pp_rank) + " of " +
                           std::to_string(shard.pp_size));
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such file or folder");
  if (std::filesystem::is_directory(path, ec)) return LoadHfShard(path, shard);
  MT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> file, formats::GgufFile::Open(path));
  std::shared_ptr<const formats::GgufFile> gguf(std::move(file));
  const uint64_t fingerprint = Fingerprint(*gguf);
  MT_ASSIGN_OR_RETURN(std::string arch, gguf->GetString("general.architecture"));
  for (const auto& a : Architectures()) {
    if (a.gguf_name != arch) continue;
    if (!a.from_gguf_shard) {
      if (!shard.whole()) {
        return Unimplemented(path + ": architecture '" + arch +
                             "' does not support tensor or pipeline parallelism");
      }
    }
    Result<std::unique_ptr<Model>> m =
        a.from_gguf_shard ? a.from_gguf_shard(gguf, shard) : a.from_gguf(gguf);
    if (m.ok()) (*m)->set_fingerprint(fingerprint);
    return m;
  }
  return Unimplemented(path + ": general.architecture is '" + arch +
                       "', which is not supported (supported: " + SupportedList(false) + ")");
}

}  // namespace miaotui::models
