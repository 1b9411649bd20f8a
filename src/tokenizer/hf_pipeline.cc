#include "tokenizer/hf_pipeline.h"

#include <filesystem>
#include <vector>

#include "formats/json_file.h"
#include "tokenizer/pre_regexes.h"

namespace miaotui::tokenizer {
namespace {

using nlohmann::json;

Status Bad(const std::string& path, const std::string& field, const std::string& what) {
  return InvalidArgument(path + ": field '" + field + "' " + what);
}

Status NotSupported(const std::string& path, const std::string& field, const std::string& type) {
  return Unimplemented(path + ": field '" + field + "' of type '" + type +
                       "' is not supported for this tokenizer");
}

// The steps of a component that may be a Sequence (list in `list_key`), with their field names.
Status Flatten(const json& node, const std::string& field, const char* list_key,
               const std::string& path, std::vector<std::pair<const json*, std::string>>* out) {
  if (node.is_null()) return Status::Ok();
  if (!node.is_object() || !node.contains("type") || !node["type"].is_string()) {
    return Bad(path, field, "must be an object with a string 'type'");
  }
  if (node["type"] == "Sequence") {
    const std::string lf = field + "." + list_key;
    if (!node.contains(list_key) || !node[list_key].is_array())
      return Bad(path, lf, "must be an array");
    for (size_t i = 0; i < node[list_key].size(); ++i) {
      MT_RETURN_IF_ERROR(
          Flatten(node[list_key][i], lf + "[" + std::to_string(i) + "]", list_key, path, out));
    }
    return Status::Ok();
  }
  out->emplace_back(&node, field);
  return Status::Ok();
}

Result<bool> BoolField(const json& o, const char* key, bool def, const std::string& path,
                       const std::string& field) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return def;
  if (!it->is_boolean()) {
    return Bad(path, (field.empty() ? "" : field + ".") + key, "must be true or false");
  }
  return it->get<bool>();
}

Result<std::string> StringField(const json& o, const char* key, const std::string& def,
                                const std::string& path, const std::string& field) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return def;
  if (!it->is_string()) return Bad(path, field + "." + key, "must be a string");
  return it->get<std::string>();
}

// A Split/Replace pattern: {"String": s} or {"Regex": r}.
Status ReadPattern(const json& o, const std::string& path, const std::string& field,
                   SplitRule* rule) {
  auto it = o.find("pattern");
  if (it == o.end() || !it->is_object()) return Bad(path, field + ".pattern", "must be an object");
  if (it->contains("String") && (*it)["String"].is_string()) {
    rule->pattern = (*it)["String"].get<std::string>();
    rule->literal = true;
  } else if (it->contains("Regex") && (*it)["Regex"].is_string()) {
    rule->pattern = (*it)["Regex"].get<std::string>();
  } else {
    return Bad(path, field + ".pattern", "must hold a string 'String' or 'Regex'");
  }
  return Status::Ok();
}

int32_t FindToken(const Vocab& v, const std::string& text) {
  if (text.empty()) return -1;
  for (size_t i = 0; i < v.tokens.size(); ++i) {
    if (v.tokens[i] == text) return static_cast<int32_t>(i);
  }
  return -1;
}

// A special token named in a post-processor: by its id in special_tokens, else by its text.
Result<int32_t> PostToken(const json& post, const std::string& name, const Vocab& v,
                          const std::string& path, const std::string& field) {
  auto sp = post.find("special_tokens");
  if (sp != post.end() && sp->is_object() && sp->contains(name)) {
    const json& e = (*sp)[name];
    if (e.contains("ids") && e["ids"].is_array() && e["ids"].size() == 1 &&
        e["ids"][0].is_number_integer()) {
      const int64_t id = e["ids"][0].get<int64_t>();
      if (id >= 0 && id < static_cast<int64_t>(v.tokens.size())) return static_cast<int32_t>(id);
    }
    return Bad(path, field + ".special_tokens." + name, "must have one valid id in 'ids'");
  }
  const int32_t id = FindToken(v, name);
  if (id < 0) return Bad(path, field, "names special token '" + name + "' not in the vocabulary");
  return id;
}

// The tokens a post-processor puts before and after the text.
struct Around {
  std::vector<int32_t> before, after;
  bool found = false;
};

