// SafetensorsSet: a Hugging Face folder's weights, one file or index-listed shards, looked up by
// tensor name across all of them (see safetensors.h).
#include <algorithm>
#include <filesystem>
#include <set>

#include "formats/json_file.h"
#include "formats/safetensors.h"

namespace miaotui::formats {

namespace {

// A shard name from the index must be a plain file name: no directories, no "..".
bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos;
}

}  // namespace

Status SafetensorsSet::AddFile(std::unique_ptr<SafetensorsFile> f) {
  for (const SafetensorsTensorInfo& t : f->tensors()) {
    auto [it, inserted] = by_name_.try_emplace(t.name, Entry{f.get(), &t});
    if (!inserted) {
      return InvalidArgument(dir_ + ": tensor '" + t.name + "' is in both " +
                             it->second.file->path() + " and " + f->path());
    }
  }
  files_.push_back(std::move(f));
  return Status::Ok();
}

Result<std::unique_ptr<SafetensorsSet>> SafetensorsSet::OpenFolder(const std::string& dir) {
  std::unique_ptr<SafetensorsSet> set(new SafetensorsSet());
  set->dir_ = dir;
  const std::string index_path = dir + "/model.safetensors.index.json";
  const std::string single_path = dir + "/model.safetensors";
  std::error_code ec;
  if (!std::filesystem::exists(index_path, ec)) {
    if (!std::filesystem::exists(single_path, ec)) {
      return NotFound(dir + ": no model.safetensors or model.safetensors.index.json");
    }
    MT_ASSIGN_OR_RETURN(auto f, SafetensorsFile::Open(single_path));
    MT_RETURN_IF_ERROR(set->AddFile(std::move(f)));
    return set;
  }
  MT_ASSIGN_OR_RETURN(nlohmann::json index, ReadJsonFile(index_path));
  auto map = index.is_object() ? index.find("weight_map") : index.end();
  if (!index.is_object() || map == index.end() || !map->is_object()) {
    return InvalidArgument(index_path + ": expected an object with a 'weight_map' object");
  }
  std::set<std::string> shards;
  for (auto it = map->begin(); it != map->end(); ++it) {
    if (!it.value().is_string() || !IsPlainFileName(it.value().get<std::string>())) {
      return InvalidArgument(index_path + ": weight_map '" + it.key() + "' is " +
                             JsonDescribe(it.value()) + ", expected a file name in the folder");
    }
    shards.insert(it.value().get<std::string>());
  }
  for (const std::string& shard : shards) {
    MT_ASSIGN_OR_RETURN(auto f, SafetensorsFile::Open(dir + "/" + shard));
    MT_RETURN_IF_ERROR(set->AddFile(std::move(f)));
  }
  for (auto it = map->begin(); it != map->end(); ++it) {
    const std::string shard_path = dir + "/" + it.value().get<std::string>();
    auto found = set->by_name_.find(it.key());
    if (found == set->by_name_.end() || found->second.file->path() != shard_path) {
      return DataLoss(index_path + ": weight_map puts tensor '" + it.key() + "' in " +
                      shard_path + " but that file does not hold it");
    }
  }
  return set;
}

std::vector<std::string> SafetensorsSet::TensorNames() const {
  std::vector<std::string> names;
  names.reserve(by_name_.size());
  for (const auto& [name, entry] : by_name_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<SafetensorsSet::Entry> SafetensorsSet::Find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

Result<TensorView> SafetensorsSet::View(std::string_view name) const {
  std::optional<Entry> e = Find(name);
  if (!e) return NotFound(dir_ + ": no tensor '" + std::string(name) + "'");
  return e->file->View(*e->info);
}

}  // namespace miaotui::formats
