// LoadWordPieceVocabTxt: BERT's vocab.txt (one token per line; the line number is the id).
#include <fstream>
#include <string>

#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

Result<std::unique_ptr<Tokenizer>> LoadWordPieceVocabTxt(const std::string& path, bool lowercase) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the WordPiece vocabulary");
  Vocab v;
  v.model = "bert";
  v.add_bos = v.add_eos = false;
  v.add_space_prefix = false;
  v.wordpiece.lowercase = v.wordpiece.strip_accents = lowercase;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    v.tokens.push_back(line);
  }
  if (v.tokens.empty()) return InvalidArgument(path + ": the vocabulary is empty");
  v.types.assign(v.tokens.size(), TokenType::kNormal);
  for (size_t i = 0; i < v.tokens.size(); ++i) {
    const std::string& t = v.tokens[i];
    int32_t* slot = t == "[UNK]"    ? &v.unk_id
                    : t == "[CLS]"  ? &v.cls_id
                    : t == "[SEP]"  ? &v.sep_id
                    : t == "[PAD]"  ? &v.pad_id
                    : t == "[MASK]" ? &v.mask_id
                                    : nullptr;
    if (slot == nullptr || *slot >= 0) continue;
    *slot = static_cast<int32_t>(i);
    v.types[i] = t == "[UNK]" ? TokenType::kUnknown : TokenType::kControl;
  }
  if (v.unk_id < 0) return InvalidArgument(path + ": the vocabulary has no [UNK] token");
  auto tok = MakeTokenizer(std::move(v));
  if (!tok.ok()) return tok.status().WithPrefix(path);
  return tok;
}

}  // namespace miaotui::tokenizer
