// LoadTokenizerFromGguf: the tokenizer.ggml.* metadata of a GGUF file as a Vocab.
//
// Keys (absent optional keys take llama.cpp's defaults for the model):
//   tokenizer.ggml.model          required: "llama" (SentencePiece BPE), "gpt2" (byte-level BPE)
//                                 or "bert" (WordPiece)
//   tokenizer.ggml.pre            optional pre-tokenizer name (byte-level BPE; "default")
//   tokenizer.ggml.tokens         required, array of string
//   tokenizer.ggml.merges         required for "gpt2": array of "left right" strings, by rank
//   tokenizer.ggml.scores         optional array of float (0 each), same length as tokens
//   tokenizer.ggml.token_type     optional array of int (NORMAL each), same length as tokens
//   tokenizer.ggml.{bos,eos,unknown,padding,eot,eom}_token_id   optional; defaults: "llama"
//                                 bos 1, eos 2, unk 0; "gpt2" bos = eos = 11; "bert" unk 100;
//                                 0xFFFFFFFF and -1 mean "none", as llama.cpp writes them
//   tokenizer.ggml.{cls,seperator,mask}_token_id   "bert" only (defaults 101, 102, 103)
//   tokenizer.ggml.add_bos_token / add_eos_token / add_space_prefix   optional; defaults
//                                 "llama" true/false/true, "gpt2" per pre-tokenizer (true for
//                                 the Llama 3 family)/false/false, "bert" unused ([CLS] ...
//                                 [SEP] are added)
// "bert" vocabularies use llama.cpp's "phantom space" spelling: word-initial pieces start with
// U+2581, continuations have no "##".
// Every error names the file and the key.
#include <string>