Status ReadPostProcessor(const json& j, const std::string& path, const Vocab& v, Around* a) {
  std::vector<std::pair<const json*, std::string>> steps;
  auto it = j.find("post_processor");
  if (it == j.end()) return Status::Ok();
  MT_RETURN_IF_ERROR(Flatten(*it, "post_processor", "processors", path, &steps));
  for (const auto& [node, field] : steps) {
    const std::string type = (*node)["type"].get<std::string>();
    if (type == "ByteLevel") continue;
    if (type == "TemplateProcessing") {
      const json* single = node->contains("single") ? &(*node)["single"] : nullptr;
      if (single == nullptr || !single->is_array())
        return Bad(path, field + ".single", "must be an array");
      a->found = true;
      bool seen_seq = false;
      for (size_t i = 0; i < single->size(); ++i) {
        const json& p = (*single)[i];
        const std::string pf = field + ".single[" + std::to_string(i) + "]";
        if (p.is_object() && p.contains("Sequence")) {
          seen_seq = true;
        } else if (p.is_object() && p.contains("SpecialToken") && p["SpecialToken"].is_object() &&
                   p["SpecialToken"].contains("id") && p["SpecialToken"]["id"].is_string()) {
          MT_ASSIGN_OR_RETURN(int32_t id,
                              PostToken(*node, p["SpecialToken"]["id"], v, path, field));
          (seen_seq ? a->after : a->before).push_back(id);
        } else {
          return Bad(path, pf,
                     "must be a {\"Sequence\": ...} or {\"SpecialToken\": {\"id\": ...}}");
        }
      }
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
      a->found = true;
      for (const char* key : {"cls", "sep"}) {
        const json* e = node->contains(key) ? &(*node)[key] : nullptr;
        if (e == nullptr || !e->is_array() || e->size() != 2 || !(*e)[1].is_number_integer() ||
            (*e)[1].get<int64_t>() < 0 ||
            (*e)[1].get<int64_t>() >= static_cast<int64_t>(v.tokens.size())) {
          return Bad(path, field + "." + key, "must be a [text, valid id] pair");
        }
        (std::string(key) == "cls" ? a->before : a->after).push_back((*e)[1].get<int32_t>());
      }
    } else {
      return NotSupported(path, field, type);
    }
  }
  return Status::Ok();
}

// A token given as a string or as an AddedToken object {"content": ...}; "" if absent/null.
std::string ConfigToken(const json& cfg, const char* key) {
  auto it = cfg.find(key);
  if (it == cfg.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
    return (*it)["content"].get<std::string>();
  }
  return {};
}

}  // namespace

bool IsByteLevelBpe(const json& j) {
  auto has_byte_level = [](const json& node, const char* list_key, auto& self) -> bool {
    if (!node.is_object()) return false;
    if (node.value("type", "") == "ByteLevel") return true;
    auto it = node.find(list_key);
    if (it == node.end() || !it->is_array()) return false;
    for (const json& s : *it) {
      if (self(s, list_key, self)) return true;
    }
    return false;
  };
  return (j.contains("pre_tokenizer") &&
          has_byte_level(j["pre_tokenizer"], "pretokenizers", has_byte_level)) ||
         (j.contains("decoder") && has_byte_level(j["decoder"], "decoders", has_byte_level));
}

