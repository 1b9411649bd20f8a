// Reading the text pipeline of a Hugging Face tokenizer.json for byte-level BPE and WordPiece
// vocabularies (normalizer, pre_tokenizer, the model's options, post_processor) and the special
// token settings of the folder (tokenizer_config.json, generation_config.json) into a Vocab.
//
// Supported, anything else is Unimplemented naming the field and its type:
//   normalizer     null, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Prepend,
//                  Replace (String pattern), Sequence of these; BertNormalizer (WordPiece)
//   pre_tokenizer  null, ByteLevel (add_prefix_space, use_regex), Split (Regex or String
//                  pattern, behavior Isolated or Removed, not inverted), Digits, Whitespace,
//                  WhitespaceSplit, Sequence of these; BertPreTokenizer (WordPiece)
//   post_processor null, ByteLevel, TemplateProcessing (special tokens before and after $A),
//                  BertProcessing, RobertaProcessing, Sequence of these
// Errors are InvalidArgument "<path>: field '<field>' ..." for malformed values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::tokenizer {

// True if the tokenizer.json describes byte-level BPE (a ByteLevel pre-tokenizer or decoder).
bool IsByteLevelBpe(const nlohmann::json& j);

// Fills normalizer, pre_splits (use_pre_splits = true), byte_level_prefix_space and
// ignore_merges; sets model "gpt2".
Status ReadByteLevelPipeline(const nlohmann::json& j, const std::string& path, Vocab* v);
// Fills the WordPiece options from normalizer, pre_tokenizer and model; sets model "bert".
Status ReadWordPiecePipeline(const nlohmann::json& j, const std::string& path, Vocab* v);
// After the tokens are known: BOS/EOS/CLS/SEP and the add_special behaviour from the
// post_processor and dir/tokenizer_config.json (tokens named there but absent from the
// vocabulary are ignored), and extra end-of-generation ids from dir/generation_config.json
// ("eos_token_id": an id or a list of ids).
Status ReadSpecialConfig(const nlohmann::json& j, const std::string& path, const std::string& dir,
                         Vocab* v);
// Only the generation_config.json part (used for every tokenizer kind).
Status ReadGenerationConfig(const std::string& dir, Vocab* v);

}  // namespace miaotui::tokenizer
