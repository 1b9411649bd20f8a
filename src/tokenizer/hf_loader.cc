// LoadTokenizerFromHfFolder: a Hugging Face tokenizer folder. Byte-level BPE and WordPiece
// tokenizer.json files are read with hf_pipeline.h (and a folder with only BERT's vocab.txt
// with LoadWordPieceVocabTxt); the rest of this file reads the tokenizer.json form of a
// SentencePiece BPE vocabulary (model BPE with byte_fallback; spaces escaped to U+2581 by a
// normalizer Sequence [Prepend "▁", Replace " " -> "▁"] or a Metaspace pre-tokenizer), plus
// tokenizer_config.json for the BOS/EOS flags and tokens, and generation_config.json for more
// end-of-generation ids.
//
// The merges keep their rank order in Vocab::merges, so encoding follows Hugging Face's BPE
// exactly; the scores are set to minus the rank of the first merge producing each token (other
// tokens get lower scores), so that the score order agrees with the merge order.
// Not supported (Unimplemented): other model types, byte-level BPE, other normalizers.
// A Metaspace pre-tokenizer with split=true is read like split=false (SentencePiece pieces do
// not contain an inner "▁", so the results agree for vocabularies converted from SentencePiece).
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "formats/json_file.h"
#include "tokenizer/hf_pipeline.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {
namespace {

using nlohmann::json;

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";

// A token given as a string or as an AddedToken object {"content": ...}; "" if absent/null.
Result<std::string> TokenText(const json& cfg, const char* field, const std::string& path) {
  auto it = cfg.find(field);
  if (it == cfg.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    auto c = it->find("content");
    if (c != it->end() && c->is_string()) return c->get<std::string>();
  }
  return InvalidArgument(path + ": field '" + field +
                         "' must be a string or an object with a string 'content'");
}

class HfReader {
 public:
  explicit HfReader(std::string path) : path_(std::move(path)) {}

  Status Read(const json& j, Vocab* v) {
    if (!j.is_object()) return Bad("", "must be a JSON object");
    const json* model = Field(j, "model");
    if (model == nullptr || !model->is_object()) return Bad("model", "must be an object");
    const json* type = Field(*model, "type");
    if (type == nullptr || !type->is_string()) return Bad("model.type", "must be a string");
    if (*type == "WordPiece") {
      MT_RETURN_IF_ERROR(ReadWordPiecePipeline(j, path_, v));
      return ReadVocab(*model, j, /*byte_fallback=*/false, v);
    }
    if (*type != "BPE") {
      return Unimplemented(path_ + ": model.type '" + type->get<std::string>() +
                           "' is not supported (supported: 'BPE', 'WordPiece')");
    }
    if (IsByteLevelBpe(j)) {
      MT_RETURN_IF_ERROR(ReadByteLevelPipeline(j, path_, v));
      MT_RETURN_IF_ERROR(ReadVocab(*model, j, /*byte_fallback=*/false, v));
      return ReadMerges(*model, v);
    }
    const json* fallback = Field(*model, "byte_fallback");
    const bool byte_fallback =
        fallback != nullptr && fallback->is_boolean() && fallback->get<bool>();
    MT_RETURN_IF_ERROR(ReadSpaceHandling(j, v));
    MT_RETURN_IF_ERROR(ReadVocab(*model, j, byte_fallback, v));
    return ReadMerges(*model, v);
  }

 private:
  Status Bad(const std::string& field, const std::string& what) const {
    return InvalidArgument(path_ + ": " + (field.empty() ? "" : "field '" + field + "' ") + what);
  }
  static const json* Field(const json& obj, const char* name) {
    auto it = obj.find(name);
    return it == obj.end() ? nullptr : &*it;
  }

