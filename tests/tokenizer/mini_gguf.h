// Test-only: reads the tokenizer.ggml.* metadata of a GGUF file into a Vocab without the
// formats layer, so the tokenizer tests do not depend on the GGUF reader. Trusts its input
// (only the shared fixtures are read); returns false on anything unexpected.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace miaotui::testing {

class MiniGgufReader {
 public:
  static bool ReadVocab(const std::string& path, tokenizer::Vocab* vocab) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    MiniGgufReader r;
    r.data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return r.Parse(vocab);
  }

 private:
  template <typename T>
  T Get() {
    T v{};
    if (pos_ + sizeof(T) > data_.size()) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string GetStr() {
    const uint64_t n = Get<uint64_t>();
    if (!ok_ || pos_ + n > data_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(data_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  // Reads one value of `type`; scalars land in *num, strings in *str.
  void GetValue(uint32_t type, double* num, std::string* str) {
    switch (type) {
      case 0: *num = Get<uint8_t>(); break;
      case 1: *num = Get<int8_t>(); break;
      case 2: *num = Get<uint16_t>(); break;
      case 3: *num = Get<int16_t>(); break;
      case 4: *num = Get<uint32_t>(); break;
      case 5: *num = Get<int32_t>(); break;
      case 6: *num = Get<float>(); break;
      case 7: *num = Get<uint8_t>(); break;
      case 8: *str = GetStr(); break;
      case 10: *num = static_cast<double>(Get<uint64_t>()); break;
      case 11: *num = static_cast<double>(Get<int64_t>()); break;
      case 12: *num = Get<double>(); break;
      default: ok_ = false;
    }
  }
  bool Parse(tokenizer::Vocab* v) {
    if (Get<uint32_t>() != 0x46554747u) return false;  // "GGUF"
    Get<uint32_t>();                                    // version
    Get<uint64_t>();                                    // n_tensors
    const uint64_t n_kv = Get<uint64_t>();
    for (uint64_t k = 0; k < n_kv && ok_; ++k) {
      const std::string key = GetStr();
      const uint32_t type = Get<uint32_t>();
      if (type == 9) {
        const uint32_t et = Get<uint32_t>();
        const uint64_t n = Get<uint64_t>();
        for (uint64_t i = 0; i < n && ok_; ++i) {
          double num = 0;
          std::string str;
          GetValue(et, &num, &str);
          if (key == "tokenizer.ggml.tokens") v->tokens.push_back(str);
          if (key == "tokenizer.ggml.scores") v->scores.push_back(static_cast<float>(num));
          if (key == "tokenizer.ggml.token_type") {
            v->types.push_back(static_cast<tokenizer::TokenType>(static_cast<int32_t>(num)));
          }
          if (key == "tokenizer.ggml.merges") v->merges.push_back(str);
        }
        continue;
      }
      double num = 0;
      std::string str;
      GetValue(type, &num, &str);
      const int32_t id = num < 0 || num >= 2147483648.0 ? -1 : static_cast<int32_t>(num);
      if (key == "tokenizer.ggml.model") v->model = str;
      if (key == "tokenizer.ggml.pre") v->pre = str;
      if (key == "tokenizer.ggml.bos_token_id") v->bos_id = id;
      if (key == "tokenizer.ggml.eos_token_id") v->eos_id = id;
      if (key == "tokenizer.ggml.unknown_token_id") v->unk_id = id;
      if (key == "tokenizer.ggml.padding_token_id") v->pad_id = id;
      if (key == "tokenizer.ggml.eot_token_id") v->eot_id = id;
      if (key == "tokenizer.ggml.add_bos_token") v->add_bos = num != 0;
      if (key == "tokenizer.ggml.add_eos_token") v->add_eos = num != 0;
      if (key == "tokenizer.ggml.add_space_prefix") v->add_space_prefix = num != 0;
    }
    return ok_;
  }

  std::vector<char> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace miaotui::testing
