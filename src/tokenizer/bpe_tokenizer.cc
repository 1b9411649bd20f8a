#include "tokenizer/bpe_tokenizer.h"

#include <utility>

#include "tokenizer/byte_level.h"
#include "tokenizer/pre_regexes.h"
#include "tokenizer/unicode.h"
#include "base/utf8.h"

namespace miaotui::tokenizer {
namespace {

constexpr size_t kMaxCachedWordBytes = 32;
constexpr size_t kMaxCachedWords = 1 << 16;

}  // namespace

Result<std::unique_ptr<Tokenizer>> BpeTokenizer::Create(Vocab vocab) {
  std::unique_ptr<BpeTokenizer> tok(new BpeTokenizer(std::move(vocab)));
  MT_RETURN_IF_ERROR(tok->Init());
  return std::unique_ptr<Tokenizer>(std::move(tok));
}

Status BpeTokenizer::Init() {
  const size_t n = vocab_.tokens.size();
  token_to_id_.reserve(n * 2);
  pieces_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string& t = vocab_.tokens[i];
    token_to_id_[t] = static_cast<int32_t>(i);  // later duplicates win, as in llama.cpp
    switch (vocab_.types[i]) {
      case TokenType::kNormal:
      case TokenType::kUnused:
      case TokenType::kUndefined:
      case TokenType::kByte:
        DecodeByteLevel(t, &pieces_[i]);
        break;
      default:  // control, unknown and user-defined tokens are stored as plain text
        pieces_[i] = t;
    }
  }
  merges_.Reserve(vocab_.merges.size() * 2);
  std::string joined;
  for (size_t r = 0; r < vocab_.merges.size(); ++r) {
    const std::string& m = vocab_.merges[r];
    const size_t sp = m.find(' ', 1);
    if (sp == std::string::npos || sp + 1 >= m.size()) {
      return InvalidArgument("merge " + std::to_string(r) + " '" + m +
                             "' is not of the form 'left right'");
    }
    const std::string_view left(m.data(), sp), right(m.data() + sp + 1, m.size() - sp - 1);
    joined.assign(left);
    joined.append(right);
    const int32_t a = Find(left), b = Find(right), c = Find(joined);
    // A merge whose parts or result are not tokens can never produce a token: skipped.
    if (a < 0 || b < 0 || c < 0) continue;
    merges_.Add(a, b, c, static_cast<int32_t>(r));  // the first merge of a pair wins
  }
  std::string ch;
  for (int b = 0; b < 256; ++b) {
    ch.clear();
    const char c = static_cast<char>(b);
    AppendByteLevel(std::string_view(&c, 1), &ch);
    byte_ids_[b] = Find(ch);
  }
  std::vector<SplitRule> rules = vocab_.pre_splits;
  if (!vocab_.use_pre_splits) {
    MT_ASSIGN_OR_RETURN(PreTokenizerInfo info, PreTokenizerForName(vocab_.pre));
    rules.clear();
    for (const std::string& re : info.regexes) rules.push_back({re});
  }
  MT_ASSIGN_OR_RETURN(regex_, RegexSplitter::Create(rules));
  return Status::Ok();
}

int32_t BpeTokenizer::Find(std::string_view piece) const {
  auto it = token_to_id_.find(piece);
  return it == token_to_id_.end() ? -1 : it->second;
}

std::string BpeTokenizer::NormalizeFragment(std::string_view text) const {
  std::string s(text);
  for (const NormalizerStep& step : vocab_.normalizer) {
    switch (step.kind) {
      case NormalizerStep::Kind::kNfc:
        s = Normalize(s, NormalForm::kNfc);
        break;
      case NormalizerStep::Kind::kNfd:
        s = Normalize(s, NormalForm::kNfd);
        break;
      case NormalizerStep::Kind::kNfkc:
        s = Normalize(s, NormalForm::kNfkc);
        break;
      case NormalizerStep::Kind::kNfkd:
        s = Normalize(s, NormalForm::kNfkd);
        break;
      case NormalizerStep::Kind::kLowercase:
        s = Lowercase(s);
        break;
      case NormalizerStep::Kind::kPrepend:
        if (!s.empty()) s = step.content + s;
        break;
      case NormalizerStep::Kind::kStripAccents: {
        std::string out;
        for (char32_t cp : DecodeUtf8(s)) {
          if (!IsNonspacingMark(cp)) AppendUtf8(cp, &out);
        }
        s = std::move(out);
        break;
      }
      case NormalizerStep::Kind::kReplace: {
        if (step.pattern.empty()) break;
        std::string out;
        for (size_t pos = 0;;) {
          const size_t at = s.find(step.pattern, pos);
          if (at == std::string::npos) {
            out.append(s, pos, std::string::npos);
            break;
          }
          out.append(s, pos, at - pos);
          out.append(step.content);
          pos = at + step.pattern.size();
        }
        s = std::move(out);
        break;
      }
    }
  }
  return s;
}