  // Finds how spaces become U+2581 and whether the dummy prefix is added.
  Status ReadSpaceHandling(const json& j, Vocab* v) {
    bool escapes = false, prefix = false;
    const json* norm = Field(j, "normalizer");
    if (norm != nullptr && !norm->is_null()) {
      std::vector<const json*> steps;
      if (!norm->is_object()) return Bad("normalizer", "must be an object or null");
      if (norm->value("type", "") == "Sequence") {
        const json* list = Field(*norm, "normalizers");
        if (list == nullptr || !list->is_array()) {
          return Bad("normalizer.normalizers", "must be an array");
        }
        for (const json& s : *list) steps.push_back(&s);
      } else {
        steps.push_back(norm);
      }
      for (size_t i = 0; i < steps.size(); ++i) {
        const json& s = *steps[i];
        const std::string t = s.is_object() ? s.value("type", "") : "";
        const std::string field = "normalizer step " + std::to_string(i);
        if (t == "Prepend" && s.value("prepend", "") == kSpaceMarker) {
          prefix = true;
        } else if (t == "Replace" && s.contains("pattern") && s["pattern"].is_object() &&
                   s["pattern"].value("String", "") == " " &&
                   s.value("content", "") == kSpaceMarker) {
          escapes = true;
        } else {
          return Unimplemented(path_ + ": " + field + " (type '" + t +
                               "') is not supported yet (supported: Prepend \"\u2581\", "
                               "Replace \" \" -> \"\u2581\")");
        }
      }
    }
    const json* pre = Field(j, "pre_tokenizer");
    if (pre != nullptr && !pre->is_null()) {
      if (!pre->is_object() || pre->value("type", "") != "Metaspace") {
        return Unimplemented(path_ + ": pre_tokenizer of type '" +
                             (pre->is_object() ? pre->value("type", "") : std::string("?")) +
                             "' is not supported yet (supported: none or Metaspace)");
      }
      if (pre->value("replacement", std::string(kSpaceMarker)) != kSpaceMarker) {
        return Bad("pre_tokenizer.replacement", "must be \"\u2581\"");
      }
      escapes = true;
      const std::string scheme = pre->value("prepend_scheme", "");
      prefix = scheme.empty() ? pre->value("add_prefix_space", true) : scheme != "never";
    }
    if (!escapes) {
      return Unimplemented(path_ + ": no normalizer or pre_tokenizer turns spaces into \"\u2581\"; "
                           "only SentencePiece-style BPE is supported yet");
    }
    v->add_space_prefix = prefix;
    return Status::Ok();
  }

