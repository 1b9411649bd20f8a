// A synthetic SentencePiece-BPE vocabulary for random-weight test models (`miaotui synth`).
//
// GenerateSynthVocab builds, without reading any file, a valid Vocab of model "llama":
//   0 <unk> (UNKNOWN), 1 <s> and 2 </s> (CONTROL), 3..258 the byte tokens <0x00>..<0xFF> (BYTE),
//   then NORMAL pieces in this order: "▁", letters, digits and ASCII punctuation; "▁" + each
//   letter; common English letter pairs; common English words with and without "▁" (built one
//   character at a time, so every prefix is a piece too); finally filler pieces made by joining
//   two earlier pieces, until the count is exact.
// Every piece longer than one character is the concatenation of two earlier pieces, so BPE can
// reach it; scores fall by 1 per piece in that order (the first normal piece has score 0).
// Any text tokenizes (byte fallback covers what the pieces do not) and decodes back exactly.
// The result is deterministic: the same n_vocab always gives the same vocabulary.
#pragma once

#include <cstdint>

#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

// The smallest vocabulary: three specials, 256 byte tokens and the 95 single characters ("▁",
// letters, digits, ASCII punctuation), so that ASCII text never needs byte fallback.
inline constexpr int32_t kMinSynthVocab = 3 + 256 + 95;

// Appends the 256 byte tokens <0x00>..<0xFF> (type BYTE, score 0) to `v`.
void AppendByteTokens(Vocab* v);

// REQUIRES: n_vocab >= kMinSynthVocab (a smaller value is raised to it) and n_vocab <= 2^24.
Vocab GenerateSynthVocab(int32_t n_vocab);

}  // namespace miaotui::tokenizer