#include "formats/gguf.h"
#include "tokenizer/pre_regexes.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {
namespace {

// Reads an optional token id key into *id (keeping the default when absent).
Status ReadId(const formats::GgufFile& f, const char* key, size_t n_tokens, int32_t* id) {
  if (f.Find(key) == nullptr) return Status::Ok();
  MT_ASSIGN_OR_RETURN(int64_t v, f.GetInt(key));
  if (v == -1 || v == 0xFFFFFFFFll) {
    *id = -1;
    return Status::Ok();
  }
  if (v < 0 || static_cast<uint64_t>(v) >= n_tokens) {
    return InvalidArgument(f.path() + ": key '" + key + "' = " + std::to_string(v) +
                           " is not a token id (the vocabulary has " + std::to_string(n_tokens) +
                           " tokens)");
  }
  *id = static_cast<int32_t>(v);
  return Status::Ok();
}

Status CheckLength(const formats::GgufFile& f, const char* key, size_t got, size_t n_tokens) {
  if (got == n_tokens) return Status::Ok();
  return InvalidArgument(f.path() + ": key '" + key + "' has " + std::to_string(got) +
                         " entries but tokenizer.ggml.tokens has " + std::to_string(n_tokens));
}

Result<Vocab> ReadVocab(const formats::GgufFile& f) {
  Vocab v;
  MT_ASSIGN_OR_RETURN(v.model, f.GetString("tokenizer.ggml.model"));
  if (v.model != "llama" && v.model != "gpt2" && v.model != "bert") {
    return Unimplemented(f.path() + ": key 'tokenizer.ggml.model' = '" + v.model +
                         "' is not supported (supported: 'llama' SentencePiece BPE, 'gpt2' "
                         "byte-level BPE, 'bert' WordPiece)");
  }
  MT_ASSIGN_OR_RETURN(v.pre, f.GetStringOr("tokenizer.ggml.pre", ""));
  MT_ASSIGN_OR_RETURN(v.tokens, f.GetStringArray("tokenizer.ggml.tokens"));
  const size_t n = v.tokens.size();
  if (n == 0) return InvalidArgument(f.path() + ": key 'tokenizer.ggml.tokens' is empty");
  if (n > static_cast<size_t>(INT32_MAX)) {
    return OutOfRange(f.path() + ": key 'tokenizer.ggml.tokens' has too many entries");
  }
  if (f.Find("tokenizer.ggml.scores") != nullptr) {
    MT_ASSIGN_OR_RETURN(v.scores, f.GetFloatArray("tokenizer.ggml.scores"));
    MT_RETURN_IF_ERROR(CheckLength(f, "tokenizer.ggml.scores", v.scores.size(), n));
  }
  if (f.Find("tokenizer.ggml.token_type") != nullptr) {
    MT_ASSIGN_OR_RETURN(std::vector<int64_t> types, f.GetIntArray("tokenizer.ggml.token_type"));
    MT_RETURN_IF_ERROR(CheckLength(f, "tokenizer.ggml.token_type", types.size(), n));
    v.types.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (types[i] < 0 || types[i] > static_cast<int64_t>(TokenType::kByte)) {
        return InvalidArgument(f.path() + ": key 'tokenizer.ggml.token_type' entry " +
                               std::to_string(i) + " is " + std::to_string(types[i]) +
                               ", not a token type (0..6)");
      }
      v.types.push_back(static_cast<TokenType>(types[i]));
    }
  }
  bool default_add_bos = true;
  if (v.model == "gpt2") {
    MT_ASSIGN_OR_RETURN(v.merges, f.GetStringArray("tokenizer.ggml.merges"));
    auto pre = PreTokenizerForName(v.pre);
    if (!pre.ok()) return pre.status().WithPrefix(f.path());
    v.ignore_merges = pre->ignore_merges;
    default_add_bos = pre->add_bos;
    v.add_space_prefix = false;
    v.bos_id = v.eos_id = 11;
  } else if (v.model == "bert") {
    default_add_bos = false;
    v.add_space_prefix = false;
    v.unk_id = 100;
    v.cls_id = 101;
    v.sep_id = 102;
    v.mask_id = 103;
    v.wordpiece.word_prefix = "\xE2\x96\x81";
    v.wordpiece.continuing_prefix.clear();
    MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.cls_token_id", n, &v.cls_id));
    MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.seperator_token_id", n, &v.sep_id));
    MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.mask_token_id", n, &v.mask_id));
  } else {
    v.bos_id = 1;
    v.eos_id = 2;
    v.unk_id = 0;
  }
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.bos_token_id", n, &v.bos_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.eos_token_id", n, &v.eos_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.unknown_token_id", n, &v.unk_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.padding_token_id", n, &v.pad_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.eot_token_id", n, &v.eot_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.eom_token_id", n, &v.eom_id));
  // A vocabulary smaller than the defaults (synthetic tests) just has no such token.
  for (int32_t* id : {&v.bos_id, &v.eos_id, &v.unk_id, &v.cls_id, &v.sep_id, &v.mask_id}) {
    if (*id >= 0 && static_cast<size_t>(*id) >= n) *id = -1;
  }
  MT_ASSIGN_OR_RETURN(v.add_bos, f.GetBoolOr("tokenizer.ggml.add_bos_token", default_add_bos));
  MT_ASSIGN_OR_RETURN(v.add_eos, f.GetBoolOr("tokenizer.ggml.add_eos_token", false));
  MT_ASSIGN_OR_RETURN(v.add_space_prefix,
                      f.GetBoolOr("tokenizer.ggml.add_space_prefix", v.add_space_prefix));
  if (v.model == "bert") v.add_bos = v.add_eos = false;  // [CLS] and [SEP] instead
  if (v.add_bos && v.bos_id < 0) v.add_bos = false;
  if (v.add_eos && v.eos_id < 0) {
    return InvalidArgument(f.path() + ": key 'tokenizer.ggml.add_eos_token' is true but there "
                           "is no tokenizer.ggml.eos_token_id");
  }
  return v;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> LoadTokenizerFromGguf(const formats::GgufFile& gguf) {
  MT_ASSIGN_OR_RETURN(Vocab vocab, ReadVocab(gguf));
  auto tok = MakeTokenizer(std::move(vocab));
  if (!tok.ok()) return tok.status().WithPrefix(gguf.path());
  return tok;
}

}  // namespace miaotui::tokenizer