  Status ReadVocab(const json& model, const json& j, bool byte_fallback, Vocab* v) {
    const json* vocab = Field(model, "vocab");
    if (vocab == nullptr || !vocab->is_object()) return Bad("model.vocab", "must be an object");
    std::vector<std::pair<int64_t, std::string>> entries;
    for (auto it = vocab->begin(); it != vocab->end(); ++it) {
      if (!it.value().is_number_integer()) {
        return Bad("model.vocab", "value of '" + it.key() + "' must be an integer id");
      }
      entries.emplace_back(it.value().get<int64_t>(), it.key());
    }
    std::unordered_map<int64_t, std::pair<std::string, bool>> added;  // id -> (text, special)
    const json* added_tokens = Field(j, "added_tokens");
    if (added_tokens != nullptr && !added_tokens->is_null()) {
      if (!added_tokens->is_array()) return Bad("added_tokens", "must be an array");
      for (size_t i = 0; i < added_tokens->size(); ++i) {
        const json& a = (*added_tokens)[i];
        const std::string field = "added_tokens[" + std::to_string(i) + "]";
        if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() ||
            !a.contains("content") || !a["content"].is_string()) {
          return Bad(field, "must be an object with an integer 'id' and a string 'content'");
        }
        const bool special = a.value("special", false);
        added[a["id"].get<int64_t>()] = {a["content"].get<std::string>(), special};
      }
    }
    int64_t n = 0;
    for (const auto& e : entries) n = std::max(n, e.first + 1);
    for (const auto& a : added) n = std::max(n, a.first + 1);
    if (n <= 0) return Bad("model.vocab", "is empty");
    if (n > (int64_t{1} << 24)) return Bad("model.vocab", "has an id above 2^24");
    // Ids are dense (a gap is refused below); bound the tables by what the file lists before
    // allocating them, so a tiny file cannot claim a 2^24-entry vocabulary.
    const int64_t listed = static_cast<int64_t>(entries.size() + added.size());
    if (n > 2 * listed + 1024) {
      return Bad("model.vocab", "has id " + std::to_string(n - 1) + " but lists only " +
                                    std::to_string(listed) + " tokens");
    }
    v->tokens.assign(n, std::string());
    std::vector<bool> seen(n, false);
    for (const auto& [id, text] : entries) {
      if (id < 0) return Bad("model.vocab", "id of '" + text + "' is negative");
      if (seen[id]) return Bad("model.vocab", "id " + std::to_string(id) + " is used twice");
      seen[id] = true;
      v->tokens[id] = text;
    }
    v->types.assign(n, TokenType::kNormal);
    for (const auto& [id, ts] : added) {
      if (id < 0) return Bad("added_tokens", "id of '" + ts.first + "' is negative");
      if (seen[id] && v->tokens[id] != ts.first) {
        return Bad("added_tokens", "token " + std::to_string(id) + " '" + ts.first +
                                       "' differs from model.vocab's '" + v->tokens[id] + "'");
      }
      seen[id] = true;
      v->tokens[id] = ts.first;
      v->types[id] = ts.second ? TokenType::kControl : TokenType::kUserDefined;
    }
    for (int64_t id = 0; id < n; ++id) {
      if (!seen[id]) return Bad("model.vocab", "has no token with id " + std::to_string(id));
    }
    const json* unk = Field(model, "unk_token");
    if (unk != nullptr && unk->is_string()) {
      for (int64_t id = 0; id < n; ++id) {
        if (v->tokens[id] == unk->get<std::string>()) {
          v->unk_id = static_cast<int32_t>(id);
          v->types[id] = TokenType::kUnknown;
        }
      }
    }
    if (byte_fallback) {
      for (int64_t id = 0; id < n; ++id) {
        const std::string& t = v->tokens[id];
        if (v->types[id] == TokenType::kNormal && t.size() == 6 && t.rfind("<0x", 0) == 0 &&
            t[5] == '>' && isxdigit(static_cast<unsigned char>(t[3])) &&
            isxdigit(static_cast<unsigned char>(t[4]))) {
          v->types[id] = TokenType::kByte;
        }
      }
    }
    return Status::Ok();
  }

  Status ReadMerges(const json& model, Vocab* v) {
    const json* merges = Field(model, "merges");
    if (merges == nullptr || !merges->is_array()) return Bad("model.merges", "must be an array");
    std::unordered_map<std::string, size_t> first_rank;
    for (size_t r = 0; r < merges->size(); ++r) {
      const json& m = (*merges)[r];
      std::string left, right;
      if (m.is_string()) {
        const std::string s = m.get<std::string>();
        const size_t sp = s.find(' ', 1);
        if (sp == std::string::npos) {
          return Bad("model.merges[" + std::to_string(r) + "]", "'" + s + "' has no space");
        }
        left = s.substr(0, sp);
        right = s.substr(sp + 1);
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        left = m[0].get<std::string>();
        right = m[1].get<std::string>();
      } else {
        return Bad("model.merges[" + std::to_string(r) + "]",
                   "must be a string \"a b\" or a pair of strings");
      }
      v->merges.push_back(left + " " + right);
      first_rank.try_emplace(left + right, r);
    }
    const size_t n = v->tokens.size(), n_merges = v->merges.size();
    v->scores.assign(n, 0.0f);
    for (size_t id = 0; id < n; ++id) {
      auto it = first_rank.find(v->tokens[id]);
      v->scores[id] = it != first_rank.end() ? -static_cast<float>(it->second)
                                             : -static_cast<float>(n_merges + id);
    }
    return Status::Ok();
  }

  std::string path_;
};

int32_t FindToken(const Vocab& v, const std::string& text) {
  if (text.empty()) return -1;
  for (size_t i = 0; i < v.tokens.size(); ++i) {
    if (v.tokens[i] == text) return static_cast<int32_t>(i);
  }
  return -1;
}

