// WriteSafetensors: builds the JSON header, then streams each tensor's bytes through an
// AtomicFileWriter (see safetensors.h).
#include <set>

#include <nlohmann/json.hpp>

#include "formats/safetensors.h"

namespace miaotui::formats {

Status WriteSafetensors(const std::string& path, const std::vector<SafetensorsWriteTensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  std::vector<uint64_t> sizes;
  uint64_t offset = 0;
  for (const SafetensorsWriteTensor& t : tensors) {
    const std::string what = path + ": tensor '" + t.name + "'";
    if (t.name == "__metadata__" || !names.insert(t.name).second) {
      return InvalidArgument(what + " is added twice or uses a reserved name");
    }
    uint64_t bytes = SafetensorsDTypeSize(t.dtype);
    if (bytes == 0) return InvalidArgument(what + " has unknown dtype '" + t.dtype + "'");
    for (int64_t d : t.shape) {
      if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes)) {
        return InvalidArgument(what + " has a bad shape");
      }
    }
    if (bytes > 0 && t.data == nullptr) return InvalidArgument(what + " has no data");
    header[t.name] = {{"dtype", t.dtype},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    sizes.push_back(bytes);
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const std::exception& e) {  // e.g. a name that is not valid UTF-8
    return InvalidArgument(path + ": cannot encode the header: " + e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  uint8_t len[8];
  for (int k = 0; k < 8; ++k) len[k] = static_cast<uint8_t>(uint64_t{text.size()} >> (8 * k));
  MT_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Create(path));
  MT_RETURN_IF_ERROR(w.Write(len, 8));
  MT_RETURN_IF_ERROR(w.Write(text.data(), text.size()));
  for (size_t k = 0; k < tensors.size(); ++k) {
    MT_RETURN_IF_ERROR(w.Write(tensors[k].data, sizes[k]));
  }
  return w.Commit();
}

}  // namespace miaotui::formats
