// LoadTokenizerFromGguf: the tokenizer.ggml.* metadata of a GGUF file as a Vocab.
//
// Keys (absent optional keys take llama.cpp's defaults for model "llama"):
//   tokenizer.ggml.model          required; only "llama" (SentencePiece BPE) for now
//   tokenizer.ggml.tokens         required, array of string
//   tokenizer.ggml.scores         optional array of float (0 each), same length as tokens
//   tokenizer.ggml.token_type     optional array of int (NORMAL each), same length as tokens
//   tokenizer.ggml.{bos,eos,unknown,padding,eot,eom}_token_id   optional (bos 1, eos 2, unk 0);
//                                 0xFFFFFFFF and -1 mean "none", as llama.cpp writes them
//   tokenizer.ggml.add_bos_token / add_eos_token / add_space_prefix   optional (true/false/true)
// Every error names the file and the key.
#include <string>

#include "formats/gguf.h"
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
  if (v.model != "llama") {
    return Unimplemented(f.path() + ": key 'tokenizer.ggml.model' = '" + v.model +
                         "' is not supported yet (supported: 'llama', SentencePiece BPE)");
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
  v.bos_id = 1;
  v.eos_id = 2;
  v.unk_id = 0;
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.bos_token_id", n, &v.bos_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.eos_token_id", n, &v.eos_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.unknown_token_id", n, &v.unk_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.padding_token_id", n, &v.pad_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.eot_token_id", n, &v.eot_id));
  MT_RETURN_IF_ERROR(ReadId(f, "tokenizer.ggml.eom_token_id", n, &v.eom_id));
  // A vocabulary smaller than the defaults (synthetic tests) just has no such token.
  for (int32_t* id : {&v.bos_id, &v.eos_id, &v.unk_id}) {
    if (static_cast<size_t>(*id) >= n) *id = -1;
  }
  MT_ASSIGN_OR_RETURN(v.add_bos, f.GetBoolOr("tokenizer.ggml.add_bos_token", true));
  MT_ASSIGN_OR_RETURN(v.add_eos, f.GetBoolOr("tokenizer.ggml.add_eos_token", false));
  MT_ASSIGN_OR_RETURN(v.add_space_prefix, f.GetBoolOr("tokenizer.ggml.add_space_prefix", true));
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