// Reads add_bos_token / add_eos_token / bos_token / eos_token / pad_token. Without the file,
// LlamaTokenizer's defaults apply: BOS "<s>" added, EOS "</s>" not added. A null bos_token or
// eos_token turns the matching add flag off; a named token missing from the vocabulary while its
// flag is on is an error.
Status ReadConfig(const std::string& dir, Vocab* v) {
  std::string bos = "<s>", eos = "</s>", pad;
  const std::string path = dir + "/tokenizer_config.json";
  if (std::filesystem::exists(path)) {
    MT_ASSIGN_OR_RETURN(json cfg, formats::ReadJsonFile(path));
    if (!cfg.is_object()) return InvalidArgument(path + ": must be a JSON object");
    for (auto [field, flag] : {std::pair{"add_bos_token", &v->add_bos},
                               std::pair{"add_eos_token", &v->add_eos}}) {
      auto it = cfg.find(field);
      if (it == cfg.end() || it->is_null()) continue;
      if (!it->is_boolean()) {
        return InvalidArgument(path + ": field '" + field + "' must be true or false");
      }
      *flag = it->get<bool>();
    }
    MT_ASSIGN_OR_RETURN(std::string b, TokenText(cfg, "bos_token", path));
    MT_ASSIGN_OR_RETURN(std::string e, TokenText(cfg, "eos_token", path));
    MT_ASSIGN_OR_RETURN(pad, TokenText(cfg, "pad_token", path));
    if (cfg.contains("bos_token")) bos = b;
    if (cfg.contains("eos_token")) eos = e;
  }
  if (bos.empty()) v->add_bos = false;  // bos_token null: nothing to add
  if (eos.empty()) v->add_eos = false;
  v->bos_id = FindToken(*v, bos);
  v->eos_id = FindToken(*v, eos);
  v->pad_id = FindToken(*v, pad);
  if (v->add_bos && v->bos_id < 0) {
    return InvalidArgument(path + ": add_bos_token is true but bos_token '" + bos +
                           "' is not in the vocabulary");
  }
  if (v->add_eos && v->eos_id < 0) {
    return InvalidArgument(path + ": add_eos_token is true but eos_token '" + eos +
                           "' is not in the vocabulary");
  }
  return Status::Ok();
}

// A folder with BERT's vocab.txt and no tokenizer.json; do_lower_case from tokenizer_config.
Result<std::unique_ptr<Tokenizer>> LoadVocabTxtFolder(const std::string& dir) {
  bool lowercase = true;
  const std::string cpath = dir + "/tokenizer_config.json";
  if (std::filesystem::exists(cpath)) {
    MT_ASSIGN_OR_RETURN(json cfg, formats::ReadJsonFile(cpath));
    if (cfg.is_object() && cfg.contains("do_lower_case")) {
      if (!cfg["do_lower_case"].is_boolean()) {
        return InvalidArgument(cpath + ": field 'do_lower_case' must be true or false");
      }
      lowercase = cfg["do_lower_case"].get<bool>();
    }
  }
  MT_ASSIGN_OR_RETURN(auto tok, LoadWordPieceVocabTxt(dir + "/vocab.txt", lowercase));
  return tok;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> LoadTokenizerFromHfFolder(const std::string& dir) {
  const std::string path = dir + "/tokenizer.json";
  if (!std::filesystem::exists(path) && std::filesystem::exists(dir + "/vocab.txt")) {
    return LoadVocabTxtFolder(dir);
  }
  MT_ASSIGN_OR_RETURN(json j, formats::ReadJsonFile(path));
  Vocab v;
  v.model = "llama";
  try {
    MT_RETURN_IF_ERROR(HfReader(path).Read(j, &v));
    if (v.model == "llama") {
      MT_RETURN_IF_ERROR(ReadConfig(dir, &v));
      MT_RETURN_IF_ERROR(ReadGenerationConfig(dir, &v));
    } else {
      MT_RETURN_IF_ERROR(ReadSpecialConfig(j, path, dir, &v));
    }
  } catch (const std::exception& e) {  // a field of an unexpected type that slipped through
    return InvalidArgument(path + ": " + e.what());
  }
  auto tok = MakeTokenizer(std::move(v));
  if (!tok.ok()) return tok.status().WithPrefix(path);
  return tok;
}

}  // namespace miaotui::tokenizer