void BpeTokenizer::EncodeWord(std::string_view word, std::string* scratch,
                              std::vector<int32_t>* out) const {
  if (word.empty()) return;
  if (vocab_.ignore_merges) {
    scratch->clear();
    AppendByteLevel(word, scratch);
    const int32_t id = Find(*scratch);
    if (id >= 0) {
      out->push_back(id);
      return;
    }
  }
  // One symbol per byte: its byte-level character's token.
  std::vector<MergeSymbol> syms(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    syms[i].start = static_cast<uint32_t>(i);
    syms[i].n = 1;
    syms[i].id = byte_ids_[static_cast<uint8_t>(word[i])];
  }
  merges_.Apply(&syms);
  for (int32_t i = 0; i >= 0; i = syms[i].next) {
    // A byte whose character is not in the vocabulary has no token (llama.cpp drops it too).
    if (syms[i].id >= 0) out->push_back(syms[i].id);
  }
}

std::vector<int32_t> BpeTokenizer::Encode(std::string_view text, bool add_special,
                                          bool parse_special) const {
  const std::string clean = SanitizeUtf8(text);
  std::vector<int32_t> out;
  out.reserve(clean.size() / 3 + 4);
  if (add_special && vocab_.add_bos && vocab_.bos_id >= 0) out.push_back(vocab_.bos_id);
  std::vector<std::string_view> words;
  std::string scratch, normalized;
  // Pre-tokens repeat a lot in real text: their ids are remembered for this call (short words
  // only, and a bounded number of them).
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> cache;  // word -> ids range
  std::vector<int32_t> cached_ids;
  for (const Fragment& f : splitter_.Split(clean, parse_special)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      continue;
    }
    std::string_view frag = f.text;
    if (!vocab_.normalizer.empty() || vocab_.byte_level_prefix_space) {
      normalized = vocab_.normalizer.empty() ? std::string(frag) : NormalizeFragment(frag);
      if (vocab_.byte_level_prefix_space && !normalized.empty() && normalized[0] != ' ') {
        normalized.insert(0, 1, ' ');
      }
      frag = normalized;
    }
    words.clear();
    if (regex_->empty()) {
      if (!frag.empty()) words.push_back(frag);
    } else {
      regex_->Split(frag, &words);
    }
    for (std::string_view w : words) {
      if (w.size() > kMaxCachedWordBytes) {
        EncodeWord(w, &scratch, &out);
        continue;
      }
      auto it = cache.find(std::string(w));
      if (it != cache.end()) {
        out.insert(out.end(), cached_ids.begin() + it->second.first,
                   cached_ids.begin() + it->second.first + it->second.second);
        continue;
      }
      const size_t before = out.size();
      EncodeWord(w, &scratch, &out);
      if (cache.size() < kMaxCachedWords) {
        cache.emplace(std::string(w),
                      std::pair<uint32_t, uint32_t>(static_cast<uint32_t>(cached_ids.size()),
                                                    static_cast<uint32_t>(out.size() - before)));
        cached_ids.insert(cached_ids.end(), out.begin() + before, out.end());
      }
    }
  }
  if (add_special && vocab_.add_eos && vocab_.eos_id >= 0) out.push_back(vocab_.eos_id);
  return out;
}

std::string BpeTokenizer::TokenToPiece(int32_t id) const {
  if (id < 0 || id >= n_vocab()) return {};
  return pieces_[id];
}

}  // namespace miaotui::tokenizer
