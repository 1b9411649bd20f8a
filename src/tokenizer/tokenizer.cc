// Tokenizer's shared methods and MakeTokenizer (vocabulary checks, choice of the algorithm).
#include "tokenizer/tokenizer.h"

#include <string>

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/wordpiece_tokenizer.h"

namespace miaotui::tokenizer {
namespace {

// Control-token texts that end generation even when the vocabulary does not name them as
// EOS/EOT/EOM (llama.cpp treats the same texts as end-of-generation).
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>",
    "<EOT>",      "<|end_of_text|>"};

Status CheckId(const char* name, int32_t id, size_t n) {
  if (id < -1 || (id >= 0 && static_cast<size_t>(id) >= n)) {
    return InvalidArgument(std::string("vocabulary ") + name + " " + std::to_string(id) +
                           " is out of range (vocabulary size " + std::to_string(n) + ")");
  }
  return Status::Ok();
}

// Fills absent scores / types with defaults and checks sizes and special ids.
Status NormalizeVocab(Vocab* v) {
  const size_t n = v->tokens.size();
  if (n == 0) return InvalidArgument("vocabulary has no tokens");
  if (n > static_cast<size_t>(INT32_MAX)) return OutOfRange("vocabulary has too many tokens");
  if (v->scores.empty()) v->scores.assign(n, 0.0f);
  if (v->types.empty()) v->types.assign(n, TokenType::kNormal);
  if (v->scores.size() != n) {
    return InvalidArgument("vocabulary has " + std::to_string(n) + " tokens but " +
                           std::to_string(v->scores.size()) + " scores");
  }
  if (v->types.size() != n) {
    return InvalidArgument("vocabulary has " + std::to_string(n) + " tokens but " +
                           std::to_string(v->types.size()) + " token types");
  }
  for (size_t i = 0; i < n; ++i) {
    const auto t = static_cast<int32_t>(v->types[i]);
    if (t < 0 || t > static_cast<int32_t>(TokenType::kByte)) {
      return InvalidArgument("token " + std::to_string(i) + " has unknown token type " +
                             std::to_string(t));
    }
  }
  MT_RETURN_IF_ERROR(CheckId("bos id", v->bos_id, n));
  MT_RETURN_IF_ERROR(CheckId("eos id", v->eos_id, n));
  MT_RETURN_IF_ERROR(CheckId("unk id", v->unk_id, n));
  MT_RETURN_IF_ERROR(CheckId("pad id", v->pad_id, n));
  MT_RETURN_IF_ERROR(CheckId("eot id", v->eot_id, n));
  MT_RETURN_IF_ERROR(CheckId("eom id", v->eom_id, n));
  MT_RETURN_IF_ERROR(CheckId("cls id", v->cls_id, n));
  MT_RETURN_IF_ERROR(CheckId("sep id", v->sep_id, n));
  MT_RETURN_IF_ERROR(CheckId("mask id", v->mask_id, n));
  for (int32_t id : v->eog_ids) MT_RETURN_IF_ERROR(CheckId("end-of-generation id", id, n));
  if (v->add_bos && v->bos_id < 0) return InvalidArgument("vocabulary adds BOS but has no BOS id");
  if (v->add_eos && v->eos_id < 0) return InvalidArgument("vocabulary adds EOS but has no EOS id");
  return Status::Ok();
}

}  // namespace

std::string Tokenizer::Decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string out;
  for (int32_t id : ids) {
    if (skip_special && IsControl(id)) continue;
    out += TokenToPiece(id);
  }
  return out;
}

bool Tokenizer::IsControl(int32_t id) const {
  return id >= 0 && id < n_vocab() && vocab_.types[id] == TokenType::kControl;
}

bool Tokenizer::IsEndOfGeneration(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return false;
  if (id == vocab_.eos_id || id == vocab_.eot_id || id == vocab_.eom_id) return true;
  for (int32_t e : vocab_.eog_ids) {
    if (id == e) return true;
  }
  if (vocab_.types[id] != TokenType::kControl) return false;
  for (std::string_view t : kEogTexts) {
    if (vocab_.tokens[id] == t) return true;
  }
  return false;
}

Result<std::unique_ptr<Tokenizer>> MakeTokenizer(Vocab vocab) {
  if (vocab.model != "llama" && vocab.model != "gpt2" && vocab.model != "bert") {
    return Unimplemented("tokenizer model '" + vocab.model +
                         "' is not supported (supported: 'llama' SentencePiece BPE, 'gpt2' "
                         "byte-level BPE, 'bert' WordPiece)");
  }
  MT_RETURN_IF_ERROR(NormalizeVocab(&vocab));
  if (vocab.model == "gpt2") return BpeTokenizer::Create(std::move(vocab));
  if (vocab.model == "bert") return WordPieceTokenizer::Create(std::move(vocab));
  return SpmTokenizer::Create(std::move(vocab));
}

}  // namespace miaotui::tokenizer
