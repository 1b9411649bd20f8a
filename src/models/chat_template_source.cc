// ReadChatTemplateSource: the chat template and BOS/EOS strings from GGUF metadata or a Hugging
// Face folder's tokenizer files.
#include "models/chat_template_source.h"

#include <filesystem>

#include "base/mmap_file.h"
#include "formats/gguf.h"
#include "formats/json_file.h"

namespace miaotui::models {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// tokenizer.ggml.tokens[id] for the id stored under `id_key`; nullopt when the key is absent.
Result<std::optional<std::string>> GgufTokenText(const formats::GgufFile& f,
                                                 const std::string& id_key) {
  if (f.Find(id_key) == nullptr) return std::optional<std::string>();
  MT_ASSIGN_OR_RETURN(int64_t id, f.GetInt(id_key));
  const formats::GgufValue* tokens = f.Find("tokenizer.ggml.tokens");
  if (tokens == nullptr || tokens->type != formats::GgufValueType::kArray ||
      tokens->elem_type != formats::GgufValueType::kString) {
    return InvalidArgument(f.path() + ": " + id_key +
                           " is set but tokenizer.ggml.tokens is not an array of strings");
  }
  if (id < 0 || id >= static_cast<int64_t>(tokens->elems.size())) {
    return InvalidArgument(f.path() + ": " + id_key + " is " + std::to_string(id) +
                           ", outside tokenizer.ggml.tokens [0, " +
                           std::to_string(tokens->elems.size()) + ")");
  }
  return std::optional<std::string>(tokens->elems[static_cast<size_t>(id)].s);
}

Result<ChatTemplateSource> FromGguf(const std::string& path) {
  MT_ASSIGN_OR_RETURN(auto f, formats::GgufFile::Open(path));
  ChatTemplateSource src;
  src.origin = path + ": tokenizer.chat_template";
  if (f->Find("tokenizer.chat_template") != nullptr) {
    MT_ASSIGN_OR_RETURN(src.chat_template, f->GetString("tokenizer.chat_template"));
  }
  MT_ASSIGN_OR_RETURN(src.bos_token, GgufTokenText(*f, "tokenizer.ggml.bos_token_id"));
  MT_ASSIGN_OR_RETURN(src.eos_token, GgufTokenText(*f, "tokenizer.ggml.eos_token_id"));
  return src;
}

// A token given as a string or an AddedToken object {"content": ...}; null or absent: nullopt.
Result<std::optional<std::string>> ConfigToken(const json& cfg, const std::string& field,
                                               const std::string& file) {
  auto it = cfg.find(field);
  if (it == cfg.end() || it->is_null()) return std::optional<std::string>();
  if (it->is_string()) return std::optional<std::string>(it->get<std::string>());
  if (it->is_object()) {
    auto c = it->find("content");
    if (c != it->end() && c->is_string()) return std::optional<std::string>(c->get<std::string>());
  }
  return InvalidArgument(file + ": '" + field +
                         "' must be a string or an object with a string 'content', found " +
                         formats::JsonDescribe(*it));
}

// "chat_template": a string, or a list of {"name", "template"} from which "default" is taken.
Result<std::string> ConfigTemplate(const json& v, const std::string& file) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) {
    return InvalidArgument(file + ": 'chat_template' must be a string or a list of {name, "
                           "template}, found " + formats::JsonDescribe(v));
  }
  std::string names;
  for (const json& e : v) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() ||
        !e.contains("template") || !e["template"].is_string()) {
      return InvalidArgument(file + ": every 'chat_template' entry must be {\"name\": string, "
                             "\"template\": string}, found " + formats::JsonDescribe(e));
    }
    if (e["name"] == "default") return e["template"].get<std::string>();
    names += (names.empty() ? "" : ", ") + e["name"].get<std::string>();
  }
  return NotFound(file + ": 'chat_template' has no template named 'default' (it has: " +
                  (names.empty() ? "none" : names) + ")");
}

Result<ChatTemplateSource> FromHfFolder(const std::string& dir) {
  ChatTemplateSource src;
  const std::string cfg_path = dir + "/tokenizer_config.json";
  src.origin = cfg_path + ": chat_template";
  std::error_code ec;
  if (fs::exists(cfg_path, ec)) {
    MT_ASSIGN_OR_RETURN(json cfg, formats::ReadJsonFile(cfg_path));
    if (!cfg.is_object()) return InvalidArgument(cfg_path + ": expected a JSON object");
    if (cfg.contains("chat_template") && !cfg["chat_template"].is_null()) {
      MT_ASSIGN_OR_RETURN(src.chat_template, ConfigTemplate(cfg["chat_template"], cfg_path));
    }
    MT_ASSIGN_OR_RETURN(src.bos_token, ConfigToken(cfg, "bos_token", cfg_path));
    MT_ASSIGN_OR_RETURN(src.eos_token, ConfigToken(cfg, "eos_token", cfg_path));
  }
  if (src.chat_template) return src;
  // Newer transformers save the template next to tokenizer_config.json.
  const std::string jinja_path = dir + "/chat_template.jinja";
  if (fs::exists(jinja_path, ec)) {
    MT_ASSIGN_OR_RETURN(src.chat_template, ReadFileToString(jinja_path));
    src.origin = jinja_path;
    return src;
  }
  const std::string json_path = dir + "/chat_template.json";
  if (fs::exists(json_path, ec)) {
    MT_ASSIGN_OR_RETURN(json j, formats::ReadJsonFile(json_path));
    if (!j.is_object() || !j.contains("chat_template")) {
      return InvalidArgument(json_path + ": expected an object with 'chat_template'");
    }
    MT_ASSIGN_OR_RETURN(src.chat_template, ConfigTemplate(j["chat_template"], json_path));
    src.origin = json_path + ": chat_template";
  }
  return src;
}

}  // namespace

Result<ChatTemplateSource> ReadChatTemplateSource(const std::string& model_path) {
  std::error_code ec;
  if (!fs::exists(model_path, ec)) return NotFound(model_path + ": no such file or folder");
  if (fs::is_directory(model_path, ec)) return FromHfFolder(model_path);
  return FromGguf(model_path);
}

}  // namespace miaotui::models