Status ReadByteLevelPipeline(const json& j, const std::string& path, Vocab* v) {
  v->model = "gpt2";
  v->add_space_prefix = false;
  v->use_pre_splits = true;
  const json& model = j["model"];
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    MT_ASSIGN_OR_RETURN(std::string s, StringField(model, key, "", path, "model"));
    if (!s.empty()) return Unimplemented(path + ": field 'model." + key + "' is not supported");
  }
  MT_ASSIGN_OR_RETURN(v->ignore_merges, BoolField(model, "ignore_merges", false, path, "model"));

  std::vector<std::pair<const json*, std::string>> steps;
  if (j.contains("normalizer")) {
    MT_RETURN_IF_ERROR(Flatten(j["normalizer"], "normalizer", "normalizers", path, &steps));
  }
  for (const auto& [node, field] : steps) {
    const std::string type = (*node)["type"].get<std::string>();
    NormalizerStep s;
    using K = NormalizerStep::Kind;
    if (type == "NFC") {
      s.kind = K::kNfc;
    } else if (type == "NFD") {
      s.kind = K::kNfd;
    } else if (type == "NFKC") {
      s.kind = K::kNfkc;
    } else if (type == "NFKD") {
      s.kind = K::kNfkd;
    } else if (type == "Lowercase") {
      s.kind = K::kLowercase;
    } else if (type == "StripAccents") {
      s.kind = K::kStripAccents;
    } else if (type == "Prepend") {
      s.kind = K::kPrepend;
      MT_ASSIGN_OR_RETURN(s.content, StringField(*node, "prepend", "", path, field));
    } else if (type == "Replace") {
      s.kind = K::kReplace;
      SplitRule r;
      MT_RETURN_IF_ERROR(ReadPattern(*node, path, field, &r));
      if (!r.literal) return NotSupported(path, field + ".pattern", "Regex");
      s.pattern = r.pattern;
      MT_ASSIGN_OR_RETURN(s.content, StringField(*node, "content", "", path, field));
    } else {
      return NotSupported(path, field, type);
    }
    v->normalizer.push_back(s);
  }

  steps.clear();
  if (j.contains("pre_tokenizer")) {
    MT_RETURN_IF_ERROR(Flatten(j["pre_tokenizer"], "pre_tokenizer", "pretokenizers", path, &steps));
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& [node, field] = steps[i];
    const std::string type = (*node)["type"].get<std::string>();
    if (type == "ByteLevel") {
      MT_ASSIGN_OR_RETURN(bool prefix, BoolField(*node, "add_prefix_space", false, path, field));
      MT_ASSIGN_OR_RETURN(bool use_regex, BoolField(*node, "use_regex", true, path, field));
      // A prefix space is added per fragment; only meaningful before any other split.
      if (prefix && i != 0) return NotSupported(path, field + ".add_prefix_space", "true");
      v->byte_level_prefix_space = prefix;
      if (use_regex) v->pre_splits.push_back({kGpt2Regex});
    } else if (type == "Split") {
      SplitRule r;
      MT_RETURN_IF_ERROR(ReadPattern(*node, path, field, &r));
      MT_ASSIGN_OR_RETURN(bool invert, BoolField(*node, "invert", false, path, field));
      if (invert) return NotSupported(path, field + ".invert", "true");
      MT_ASSIGN_OR_RETURN(std::string behavior,
                          StringField(*node, "behavior", "Isolated", path, field));
      if (behavior == "Removed") {
        r.remove = true;
      } else if (behavior != "Isolated") {
        return NotSupported(path, field + ".behavior", behavior);
      }
      v->pre_splits.push_back(r);
    } else if (type == "Digits") {
      MT_ASSIGN_OR_RETURN(bool single, BoolField(*node, "individual_digits", false, path, field));
      v->pre_splits.push_back({single ? R"(\p{N})" : R"(\p{N}+)"});
    } else if (type == "Whitespace") {
      v->pre_splits.push_back({R"(\w+|[^\w\s]+)"});
      v->pre_splits.push_back({R"(\s+)", false, true});
    } else if (type == "WhitespaceSplit") {
      v->pre_splits.push_back({R"(\s+)", false, true});
    } else {
      return NotSupported(path, field, type);
    }
  }
  return Status::Ok();
}

Status ReadWordPiecePipeline(const json& j, const std::string& path, Vocab* v) {
  v->model = "bert";
  v->add_space_prefix = false;
  v->add_bos = v->add_eos = false;
  WordPieceOptions& o = v->wordpiece;
  const json& model = j["model"];
  MT_ASSIGN_OR_RETURN(o.continuing_prefix,
                      StringField(model, "continuing_subword_prefix", "##", path, "model"));
  auto mc = model.find("max_input_chars_per_word");
  if (mc != model.end() && !mc->is_null()) {
    if (!mc->is_number_integer() || mc->get<int64_t>() <= 0 || mc->get<int64_t>() > (1 << 30)) {
      return Bad(path, "model.max_input_chars_per_word", "must be a positive integer");
    }
    o.max_chars_per_word = mc->get<int32_t>();
  }
  o.lowercase = o.strip_accents = o.split_cjk = o.clean_text = false;
  std::vector<std::pair<const json*, std::string>> steps;
  if (j.contains("normalizer")) {
    MT_RETURN_IF_ERROR(Flatten(j["normalizer"], "normalizer", "normalizers", path, &steps));
  }
  for (const auto& [node, field] : steps) {
    const std::string type = (*node)["type"].get<std::string>();
    if (type == "BertNormalizer") {
      MT_ASSIGN_OR_RETURN(o.clean_text, BoolField(*node, "clean_text", true, path, field));
      MT_ASSIGN_OR_RETURN(o.split_cjk, BoolField(*node, "handle_chinese_chars", true, path, field));
      MT_ASSIGN_OR_RETURN(o.lowercase, BoolField(*node, "lowercase", true, path, field));
      MT_ASSIGN_OR_RETURN(o.strip_accents,
                          BoolField(*node, "strip_accents", o.lowercase, path, field));
    } else if (type == "Lowercase") {
      o.lowercase = true;
    } else if (type == "StripAccents") {
      o.strip_accents = true;
    } else {
      return NotSupported(path, field, type);
    }
  }
  steps.clear();
  if (j.contains("pre_tokenizer")) {
    MT_RETURN_IF_ERROR(Flatten(j["pre_tokenizer"], "pre_tokenizer", "pretokenizers", path, &steps));
  }
  for (const auto& [node, field] : steps) {
    const std::string type = (*node)["type"].get<std::string>();
    if (type != "BertPreTokenizer") return NotSupported(path, field, type);
  }
  return Status::Ok();
}

Status ReadGenerationConfig(const std::string& dir, Vocab* v) {
  const std::string gpath = dir + "/generation_config.json";
  if (!std::filesystem::exists(gpath)) return Status::Ok();
  MT_ASSIGN_OR_RETURN(json g, formats::ReadJsonFile(gpath));
  if (!g.is_object()) return InvalidArgument(gpath + ": must be a JSON object");
  auto it = g.find("eos_token_id");
  if (it == g.end() || it->is_null()) return Status::Ok();
  std::vector<json> ids;
  if (it->is_array()) {
    ids.assign(it->begin(), it->end());
  } else {
    ids.push_back(*it);
  }
  for (const json& id : ids) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
        id.get<int64_t>() >= static_cast<int64_t>(v->tokens.size())) {
      return Bad(gpath, "eos_token_id", "must be a token id or a list of token ids");
    }
    v->eog_ids.push_back(id.get<int32_t>());
  }
  return Status::Ok();
}

Status ReadSpecialConfig(const json& j, const std::string& path, const std::string& dir, Vocab* v) {
  json cfg = json::object();
  const std::string cpath = dir + "/tokenizer_config.json";
  if (std::filesystem::exists(cpath)) {
    MT_ASSIGN_OR_RETURN(cfg, formats::ReadJsonFile(cpath));
    if (!cfg.is_object()) return InvalidArgument(cpath + ": must be a JSON object");
  }
  const bool bert = v->model == "bert";
  v->bos_id = FindToken(*v, ConfigToken(cfg, bert ? "cls_token" : "bos_token"));
  v->eos_id = FindToken(*v, ConfigToken(cfg, bert ? "sep_token" : "eos_token"));
  v->pad_id = FindToken(*v, ConfigToken(cfg, "pad_token"));
  if (bert) {
    v->bos_id = v->eos_id = -1;
    v->cls_id = FindToken(*v, cfg.contains("cls_token") ? ConfigToken(cfg, "cls_token") : "[CLS]");
    v->sep_id = FindToken(*v, cfg.contains("sep_token") ? ConfigToken(cfg, "sep_token") : "[SEP]");
    v->mask_id =
        FindToken(*v, cfg.contains("mask_token") ? ConfigToken(cfg, "mask_token") : "[MASK]");
  }
  Around around;
  MT_RETURN_IF_ERROR(ReadPostProcessor(j, path, *v, &around));
  if (around.found) {
    if (around.before.size() > 1 || around.after.size() > 1) {
      return Unimplemented(path +
                           ": field 'post_processor' adds more than one token before or "
                           "after the text");
    }
    if (bert) {
      v->cls_id = around.before.empty() ? -1 : around.before[0];
      v->sep_id = around.after.empty() ? -1 : around.after[0];
    } else {
      v->add_bos = !around.before.empty();
      v->add_eos = !around.after.empty();
      if (v->add_bos) v->bos_id = around.before[0];
      if (v->add_eos) v->eos_id = around.after[0];
    }
  } else if (!bert) {
    for (auto [key, flag] :
         {std::pair{"add_bos_token", &v->add_bos}, std::pair{"add_eos_token", &v->add_eos}}) {
      MT_ASSIGN_OR_RETURN(*flag, BoolField(cfg, key, false, cpath, ""));
    }
    if (v->add_bos && v->bos_id < 0)
      return Bad(cpath, "add_bos_token", "is true but bos_token is not a token");
    if (v->add_eos && v->eos_id < 0)
      return Bad(cpath, "add_eos_token", "is true but eos_token is not a token");
  }
  return ReadGenerationConfig(dir, v);
}

}  // namespace miaotui::tokenizer
